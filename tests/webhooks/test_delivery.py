"""Deliveries to a real receiver that verifies signatures: fan-out by event type, retries with
backoff on the clock, the delivery log, manual replay, and an emitter's dedupe key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app import announcements, outbox
from app.clock import FrozenClock
from app.runtime import Runtime
from app.webhooks.service import RETRY_DELAYS
from tests.conftest import GraphQLClient
from tests.core.support import burn, count_rows, create_customer, grant
from tests.notifications.support import free_port
from tests.webhooks.support import Receiver, create_endpoint, settle
from workers.system import JobSystem

DELIVERIES = """
query($endpoint: ID, $status: WebhookDeliveryStatus) {
  webhookDeliveries(first: 50, endpointId: $endpoint, status: $status) {
    nodes { id endpointId status attempts responseCode lastError nextAttemptAt lastAttemptAt
            replayOf event { id type data createdAt } }
  }
}"""
REPLAY = """mutation($id: ID!) { replayWebhookDelivery(id: $id) {
  __typename
  ... on WebhookDeliveryPayload { delivery { id status replayOf event { id } } }
  ... on Error { code field message }
} }"""
INVOICE = {"id": 7, "number": "TLY-000007", "total": "47.50", "currency": "USD"}


async def deliveries(gql: GraphQLClient, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gql(DELIVERIES, **variables))["webhookDeliveries"]["nodes"]
    return nodes


async def emit(runtime: Runtime, type: str, data: dict[str, Any]) -> None:
    async with runtime.db.transaction() as session:
        await announcements.emit(session, type, data, runtime.clock.now())


async def test_an_event_goes_to_each_active_endpoint_that_wants_it(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["invoice.paid"])
    await create_endpoint(gql, receiver.url + "/created", ["invoice.created"])
    await create_endpoint(gql, receiver.url + "/off", ["invoice.paid"], active=False)

    await emit(runtime, "invoice.paid", INVOICE)
    await settle(database_url, jobs, clock)

    [request] = receiver.requests
    assert request.verified and request.path == "/hooks"
    body = request.event
    assert set(body) == {"id", "type", "created_at", "data"}
    assert (body["type"], body["data"], body["created_at"]) == (
        "invoice.paid",
        INVOICE,
        clock.now().isoformat(),
    )
    assert request.headers["tally-event-id"] == body["id"]
    assert request.headers["content-type"] == "application/json"
    [logged] = await deliveries(gql)
    assert (logged["status"], logged["attempts"], logged["responseCode"]) == ("SUCCEEDED", 1, 200)
    assert logged["event"]["id"] == body["id"]


async def test_a_failing_receiver_is_retried_with_backoff(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["invoice.payment_failed"])
    receiver.statuses = [500]
    await emit(runtime, "invoice.payment_failed", INVOICE)
    await settle(database_url, jobs, clock)

    [pending] = await deliveries(gql)
    assert (pending["status"], pending["attempts"], pending["responseCode"]) == ("PENDING", 1, 500)
    assert pending["lastError"] == "HTTP 500: receiver says no"
    assert pending["nextAttemptAt"] == (clock.now() + RETRY_DELAYS[0]).isoformat()
    clock.advance(RETRY_DELAYS[0] - timedelta(seconds=1))
    await settle(database_url, jobs, clock)
    assert len(receiver.requests) == 1  # not due yet

    clock.advance(timedelta(seconds=1))
    await settle(database_url, jobs, clock)
    [done] = await deliveries(gql)
    assert (done["status"], done["attempts"], done["responseCode"]) == ("SUCCEEDED", 2, 200)
    assert done["nextAttemptAt"] is None and done["lastAttemptAt"] == clock.now().isoformat()
    first, second = receiver.requests
    assert first.verified and second.verified
    assert first.event["id"] == second.event["id"]  # the same event, signed again
    assert first.headers["tally-signature"] != second.headers["tally-signature"]


async def test_after_the_last_attempt_the_delivery_fails(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["invoice.paid"])
    receiver.statuses = [503] * 20
    await emit(runtime, "invoice.paid", INVOICE)
    started = clock.now()
    await settle(database_url, jobs, clock)
    for delay in RETRY_DELAYS:
        clock.advance(delay)
        await settle(database_url, jobs, clock)
    [failed] = await deliveries(gql, status="FAILED")
    assert (failed["attempts"], failed["nextAttemptAt"]) == (8, None)
    assert len(receiver.requests) == 8
    assert timedelta(hours=20) < clock.now() - started < timedelta(hours=30)  # about a day


async def test_replay_sends_the_same_event_again(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["invoice.created"])
    receiver.statuses = [500]
    await emit(runtime, "invoice.created", INVOICE)
    await settle(database_url, jobs, clock)
    [pending] = await deliveries(gql)
    refused = (await gql(REPLAY, id=pending["id"]))["replayWebhookDelivery"]
    assert refused["code"] == "delivery_pending"

    clock.advance(RETRY_DELAYS[0])
    await settle(database_url, jobs, clock)
    replayed = (await gql(REPLAY, id=pending["id"]))["replayWebhookDelivery"]
    assert replayed["__typename"] == "WebhookDeliveryPayload"
    assert replayed["delivery"]["replayOf"] == pending["id"]
    assert replayed["delivery"]["status"] == "PENDING"
    await settle(database_url, jobs, clock)

    assert len(receiver.verified()) == 3
    assert len({r.event["id"] for r in receiver.requests}) == 1
    newest, original = await deliveries(gql)
    assert (newest["status"], newest["attempts"], newest["replayOf"]) == (
        "SUCCEEDED",
        1,
        original["id"],
    )
    assert (original["status"], original["attempts"]) == ("SUCCEEDED", 2)
    missing = (await gql(REPLAY, id="999"))["replayWebhookDelivery"]
    assert (missing["code"], missing["field"]) == ("not_found", "id")


async def test_a_receiver_with_another_secret_rejects_the_request(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    await create_endpoint(gql, receiver.url, ["invoice.paid"])
    receiver.secret = "whsec_not_the_endpoint_secret"
    await emit(runtime, "invoice.paid", INVOICE)
    await settle(database_url, jobs, clock)
    [request] = receiver.requests
    assert not request.verified and "no signature matches" in (request.problem or "")
    [logged] = await deliveries(gql)
    assert (logged["status"], logged["responseCode"]) == ("PENDING", 400)


async def test_an_unreachable_endpoint_is_retried_with_the_reason(
    gql: GraphQLClient, runtime: Runtime, jobs: JobSystem, database_url: str, clock: FrozenClock
) -> None:
    await create_endpoint(gql, f"http://127.0.0.1:{free_port()}/gone", ["invoice.paid"])
    await emit(runtime, "invoice.paid", INVOICE)
    await settle(database_url, jobs, clock)
    [logged] = await deliveries(gql)
    assert (logged["status"], logged["responseCode"]) == ("PENDING", None)
    assert logged["lastError"].startswith("ConnectError")


async def test_disabling_or_deleting_an_endpoint_stops_its_deliveries(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    receiver.secret = "whsec_shared_by_both_endpoints"
    for path in ("/a", "/b"):
        await create_endpoint(gql, receiver.url + path, ["invoice.paid"], secret=receiver.secret)
    await emit(runtime, "invoice.paid", INVOICE)
    await settle(database_url, jobs, clock)
    assert len(receiver.verified()) == 2
    receiver.statuses = [500, 500]
    await emit(runtime, "invoice.paid", {**INVOICE, "id": 8})
    await settle(database_url, jobs, clock)
    first, second = await deliveries(gql, status="PENDING")

    await gql(
        "mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, active: false}) "
        "{ __typename } }",
        id=first["endpointId"],
    )
    await gql(
        "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }",
        id=second["endpointId"],
    )
    clock.advance(RETRY_DELAYS[0])
    await settle(database_url, jobs, clock)
    [stopped] = await deliveries(gql, status="FAILED")
    assert stopped["lastError"] == "the endpoint was disabled before the delivery"
    assert await count_rows(runtime.db, "webhook_deliveries WHERE status = 'pending'") == 0
    assert len(receiver.requests) == 4


async def test_an_emitter_key_announces_an_event_once(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["subscription.suspended"])
    payload = {"type": "subscription.suspended", "data": {"subscription_id": 3}, "key": "susp:3"}
    for _ in range(2):
        async with runtime.db.transaction() as session:
            await outbox.enqueue(session, "webhooks.emit", payload, clock.now())
    await settle(database_url, jobs, clock)
    assert len(receiver.verified("subscription.suspended")) == 1
    assert await count_rows(runtime.db, "webhook_events") == 1


async def test_balance_changes_are_announced_only_to_listeners(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    wallet_id = await create_customer(gql, "acme", name="Acme")
    await grant(gql, wallet_id, "100", "before anyone listens")
    await settle(database_url, jobs, clock)
    assert await count_rows(runtime.db, "webhook_events") == 0

    receiver.secret = await create_endpoint(gql, receiver.url, ["wallet.updated"])
    await burn(runtime, wallet_id, "40")
    await settle(database_url, jobs, clock)
    [updated] = [r.event for r in receiver.verified("wallet.updated")]
    assert updated["data"]["wallet_id"] == wallet_id
    assert (updated["data"]["balance"], updated["data"]["reference_balance"]) == ("60", "100")
    assert updated["data"]["customer_external_id"] == "acme"


async def test_a_named_host_is_resolved_once_and_called_by_its_name(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    """The request goes to the address Tally resolved and checked (here private addresses are
    allowed), with the URL's own host in ``Host``."""
    url = f"http://localhost:{receiver.port}/hooks"
    receiver.secret = await create_endpoint(gql, url, ["invoice.paid"])
    await emit(runtime, "invoice.paid", INVOICE)
    await settle(database_url, jobs, clock)
    [request] = receiver.verified("invoice.paid")
    assert request.headers["host"] == f"localhost:{receiver.port}"
