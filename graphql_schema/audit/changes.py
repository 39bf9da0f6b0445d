"""Old → new values for the changes a person reads about in the audit log.

A *reader* returns, in words, what a mutation is about to change ({"spend alerts": "50 %,
25 %, 10 %"}); the audit trail calls it before the mutation runs and again after it
succeeded, on the operation's session. What differs is added to the entry's sentence ("…:
spend alerts: 50 %, 25 %, 10 % → 50 %, 30 %, 25 %, 10 %") and kept in its details (``before``,
``after``). A domain's GraphQL package may ``register`` readers for its own mutations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts.models import AlertKind
from app.alerts.service import wallet_alerts
from app.audit import words
from app.customers.models import Customer
from app.wallets.models import Wallet
from graphql_schema.pagination import row_id

Reader = Callable[[AsyncSession, dict[str, Any]], Awaitable[dict[str, str]]]


def _input(args: dict[str, Any]) -> dict[str, Any]:
    value = args.get("input")
    return value if isinstance(value, dict) else args


async def spend_alerts(session: AsyncSession, args: dict[str, Any]) -> dict[str, str]:
    wallet_id = row_id(_input(args).get("walletId"))
    if wallet_id is None or await session.get(Wallet, wallet_id) is None:
        return {}
    alerts = await wallet_alerts(session, wallet_id)
    levels = [
        f"{words.number(v.threshold.value)} %"
        if v.threshold.kind is AlertKind.PERCENT
        else words.credits(v.threshold.value)
        for v in alerts.thresholds
        if v.threshold.kind is not AlertKind.DEPLETED
    ]
    return {"spend alerts": ", ".join(levels) or "only when it runs out"}


async def customer(session: AsyncSession, args: dict[str, Any]) -> dict[str, str]:
    external_id = _input(args).get("externalId")
    if not isinstance(external_id, str):
        return {}
    found = (
        await session.exec(select(Customer).where(Customer.external_id == external_id))
    ).first()
    if found is None:
        return {}
    return {"name": found.name, "billing email": found.billing_email or "none"}


async def wallet_policy(session: AsyncSession, args: dict[str, Any]) -> dict[str, str]:
    wallet_id = row_id(_input(args).get("walletId"))
    wallet = await session.get(Wallet, wallet_id) if wallet_id is not None else None
    if wallet is None:
        return {}
    limit = f" down to −{words.number(wallet.overdraft_limit)}" if wallet.overdraft_limit else ""
    return {"policy": f"{wallet.policy!s}{limit}"}


READERS: dict[str, Reader] = {
    "setAlertThresholds": spend_alerts,
    "addAlertThreshold": spend_alerts,
    "removeAlertThreshold": spend_alerts,
    "resetAlertThresholds": spend_alerts,
    "updateCustomer": customer,
    "updateWalletPolicy": wallet_policy,
}


def register(field: str, reader: Reader) -> None:
    READERS[field] = reader


def changed(before: dict[str, str], after: dict[str, str]) -> str:
    """ "spend alerts: 50 %, 25 % → 50 %, 30 %, 25 %; name: Acme → Acme Corp" ("" if none)."""
    parts = [
        f"{key}: {before.get(key, 'none')} → {value}"
        for key, value in after.items()
        if before.get(key) != value
    ]
    return "; ".join(parts)
