"""Managing endpoints through the API: the secret is shown once, bad input is a typed error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.webhooks.support import CREATE_ENDPOINT

ERRORS = "... on Error { __typename code field message }"
UPDATE = f"""mutation($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{
    __typename ... on WebhookEndpointPayload {{ endpoint {{ id url eventTypes active }} }} {ERRORS}
  }} }}"""
DELETE = f"""mutation($id: ID!) {{ deleteWebhookEndpoint(id: $id) {{
  __typename ... on DeleteWebhookEndpointPayload {{ deletedId }} {ERRORS} }} }}"""
LIST = "{ webhookEndpoints { id url eventTypes active description secretHint } }"


async def create(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(CREATE_ENDPOINT, input=input))["createWebhookEndpoint"]
    return result


async def test_create_list_update_delete(gql: GraphQLClient) -> None:
    created = await create(
        gql, url="https://hooks.acme.test/tally", eventTypes=["invoice.paid", "alert.triggered"]
    )
    assert created["__typename"] == "CreateWebhookEndpointPayload"
    secret, endpoint = created["secret"], created["endpoint"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert endpoint["eventTypes"] == ["invoice.paid", "alert.triggered"]
    assert endpoint["secretHint"] == "…" + secret[-4:]

    given = await create(
        gql,
        url="http://localhost:9000/in",
        eventTypes=["wallet.depleted", "wallet.depleted"],
        secret="my-own-secret-of-32-characters!!",
        active=False,
    )
    assert given["secret"] == "my-own-secret-of-32-characters!!"
    assert given["endpoint"]["eventTypes"] == ["wallet.depleted"]

    listed = (await gql(LIST))["webhookEndpoints"]
    assert [e["url"] for e in listed] == [
        "https://hooks.acme.test/tally",
        "http://localhost:9000/in",
    ]
    assert all(secret not in str(e) for e in listed)  # never shown again

    updated = (
        await gql(
            UPDATE, input={"id": endpoint["id"], "eventTypes": ["invoice.created"], "active": False}
        )
    )["updateWebhookEndpoint"]
    assert updated["endpoint"]["eventTypes"] == ["invoice.created"]
    assert updated["endpoint"]["active"] is False

    deleted = (await gql(DELETE, id=endpoint["id"]))["deleteWebhookEndpoint"]
    assert deleted == {"__typename": "DeleteWebhookEndpointPayload", "deletedId": endpoint["id"]}
    assert len((await gql(LIST))["webhookEndpoints"]) == 1
    again = (await gql(DELETE, id=endpoint["id"]))["deleteWebhookEndpoint"]
    assert (again["__typename"], again["field"]) == ("NotFoundError", "id")


@pytest.mark.parametrize(
    ("input", "code", "field"),
    [
        ({"url": "ftp://files.acme.test/x"}, "invalid_url", "url"),
        ({"url": "javascript:alert(1)"}, "invalid_url", "url"),
        ({"url": "https://"}, "invalid_url", "url"),
        ({"url": "http://acme.test:99999/"}, "invalid_url", "url"),
        ({"url": "  "}, "required", "url"),
        ({"eventTypes": ["invoice.paid", "invoice.exploded"]}, "unknown_event_type", "eventTypes"),
        ({"eventTypes": []}, "required", "eventTypes"),
        ({"secret": "short"}, "invalid", "secret"),
        ({"secret": "has spaces in it, sixteen+"}, "invalid", "secret"),
    ],
)
async def test_bad_input_is_a_typed_error(
    gql: GraphQLClient, input: dict[str, Any], code: str, field: str
) -> None:
    request = {"url": "https://hooks.acme.test/", "eventTypes": ["invoice.paid"], **input}
    result = await create(gql, **request)
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        code,
        field,
    )
    assert (await gql(LIST))["webhookEndpoints"] == []


async def test_updates_are_checked_too(gql: GraphQLClient) -> None:
    created = await create(gql, url="https://hooks.acme.test/", eventTypes=["invoice.paid"])
    endpoint_id = created["endpoint"]["id"]
    bad_url = await gql(UPDATE, input={"id": endpoint_id, "url": "mailto:x@y.z"})
    assert bad_url["updateWebhookEndpoint"]["code"] == "invalid_url"
    bad_type = await gql(UPDATE, input={"id": endpoint_id, "eventTypes": ["nope"]})
    assert bad_type["updateWebhookEndpoint"]["field"] == "eventTypes"
    missing = await gql(UPDATE, input={"id": "12345", "active": False})
    assert missing["updateWebhookEndpoint"]["__typename"] == "NotFoundError"
    types = (await gql("{ webhookEventTypes }"))["webhookEventTypes"]
    assert {"subscription.suspended", "subscription.terminated"} <= set(types)
    assert {"credits.expiring", "wallet.runway_low"} <= set(types)
    assert "subscription.plan_switched" in types
    assert len(types) == 13
