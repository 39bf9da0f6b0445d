"""The customer portal: one customer only, live balance, and clear messages for expired or
tampered links."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from nicegui import ui
from nicegui.testing import User

from app.access import tokens
from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause, Usage
from app.wallets.models import CauseType
from tests.conftest import GraphQLClient
from tests.console.support import eventually, make_customer, rows, the

LINK = """
mutation($id: String!, $ttl: Int) {
  createPortalLink(customerExternalId: $id, ttlSeconds: $ttl) {
    __typename ... on PortalLink { url expiresAt customer { name } }
    ... on Error { code message field }
  }
}
"""


async def portal_path(gql: GraphQLClient, external_id: str, ttl: int | None = None) -> str:
    data = await gql(LINK, id=external_id, ttl=ttl)
    url: str = data["createPortalLink"]["url"]
    assert url.startswith("http://127.0.0.1:8000/portal/")
    return urlsplit(url).path


async def test_a_link_shows_one_customer_only(
    user: User, runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "4230")
    await make_customer(runtime, "globex", "Globex Inc", "999")
    await user.open(await portal_path(gql, "acme"))
    await user.should_see("Acme Corp", retries=30)
    await user.should_see("You have 4,230 credits left — no usage in the last 7 days", retries=30)
    await user.should_see("worth 42.30 USD", retries=30)
    await user.should_not_see("Globex")
    await user.should_not_see("999")
    audit = await rows(runtime, "SELECT summary FROM audit_log WHERE action='createPortalLink'")
    assert audit[0].summary.startswith("API key “test” created a portal link for Acme Corp")


async def test_the_link_is_a_customer_token_that_reaches_nobody_else(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    await make_customer(runtime, "globex", "Globex Inc", "10")
    token = (await portal_path(gql, "acme")).rsplit("/", 1)[1]
    body = await gql.raw('{ customer(externalId: "globex") { name } }', key=token)
    assert body["data"] is None or body["data"]["customer"] is None
    assert "not visible" in body["errors"][0]["message"]
    days = await gql.raw("{ consumptionByDay(days: 3) { credits } }", key=token)
    assert "only its own customer" in days["errors"][0]["message"]


async def test_an_expired_link_says_so(user: User, runtime: Runtime) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    secret = runtime.settings.signing_secret()
    past = runtime.clock.now() - timedelta(days=2)
    token, _ = tokens.mint(secret, 1, "acme", past, timedelta(days=1))
    await user.open(f"/portal/{token}")
    await user.should_see(
        "This link has expired. Ask your account manager for a new one.", retries=30
    )
    await user.should_not_see("Acme Corp")


async def test_a_tampered_link_says_so(user: User, runtime: Runtime, gql: GraphQLClient) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    path = await portal_path(gql, "acme")
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    await user.open(tampered)
    await user.should_see("This link is not valid", retries=30)
    await user.should_not_see("Acme Corp")


async def test_the_portal_balance_moves_live(
    user: User, runtime: Runtime, gql: GraphQLClient, publish: Callable[[], Awaitable[int]]
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    await user.open(await portal_path(gql, "acme"))
    await user.should_see("You have 1,000 credits left", retries=30)
    async with runtime.db.transaction() as session:
        await wallets.burn(
            session,
            wallet_id,
            Decimal(100),
            description="−100 credits · 100 API calls",
            cause=Cause(CauseType.EVENT_BATCH, "portal-test"),
            now=runtime.clock.now(),
            usage=Usage("api_call", Decimal(100), "API calls"),
        )
    await publish()
    await user.should_see("You have 900 credits left", retries=30)
    await user.should_see("−100 credits · 100 API calls", retries=30)


async def test_the_portal_lists_bundles(user: User, runtime: Runtime, gql: GraphQLClient) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    await gql(
        """mutation { createBundle(input: {code: "starter", name: "Starter Pack",
        credits: "5000", price: "50.00", currency: "USD"}) { __typename } }"""
    )
    await user.open(await portal_path(gql, "acme"))
    await user.should_see("Starter Pack: 5,000 credits for 50.00 USD", retries=30)


async def test_operators_make_a_link_on_the_customer_page(
    logged_in: User, runtime: Runtime
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    await logged_in.open("/console/customers/acme")
    logged_in.find(marker="portal-link").click()
    await logged_in.should_see("Customer portal link", retries=30)
    assert "/portal/" in the(logged_in, "portal-url", ui.input).value


async def buy_starter(user: User, gql: GraphQLClient, reference: str | None) -> None:
    await gql(
        """mutation { createBundle(input: {code: "starter", name: "Starter Pack",
        credits: "5000", price: "50.00", currency: "USD"}) { __typename } }"""
    )
    if reference is not None:
        await gql(
            """mutation($ref: String!) { addPaymentMethod(input: {customerExternalId: "acme",
            reference: $ref}) { __typename } }""",
            ref=reference,
        )
    await user.open(await portal_path(gql, "acme"))
    user.find(marker="buy-starter").click()
    card = "Visa •••• 4242" if reference == "pm_sandbox_ok" else "Visa •••• 0002"
    await user.should_see(
        f"Buy Starter Pack — 5,000 credits for 50.00 USD, charged to {card}?", retries=30
    )
    user.find(marker="portal-pay").click()


async def test_the_customer_buys_a_bundle_in_the_portal(
    user: User, runtime: Runtime, gql: GraphQLClient, publish: Callable[[], Awaitable[int]]
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "10")
    await buy_starter(user, gql, "pm_sandbox_ok")
    await user.should_see("Charging 50.00 USD to Visa •••• 4242 for Starter Pack…", retries=30)
    await publish()
    await user.should_see("You have 5,010 credits left", retries=30)
    assert await eventually(
        lambda: "Payment received: Starter Pack was added." in user.notify.messages, seconds=5
    )
    found = await rows(runtime, "SELECT balance FROM wallets WHERE id = :w", w=wallet_id)
    assert found[0].balance == 5010
    audit = await rows(runtime, "SELECT actor_kind, summary FROM audit_log WHERE action='topUp'")
    assert audit[0].actor_kind == "customer"
    assert audit[0].summary.startswith("customer acme did “top up” for Acme Corp")


async def test_a_declined_card_says_so_in_the_portal(
    user: User, runtime: Runtime, gql: GraphQLClient, publish: Callable[[], Awaitable[int]]
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "10")
    await buy_starter(user, gql, "pm_sandbox_decline")
    await user.should_see("Charging 50.00 USD to Visa •••• 0002 for Starter Pack…", retries=30)
    await publish()  # the payment job runs, and is declined
    assert await eventually(
        lambda: any("The payment for Starter Pack failed" in m for m in user.notify.messages),
        seconds=5,
    )
    await user.should_see("No credits were added", retries=30)
    assert not any(m.startswith("Payment received") for m in user.notify.messages)
    found = await rows(runtime, "SELECT balance FROM wallets WHERE id = :w", w=wallet_id)
    assert found[0].balance == 10


async def test_the_portal_balance_drops_when_credits_expire(
    user: User, runtime: Runtime, gql: GraphQLClient, clock: FrozenClock
) -> None:
    """At the moment a grant expires, with no write and no sweep: the live subscription wakes
    the page, which reads the balance as it is now."""
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    expiry = clock.now() + timedelta(minutes=5)
    async with runtime.db.transaction() as session:
        await wallets.grant_credits(
            session,
            wallet_id,
            wallets.GrantRequest(amount="500", expires_at=expiry),
            cause=Cause(CauseType.OPERATOR),
            idempotency_key="expiring",
            now=clock.now(),
        )
    await user.open(await portal_path(gql, "acme"))
    await user.should_see("You have 1,500 credits left", retries=30)
    for _ in range(300):  # the page's subscription waits for the expiry on the clock
        if expiry in clock.waiting():
            break
        await asyncio.sleep(0.02)
    clock.set(expiry)
    await user.should_see("You have 1,000 credits left", retries=30)
    entries = await rows(runtime, "SELECT count(*) AS n FROM ledger_entries WHERE kind = 'expiry'")
    assert entries[0].n == 0  # nothing was written: the page read the balance as of now
