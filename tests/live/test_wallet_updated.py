"""walletUpdated over a real websocket: the balance after every change, in order; customer
tokens see only their own customer; bad credentials close the connection with a reason."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from websockets.exceptions import ConnectionClosed

from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause
from app.wallets.models import CauseType
from tests.conftest import GraphQLClient, mint_key
from tests.live.client import WALLET_UPDATED, LiveClient
from tests.live.conftest import LiveServer


async def _customer(gql: GraphQLClient, external_id: str, credits: str = "1000") -> str:
    data = await gql(
        """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
             ... on CustomerPayload { wallet { id } } } }""",
        input={
            "externalId": external_id,
            "name": external_id.title(),
            "currency": "USD",
            "wallet": {"rate": "0.01"},
        },
    )
    wallet_id: str = data["createCustomer"]["wallet"]["id"]
    await gql(
        """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { __typename } }""",
        input={"walletId": wallet_id, "amount": credits, "idempotencyKey": f"seed-{external_id}"},
    )
    return wallet_id


async def _token(gql: GraphQLClient, external_id: str, ttl: int | None = None) -> str:
    data = await gql(
        """mutation($id: String!, $ttl: Int) { createCustomerToken(customerExternalId: $id,
             ttlSeconds: $ttl) { ... on CustomerToken { token expiresAt } } }""",
        id=external_id,
        ttl=ttl,
    )
    token: str = data["createCustomerToken"]["token"]
    return token


async def _burn(runtime: Runtime, wallet_id: str, credits: int, n: int) -> None:
    async with runtime.db.transaction() as session:
        await wallets.burn(
            session,
            int(wallet_id),
            Decimal(credits),
            description=f"−{credits} credits · batch {n}",
            cause=Cause(CauseType.EVENT_BATCH, f"batch-{n}"),
            now=runtime.clock.now(),
        )


async def test_balance_after_each_change_in_order(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime, admin_key: str
) -> None:
    wallet_id = await _customer(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
        first = (await client.next_data())["walletUpdated"]
        assert first["balance"] == "1000"
        seen = []
        for n in range(1, 6):
            await _burn(runtime, wallet_id, 10 * n, n)
            update = (await client.next_data())["walletUpdated"]
            seen.append(update["balance"])
            assert update["entry"]["description"] == f"−{10 * n} credits · batch {n}"
        assert seen == ["990", "970", "940", "900", "850"]
    finally:
        await client.close()


async def test_customer_token_sees_only_its_own_customer(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    own = await _customer(gql, "acme")
    other = await _customer(gql, "globex")
    token = await _token(gql, "acme")

    client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
    try:
        ack = await client.acknowledged()
        assert ack["payload"] == {"subject": "customer:acme"}
        await client.subscribe(WALLET_UPDATED, walletId=own)
        assert (await client.next_data())["walletUpdated"]["balance"] == "1000"

        denied = await client.subscribe(WALLET_UPDATED, walletId=other)
        assert "not visible" in await client.refusal(denied)
    finally:
        await client.close()

    as_customer = GraphQLClient(gql.http, token)
    mine = await as_customer('{ customer(externalId: "acme") { name } }')
    assert mine == {"customer": {"name": "Acme"}}
    theirs = await as_customer.raw('{ customer(externalId: "globex") { name } }')
    assert "not visible" in theirs["errors"][0]["message"]
    listing = await as_customer.raw("{ customers { nodes { externalId } } }")
    assert listing["errors"] and listing["data"] is None
    admin = await as_customer.raw(
        """mutation { createApiKey(name: "x", scopes: ["admin"]) { __typename } }"""
    )
    assert admin["errors"][0]["message"] == (  # a customer token is not an API key
        "this customer link/session cannot do this: it needs an API key with the 'admin' scope"
    )


async def test_an_id_that_cannot_be_stored_is_refused_by_name(
    live_server: LiveServer, gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A lone surrogate, a NUL or 5,000 characters in a subscription's id: refused with the
    edge's typed error naming it, the socket still serving (a lone surrogate echoed in the
    refusal made it impossible to send: an exception logged and no answer; found by the fuzz
    suite)."""
    own = await _customer(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {gql.key}")
    try:
        await client.acknowledged()
        for bad, code in (("a\udfffb", "invalid_characters"), ("1\x00", "invalid_characters"),
                          ("9" * 5000, "too_long")):  # fmt: skip
            op_id = await client.subscribe(WALLET_UPDATED, walletId=bad)
            message = await client.receive()
            while message["type"] == "complete":  # the previous refusal's end
                message = await client.receive()
            assert message["id"] == op_id, message
            payload = message["payload"]
            errors = payload if message["type"] == "error" else payload["errors"]
            assert errors[0]["extensions"] == {"code": code, "field": "walletId"}, message
        watched = await client.subscribe(WALLET_UPDATED, walletId=own)
        message = await client.receive()
        while message["id"] != watched:
            message = await client.receive()
        assert message["payload"]["data"]["walletUpdated"]["balance"] == "1000", message
    finally:
        await client.close()
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_ingest_key_cannot_subscribe(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await _customer(gql, "acme")
    ingest = await mint_key(runtime, ["ingest"])
    client = await LiveClient.open(live_server.ws_url, f"Bearer {ingest}")
    try:
        await client.acknowledged()
        op_id = await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
        assert "read" in await client.refusal(op_id)
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("credential", "reason"),
    [
        (None, "missing credentials"),
        ("Bearer not-a-token", "invalid customer token"),
        ("Bearer tly_unknown", "unknown or revoked API key"),
    ],
)
async def test_bad_credentials_close_with_a_reason(
    live_server: LiveServer, credential: str | None, reason: str
) -> None:
    client = await LiveClient.open(live_server.ws_url, credential)
    with pytest.raises(ConnectionClosed) as closed:
        await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert reason in closed.value.rcvd.reason


async def test_an_expired_token_is_refused(
    live_server: LiveServer, gql: GraphQLClient, clock: FrozenClock
) -> None:
    await _customer(gql, "acme")
    token = await _token(gql, "acme", ttl=60)
    clock.advance(timedelta(minutes=2))
    client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
    with pytest.raises(ConnectionClosed) as closed:
        await client.receive()
    assert closed.value.rcvd is not None and "expired" in closed.value.rcvd.reason
    refused = await GraphQLClient(gql.http, token).raw('{ customer(externalId: "acme") { name } }')
    assert refused["status"] == 401


async def test_open_subscriptions_end_when_the_token_expires(
    live_server: LiveServer, gql: GraphQLClient, clock: FrozenClock
) -> None:
    """A token that expires while its connection is open closes it, on the app's clock, with
    4401 and the reason: its subscriptions stop; nothing is sent on an expired token."""
    wallet_id = await _customer(gql, "acme")
    token = await _token(gql, "acme", ttl=60)
    client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
    await client.acknowledged()
    await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
    assert (await client.next_data())["walletUpdated"]["balance"] == "1000"
    end = clock.now() + timedelta(seconds=60)
    for _ in range(250):  # the connection waits for the token's end on the clock
        ends = [m for m in clock.waiting() if m <= end]
        if ends:
            break
        await asyncio.sleep(0.02)
    assert len(ends) == 1, clock.waiting()
    clock.set(ends[0] - timedelta(seconds=1))
    await asyncio.sleep(0.2)
    await client.send({"type": "ping"})
    assert (await client.receive())["type"] == "pong"  # still open a second before
    clock.set(ends[0])
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    assert closed.value.rcvd.reason == (
        "the customer token has expired: connect again with a new token"
    )


async def _sleeping_until(clock: FrozenClock, moment: datetime) -> None:
    """Until the subscription waits for ``moment`` on the clock (it has read the wallet)."""
    for _ in range(500):
        if moment in clock.waiting():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing waits for {moment}")


async def test_credits_expiring_move_the_balance_at_their_moment(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    """No write and no sweep needed: the subscription sends the balance without the expired
    credits when the clock reaches their expiry (entry null); the sweep's entry follows."""
    wallet_id = await _customer(gql, "acme", credits="50")
    token = await _token(gql, "acme")
    for initial in (True, False):  # the console subscribes without the first state
        expiry = clock.now() + timedelta(minutes=5)
        await gql(
            """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) {
                 __typename } }""",
            input={
                "walletId": wallet_id,
                "amount": "100",
                "idempotencyKey": f"expiring-{initial}",
                "expiresAt": expiry.isoformat(),
            },
        )
        client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
        try:
            await client.acknowledged()
            await client.subscribe(WALLET_UPDATED, walletId=wallet_id, initial=initial)
            if initial:
                assert (await client.next_data())["walletUpdated"]["balance"] == "150"
            await _sleeping_until(clock, expiry)
            clock.set(expiry)
            expired = (await client.next_data())["walletUpdated"]
            assert (expired["balance"], expired["entry"]) == ("50", None)
            async with runtime.db.transaction() as session:
                await wallets.expire_due(session, clock.now())
            written = (await client.next_data())["walletUpdated"]
            assert (written["balance"], written["entry"]["kind"]) == ("50", "EXPIRY")
        finally:
            await client.close()
