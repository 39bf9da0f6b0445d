"""What a customer token may do about paying: put its own cards on file and choose the
default, and turn the wallet's auto-recharge on and off — only where the operator allowed it,
enforced by the server (a typed ``not_allowed`` error otherwise, nothing written)."""

from __future__ import annotations

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import ERROR_FIELDS, burn, grant
from tests.payments.support import (
    RULE,
    customer_with_method,
    rows,
    set_rule,
)

TOKEN = """mutation($id: String!) { createCustomerToken(customerExternalId: $id) {
  ... on CustomerToken { token } } }"""
SWITCH = f"""
mutation($w: ID!, $on: Boolean!) {{ switchAutoRecharge(input: {{walletId: $w, enabled: $on}}) {{
  __typename ... on AutoRechargeRulePayload {{ rule {{ enabled disabledReason }} }}
  {ERROR_FIELDS} }} }}"""
OPTIONS = f"""
mutation($input: SetTopUpOptionsInput!) {{ setTopUpOptions(input: $input) {{
  __typename ... on TopUpOptionsPayload {{
    options {{ grantBeforePayment customerSwitchesAutoRecharge }} }}
  {ERROR_FIELDS} }} }}"""
ADD = f"""
mutation($id: String!, $ref: String!) {{ addPaymentMethod(input: {{customerExternalId: $id,
  reference: $ref, label: "Visa •••• 0002"}}) {{
  __typename ... on PaymentMethodPayload {{ paymentMethod {{ id label isDefault }} }}
  {ERROR_FIELDS} }} }}"""
DEFAULT = f"""
mutation($id: String!, $m: ID!) {{ setDefaultPaymentMethod(input: {{customerExternalId: $id,
  paymentMethodId: $m}}) {{
  __typename ... on PaymentMethodPayload {{ paymentMethod {{ id isDefault }} }}
  {ERROR_FIELDS} }} }}"""


async def as_customer(gql: GraphQLClient, external_id: str) -> GraphQLClient:
    data = await gql(TOKEN, id=external_id)
    return GraphQLClient(gql.http, data["createCustomerToken"]["token"])


async def rule_of(gql: GraphQLClient, wallet_id: int) -> dict[str, object]:
    found: dict[str, object] = (await gql(RULE, wallet=str(wallet_id)))["autoRechargeRule"]
    return found


async def test_a_customer_switches_auto_recharge_only_where_allowed(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    answer = await set_rule(
        gql, wallet_id, trigger="THRESHOLD", method="FIXED", threshold="100", credits="5000"
    )
    assert answer["__typename"] == "AutoRechargeRulePayload"
    customer = await as_customer(gql, "acme")

    refused = (await customer(SWITCH, w=str(wallet_id), on=False))["switchAutoRecharge"]
    assert refused["__typename"] == "ConflictError"
    assert (refused["code"], refused["field"]) == ("not_allowed", "walletId")
    assert "account manager" in refused["message"]
    assert (await rule_of(gql, wallet_id))["enabled"] is True  # nothing written

    allowed = await gql(
        OPTIONS, input={"walletId": str(wallet_id), "customerSwitchesAutoRecharge": True}
    )
    assert allowed["setTopUpOptions"]["options"] == {
        "grantBeforePayment": False,  # left out: unchanged
        "customerSwitchesAutoRecharge": True,
    }
    off = (await customer(SWITCH, w=str(wallet_id), on=False))["switchAutoRecharge"]
    assert off["rule"] == {"enabled": False, "disabledReason": "turned off by the customer"}
    on = (await customer(SWITCH, w=str(wallet_id), on=True))["switchAutoRecharge"]
    assert on["rule"] == {"enabled": True, "disabledReason": None}
    audit = await rows(
        runtime.db,
        "SELECT actor_kind FROM audit_log WHERE action = 'switchAutoRecharge' ORDER BY id",
    )
    assert [a[0] for a in audit] == ["customer", "customer"]


async def test_turned_on_it_recharges_at_once_when_the_balance_calls_for_it(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "500", "start")
    await set_rule(
        gql, wallet_id, trigger="THRESHOLD", method="FIXED", threshold="100", credits="5000"
    )
    off = (await gql(SWITCH, w=str(wallet_id), on=False))["switchAutoRecharge"]
    assert off["rule"] == {"enabled": False, "disabledReason": "turned off"}  # an operator
    await burn(runtime, wallet_id, "450")  # 50: below the trigger, but the rule is off
    assert await rows(runtime.db, "SELECT id FROM recharges") == []
    await gql(SWITCH, w=str(wallet_id), on=True)
    started = await rows(runtime.db, "SELECT trigger, status FROM recharges")
    assert [tuple(r) for r in started] == [("threshold", "pending")]


async def test_a_customer_cannot_switch_another_customers_wallet(gql: GraphQLClient) -> None:
    await customer_with_method(gql, "acme")
    globex = await customer_with_method(gql, "globex")
    await gql(OPTIONS, input={"walletId": str(globex), "customerSwitchesAutoRecharge": True})
    customer = await as_customer(gql, "acme")
    body = await customer.raw(SWITCH, w=str(globex), on=False)
    assert "not visible" in body["errors"][0]["message"]


async def test_a_wallet_without_a_rule_has_nothing_to_switch(gql: GraphQLClient) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    answer = (await gql(SWITCH, w=str(wallet_id), on=True))["switchAutoRecharge"]
    assert (answer["__typename"], answer["field"]) == ("NotFoundError", "walletId")


async def test_a_customer_puts_its_own_cards_on_file(gql: GraphQLClient) -> None:
    await customer_with_method(gql, "acme")
    await customer_with_method(gql, "globex")
    customer = await as_customer(gql, "acme")
    added = (await customer(ADD, id="acme", ref="pm_sandbox_decline"))["addPaymentMethod"]
    assert added["paymentMethod"]["label"] == "Visa •••• 0002"
    assert added["paymentMethod"]["isDefault"] is False  # the first card stays the default
    chosen = await customer(DEFAULT, id="acme", m=added["paymentMethod"]["id"])
    assert chosen["setDefaultPaymentMethod"]["paymentMethod"]["isDefault"] is True
    unknown = (await customer(ADD, id="acme", ref="4242424242424242"))["addPaymentMethod"]
    assert (unknown["__typename"], unknown["field"]) == ("ValidationError", "reference")
    theirs = await customer.raw(ADD, id="globex", ref="pm_sandbox_ok")
    assert "not visible" in theirs["errors"][0]["message"]
    their_default = await customer.raw(DEFAULT, id="globex", m=added["paymentMethod"]["id"])
    assert "not visible" in their_default["errors"][0]["message"]


async def test_a_customer_token_is_told_what_it_is(gql: GraphQLClient) -> None:
    await customer_with_method(gql, "acme")
    customer = await as_customer(gql, "acme")
    body = await customer.raw(
        'mutation { createApiKey(name: "x", scopes: ["admin"]) { __typename } }'
    )
    assert body["errors"][0]["message"] == (
        "this customer link/session cannot do this: it needs an API key with the 'admin' scope"
    )
