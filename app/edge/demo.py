"""A realistic demo: customers with wallets, bundles and a first purchase (``seed``), then four
weeks of history played through the real API on a moved clock (``app.edge.demo_story``): usage,
invoices, a declined card, an auto-recharge, spend alerts. The demo admin key is minted once and
kept in the data folder (``demo-admin-key``), so every start prints the same one."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from app import customers, operators, wallets
from app.customers import CustomerInput
from app.wallets import (
    BundleInput,
    Cause,
    CauseType,
    DepletionPolicy,
    GrantKind,
    GrantRequest,
    GrantSource,
)

CUSTOMERS = [
    ("acme", "Acme Corp", "billing@acme.test", DepletionPolicy.ALLOW, "5000"),
    ("globex", "Globex Inc", "ap@globex.test", DepletionPolicy.BLOCK, "500"),
    ("initech", "Initech", "finance@initech.test", DepletionPolicy.OVERDRAFT, "20000"),
    ("umbrella", "Umbrella Labs", "accounts@umbrella.test", DepletionPolicy.ALLOW, "1200"),
]
BUNDLES = [
    ("starter", "Starter Pack", "5000", "0", "50.00"),
    ("growth", "Growth Pack", "50000", "5000", "400.00"),
]


async def seed(session: AsyncSession, start: datetime) -> bool:
    """Create the demo's customers, wallets and bundles at ``start`` unless they are there.
    Returns False when they already were."""
    if await customers.by_external_id(session, "acme") is not None:
        return False
    await wallets.set_signup_bonus(session, "1000", 30, start)
    for code, name, credits, bonus, price in BUNDLES:
        await wallets.create_bundle(
            session, BundleInput(code, name, credits, price, "USD", bonus_credits=bonus), start
        )
    for external_id, name, email, policy, purchase in CUSTOMERS:
        customer = await customers.create(
            session, CustomerInput(external_id, name, "USD", email, {"plan": "demo"}), start
        )
        wallet = await wallets.create_wallet(
            session,
            customer,
            currency="USD",
            rate="0.01",
            policy=policy,
            overdraft_limit="1000" if policy is DepletionPolicy.OVERDRAFT else None,
            now=start,
        )
        assert wallet.id is not None
        cause = Cause(CauseType.OPERATOR, "demo")
        await wallets.grant_credits(
            session,
            wallet.id,
            GrantRequest(
                amount=purchase,
                kind=GrantKind.PAID,
                source=GrantSource.PURCHASE,
                cost_minor=int(Decimal(purchase)),  # 0.01 USD per credit = 1 cent
                reason="Credit purchase",
            ),
            cause=cause,
            idempotency_key=f"demo-purchase-{external_id}",
            now=start + timedelta(hours=1),
        )
    return True


DEMO_ADMIN = "admin@tally.test"


async def demo_operator(session: AsyncSession, now: datetime) -> tuple[str, str]:
    """The demo's console admin with a fresh password (printed at every demo start)."""
    password = secrets.token_urlsafe(12)
    found = await operators.by_email(session, DEMO_ADMIN)
    if found is None:
        await operators.create(session, DEMO_ADMIN, password, "admin", now)
    else:
        await operators.reset_password(session, found, password, enable=True)
    return DEMO_ADMIN, password
