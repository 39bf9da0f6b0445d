"""Helpers shared by the invoices, payments and recharge suites: GraphQL snippets, the job
loop, and SQL reads of what was written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text

from app.clock import FrozenClock
from app.db.engine import Database
from tests.conftest import GraphQLClient, relay_all
from tests.core.support import ERROR_FIELDS, create_customer
from workers.system import JobSystem

INVOICE_FIELDS = """
  id number type status paymentStatus currency total { amount currency } dueAt paidAt
  voidReason lines { description quantity unitPrice discountPercent amount { amount } }
  payments { id status provider providerReference failureReason attempts amount { amount } }
"""

RECHARGE_FIELDS = f"""
  id trigger status credits bonusCredits discountPercent failureReason grantedAt
  invoice {{ {INVOICE_FIELDS} }}
"""

TOP_UP = f"""
mutation($input: TopUpInput!) {{ topUp(input: $input) {{
  __typename
  ... on RechargePayload {{ recharge {{ {RECHARGE_FIELDS} }} }}
  {ERROR_FIELDS}
}} }}"""

ADD_METHOD = f"""
mutation($input: AddPaymentMethodInput!) {{ addPaymentMethod(input: $input) {{
  __typename
  ... on PaymentMethodPayload {{ paymentMethod {{ id provider reference isDefault }} }}
  {ERROR_FIELDS}
}} }}"""

RECHARGE = f"""query($id: ID!) {{ recharge(id: $id) {{ {RECHARGE_FIELDS} }} }}"""

INVOICE = f"""query($id: ID!) {{ invoice(id: $id) {{ {INVOICE_FIELDS} }} }}"""

WALLET = """query($id: ID!) { wallet(id: $id) { balance debt } }"""

SET_RULE = f"""
mutation($input: SetAutoRechargeInput!) {{ setAutoRecharge(input: $input) {{
  __typename
  ... on AutoRechargeRulePayload {{ rule {{
    id trigger method credits threshold interval discountPercent cooldownSeconds enabled
    consecutiveFailures disabledReason nextRunAt monthlyMaxRecharges monthlyMaxAmount {{ amount }}
  }} }}
  {ERROR_FIELDS}
}} }}"""

RULE = """query($wallet: ID!) { autoRechargeRule(walletId: $wallet) {
  enabled consecutiveFailures disabledReason lastTriggeredAt
} }"""


async def settle_all(database_url: str, jobs: JobSystem, clock: FrozenClock) -> int:
    """Relay the outbox and run the jobs until no job writes another due row."""
    total = 0
    for _ in range(20):
        sent = await relay_all(database_url, jobs, clock)
        if sent == 0:
            return total
        total += sent
    raise AssertionError("the outbox never went quiet")


async def customer_with_method(
    gql: GraphQLClient,
    external_id: str,
    reference: str | None = "pm_sandbox_ok",
    *,
    policy: str = "ALLOW",
) -> int:
    """A customer with a USD wallet (rate 0.01) and a default payment method; the wallet id."""
    wallet_id = await create_customer(
        gql, external_id, email=f"billing@{external_id}.test", policy=policy
    )
    if reference is not None:
        added = await add_method(gql, external_id, reference)
        assert added["__typename"] == "PaymentMethodPayload", added
    return wallet_id


async def add_method(gql: GraphQLClient, customer: str, reference: str, **extra: Any) -> Any:
    data = await gql(
        ADD_METHOD, input={"customerExternalId": customer, "reference": reference, **extra}
    )
    return data["addPaymentMethod"]


async def top_up(gql: GraphQLClient, wallet_id: int, key: str, **extra: Any) -> Any:
    data = await gql(TOP_UP, input={"walletId": str(wallet_id), "idempotencyKey": key, **extra})
    return data["topUp"]


async def recharge(gql: GraphQLClient, recharge_id: str) -> Any:
    return (await gql(RECHARGE, id=recharge_id))["recharge"]


async def balance(gql: GraphQLClient, wallet_id: int) -> Decimal:
    return Decimal((await gql(WALLET, id=str(wallet_id)))["wallet"]["balance"])


async def set_rule(gql: GraphQLClient, wallet_id: int, **rule: Any) -> Any:
    data = await gql(SET_RULE, input={"walletId": str(wallet_id), **rule})
    return data["setAutoRecharge"]


async def create_bundle(
    gql: GraphQLClient, code: str, credits: str, price: str, bonus: str = "0"
) -> None:
    data = await gql(
        """mutation($input: CreateBundleInput!) { createBundle(input: $input) { __typename } }""",
        input={
            "code": code,
            "name": code.replace("-", " ").title(),
            "credits": credits,
            "price": price,
            "currency": "USD",
            "bonusCredits": bonus,
        },
    )
    assert data["createBundle"]["__typename"] == "BundlePayload", data


async def rows(database: Database, sql: str, **params: Any) -> list[Any]:
    async with database.engine.connect() as connection:
        return list((await connection.execute(text(sql), params)).all())


async def jobs_for(database: Database, actor: str) -> list[dict[str, Any]]:
    """Payloads of the outbox jobs written for ``actor``, oldest first."""
    found = await rows(database, "SELECT payload FROM outbox WHERE topic = :t ORDER BY id", t=actor)
    return [row[0] for row in found]
