"""alertTriggered over a real websocket: each spend alert of a wallet as it fires, with the
figures the alert history records; a customer token watches only its own wallets."""

from __future__ import annotations

import asyncio
from typing import Any

from app.live.wallets import channel
from app.runtime import Runtime
from tests.conftest import GraphQLClient, mint_key
from tests.core.support import burn, create_customer, grant
from tests.live.client import LiveClient
from tests.live.conftest import LiveServer

ALERT_TRIGGERED = """subscription($walletId: ID!) {
  alertTriggered(walletId: $walletId) {
    id walletId kind value label level balance referenceBalance firedAt
  }
}"""

FIRINGS = """query($walletId: ID!) { alertFirings(walletId: $walletId, first: 20) {
  nodes { id kind value label level balance referenceBalance firedAt } } }"""

TOKEN = """mutation($id: String!) { createCustomerToken(customerExternalId: $id) {
  ... on CustomerToken { token } } }"""


async def _wallet(gql: GraphQLClient, external_id: str, credits: str = "1000") -> int:
    """A customer whose reference balance is ``credits`` (its only grant)."""
    wallet_id = await create_customer(gql, external_id)
    granted = await grant(gql, wallet_id, credits, f"seed-{external_id}")
    assert granted["__typename"] == "LedgerEntryPayload", granted
    return wallet_id


async def _token(gql: GraphQLClient, external_id: str) -> str:
    token: str = (await gql(TOKEN, id=external_id))["createCustomerToken"]["token"]
    return token


async def _attached(runtime: Runtime, name: str, subscribers: int = 1) -> None:
    """Wait until the server has attached the subscription to the live bus (there is no
    protocol message for that), so that nothing published afterwards can be missed."""
    for _ in range(500):
        if runtime.bus.hub.count(name) >= subscribers:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"nobody subscribed to {name}")


async def _alert(client: LiveClient) -> dict[str, Any]:
    alert: dict[str, Any] = (await client.next_data())["alertTriggered"]
    return alert


def _figures(alert: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    return (
        alert["kind"],
        alert["value"],
        alert["label"],
        alert["level"],
        alert["balance"],
        alert["referenceBalance"],
    )


async def test_each_crossing_delivers_its_alert_with_the_figures(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await _wallet(gql, "acme")
    token = await _token(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
    try:
        await client.acknowledged()
        await client.subscribe(ALERT_TRIGGERED, walletId=str(wallet_id))
        await _attached(runtime, channel(wallet_id))

        await burn(runtime, wallet_id, "600")  # 400 left: below 50 % of 1,000
        first = await _alert(client)
        assert _figures(first) == ("PERCENT", "50", "50 %", "500", "400", "1000")
        assert first["walletId"] == str(wallet_id)
        assert first["firedAt"] == runtime.clock.now().isoformat()

        await burn(runtime, wallet_id, "10")  # 390 left: crosses nothing, sends nothing
        await burn(runtime, wallet_id, "340")  # 50 left: below 25 % and 10 % at once
        second, third = await _alert(client), await _alert(client)
        assert _figures(second) == ("PERCENT", "25", "25 %", "250", "50", "1000")
        assert _figures(third) == ("PERCENT", "10", "10 %", "100", "50", "1000")

        await burn(runtime, wallet_id, "50")  # nothing left
        depleted = await _alert(client)
        assert _figures(depleted) == ("DEPLETED", "0", "depleted", "0", "0", "1000")

        history = (await gql(FIRINGS, walletId=str(wallet_id)))["alertFirings"]["nodes"]
        delivered = [first, second, third, depleted]
        assert [{k: v for k, v in a.items() if k != "walletId"} for a in delivered] == list(
            reversed(history)  # the history is newest first
        )
    finally:
        await client.close()


async def test_a_refill_rearms_and_the_next_crossing_fires_again(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime, admin_key: str
) -> None:
    wallet_id = await _wallet(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        await client.subscribe(ALERT_TRIGGERED, walletId=str(wallet_id))
        await _attached(runtime, channel(wallet_id))
        await burn(runtime, wallet_id, "600")
        assert _figures(await _alert(client))[:2] == ("PERCENT", "50")

        await grant(gql, wallet_id, "1600", "refill")  # 2,000: the new reference balance
        await burn(runtime, wallet_id, "1100")  # 900 left: below 50 % of 2,000
        again = await _alert(client)
        assert _figures(again) == ("PERCENT", "50", "50 %", "1000", "900", "2000")
    finally:
        await client.close()


async def test_every_watcher_of_the_wallet_gets_each_firing(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime, admin_key: str
) -> None:
    wallet_id = await _wallet(gql, "acme")
    token = await _token(gql, "acme")
    clients = [
        await LiveClient.open(live_server.ws_url, f"Bearer {credential}")
        for credential in (admin_key, token, token)
    ]
    try:
        for client in clients:
            await client.acknowledged()
            await client.subscribe(ALERT_TRIGGERED, walletId=str(wallet_id))
        await _attached(runtime, channel(wallet_id), subscribers=len(clients))
        await burn(runtime, wallet_id, "960")  # 40 left: 50, 25 and 10 % at once
        for client in clients:
            received = [_figures(await _alert(client))[2] for _ in range(3)]
            assert received == ["50 %", "25 %", "10 %"]
    finally:
        for client in clients:
            await client.close()


async def test_a_customer_token_watches_only_its_own_wallets(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    own = await _wallet(gql, "acme")
    other = await _wallet(gql, "globex")
    token = await _token(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
    try:
        await client.acknowledged()
        denied = await client.subscribe(ALERT_TRIGGERED, walletId=str(other))
        assert await client.refusal(denied) == f"wallet {other} is not visible to this caller"
        await client.receive()  # the refused operation's `complete`

        await client.subscribe(ALERT_TRIGGERED, walletId=str(own))
        await _attached(runtime, channel(own))
        await burn(runtime, other, "600")  # globex's alert is not acme's business
        await burn(runtime, own, "700")
        assert (await _alert(client))["walletId"] == str(own)
    finally:
        await client.close()


async def test_unknown_wallets_get_the_same_refusal(
    live_server: LiveServer, gql: GraphQLClient, admin_key: str
) -> None:
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        for unknown in ("999999", "not-an-id"):
            op_id = await client.subscribe(ALERT_TRIGGERED, walletId=unknown)
            assert await client.refusal(op_id) == f"wallet {unknown} is not visible to this caller"
            await client.receive()  # `complete`
    finally:
        await client.close()


async def test_an_ingest_key_cannot_subscribe(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await _wallet(gql, "acme")
    ingest = await mint_key(runtime, ["ingest"])
    client = await LiveClient.open(live_server.ws_url, f"Bearer {ingest}")
    try:
        await client.acknowledged()
        op_id = await client.subscribe(ALERT_TRIGGERED, walletId=str(wallet_id))
        refusal = await client.refusal(op_id)
        assert "an API key with the 'read' scope or a customer token" in refusal
    finally:
        await client.close()
