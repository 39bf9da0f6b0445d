from tests.conftest import GraphQLClient


async def test_create_customer_with_wallet(gql: GraphQLClient) -> None:
    data = await gql(
        """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
            ... on CustomerPayload { customer { externalId } wallet { balance currency } }
        } }""",
        input={"externalId": "acme", "name": "Acme", "currency": "usd", "wallet": {"rate": "0.01"}},
    )
    payload = data["createCustomer"]
    assert payload["customer"]["externalId"] == "acme"
    assert payload["wallet"] == {"balance": "0", "currency": "USD"}
