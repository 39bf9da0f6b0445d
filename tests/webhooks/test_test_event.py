"""sendTestWebhook: one signed webhook.test event to one endpoint, whatever events it listens
to — a delivery like any other, in the log and the audit; a disabled endpoint is refused."""

from __future__ import annotations

from app.clock import FrozenClock
from tests.conftest import GraphQLClient
from tests.webhooks.support import Receiver, create_endpoint, settle
from tests.webhooks.test_delivery import deliveries
from workers.system import JobSystem

SEND = """mutation($id: ID!) { sendTestWebhook(id: $id) {
  __typename
  ... on WebhookDeliveryPayload { delivery { id status endpointId event { type } } }
  ... on Error { code field message }
} }"""
ENDPOINTS = "{ webhookEndpoints { id } }"
DISABLE = """mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, active: false}) {
  __typename } }"""


async def test_a_test_event_reaches_one_endpoint(
    gql: GraphQLClient, receiver: Receiver, jobs: JobSystem, database_url: str, clock: FrozenClock
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["invoice.paid"])
    await create_endpoint(gql, receiver.url + "?other", ["invoice.paid"])
    first = (await gql(ENDPOINTS))["webhookEndpoints"][0]["id"]
    sent = (await gql(SEND, id=first))["sendTestWebhook"]
    assert sent["__typename"] == "WebhookDeliveryPayload", sent
    assert (sent["delivery"]["endpointId"], sent["delivery"]["event"]["type"]) == (
        first,
        "webhook.test",
    )
    await settle(database_url, jobs, clock)
    [request] = receiver.verified()  # one endpoint, signed with its secret
    assert request.event["type"] == "webhook.test"
    [delivery] = await deliveries(gql)
    assert delivery["status"] == "SUCCEEDED"
    audit = await gql('{ auditLog(first: 5, actions: ["sendTestWebhook"]) { nodes { summary } } }')
    [line] = audit["auditLog"]["nodes"]
    assert line["summary"].endswith(f"sent a test event to the webhook endpoint {receiver.url}")

    await gql(DISABLE, id=first)
    refused = (await gql(SEND, id=first))["sendTestWebhook"]
    assert (refused["code"], refused["field"]) == ("endpoint_disabled", "id")
    missing = (await gql(SEND, id="999"))["sendTestWebhook"]
    assert missing["code"] == "not_found"
    assert len(await deliveries(gql)) == 1  # nothing was written by the refusals
