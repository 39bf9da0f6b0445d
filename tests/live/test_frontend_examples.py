"""The examples of docs/frontend.md, run as a reader would: the token mutation with an admin
key, the page's queries and purchase with the customer token (a retry with the same key buys
once), and the live subscription over a real websocket."""

from __future__ import annotations

from tests.conftest import GraphQLClient
from tests.docs.examples import graphql_documents, js_documents
from tests.live.client import LiveClient
from tests.live.conftest import LiveServer
from tests.payments.support import create_bundle, customer_with_method


async def customer_token(gql: GraphQLClient) -> str:
    token_mutation = next(d for d in graphql_documents() if "createCustomerToken" in d)
    data = await gql(token_mutation)
    token: str = data["createCustomerToken"]["token"]
    return token


async def test_the_fetch_examples_work_with_a_customer_token(gql: GraphQLClient) -> None:
    await customer_with_method(gql, "acme")
    await create_bundle(gql, "starter", "5000", "50.00")
    documents = js_documents()
    page = GraphQLClient(gql.http, await customer_token(gql))
    found = (await page(documents["BALANCE"], id="acme"))["customer"]
    assert found["wallet"]["currency"] == "USD"
    variables = {"wallet": found["wallet"]["id"], "purchase": "0b6f-confirmed-once"}
    first = (await page(documents["BUY"], **variables))["topUp"]
    assert first["__typename"] == "RechargePayload", first
    assert first["recharge"]["status"] == "PENDING"
    again = (await page(documents["BUY"], **variables))["topUp"]
    assert again["recharge"]["id"] == first["recharge"]["id"]  # a double click buys once


async def test_the_live_example_subscribes(live_server: LiveServer, gql: GraphQLClient) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {await customer_token(gql)}")
    await client.acknowledged()
    await client.subscribe(js_documents()["WALLET_UPDATED"], walletId=str(wallet_id))
    update = (await client.next_data())["walletUpdated"]
    assert set(update) == {"balance", "entry"}
    await client.close()
