"""Helpers shared by the core test suites: GraphQL snippets, direct service calls, SQL checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.engine import Database
from app.runtime import Runtime
from app.wallets import service
from app.wallets.ledger import Cause, Debit
from app.wallets.models import CauseType
from tests.conftest import GraphQLClient

ERROR_FIELDS = "... on Error { __typename code field message }"

CREATE_CUSTOMER = f"""
mutation($input: CreateCustomerInput!) {{ createCustomer(input: $input) {{
  __typename
  ... on CustomerPayload {{ customer {{ id externalId name }} wallet {{ id balance currency }} }}
  {ERROR_FIELDS}
}} }}"""

GRANT = f"""
mutation($input: GrantCreditsInput!) {{ grantCredits(input: $input) {{
  __typename
  ... on LedgerEntryPayload {{
    entry {{ id kind credits balanceAfter grant {{ id remaining }} }}
    wallet {{ balance debt }}
  }}
  {ERROR_FIELDS}
}} }}"""

VOID = f"""
mutation($input: VoidCreditsInput!) {{ voidCredits(input: $input) {{
  __typename
  ... on LedgerEntryPayload {{
    entry {{ id kind credits balanceAfter allocations {{ credits grant {{ id }} }} }}
    wallet {{ balance debt }}
  }}
  {ERROR_FIELDS}
}} }}"""

ENTITLEMENT = f"""
query($customer: String!, $credits: Credits!) {{
  entitlement(customerExternalId: $customer, credits: $credits) {{
    __typename
    ... on Entitlement {{ allowed reason balance }}
    {ERROR_FIELDS}
  }}
}}"""


async def create_customer(
    gql: GraphQLClient,
    external_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    policy: str = "ALLOW",
    overdraft_limit: str | None = None,
) -> int:
    """Create a customer with a USD wallet (rate 0.01); return the wallet id."""
    wallet: dict[str, Any] = {"rate": "0.01", "policy": policy}
    if overdraft_limit is not None:
        wallet["overdraftLimit"] = overdraft_limit
    data = await gql(
        CREATE_CUSTOMER,
        input={
            "externalId": external_id,
            "name": name or external_id.title(),
            "currency": "USD",
            "billingEmail": email,
            "wallet": wallet,
        },
    )
    payload = data["createCustomer"]
    assert payload["__typename"] == "CustomerPayload", payload
    return int(payload["wallet"]["id"])


async def grant(
    gql: GraphQLClient, wallet_id: int | str, amount: str, key: str, **extra: Any
) -> Any:
    """grantCredits; returns the union result (payload or typed error)."""
    data = await gql(
        GRANT,
        input={"walletId": str(wallet_id), "amount": amount, "idempotencyKey": key, **extra},
    )
    return data["grantCredits"]


async def void(
    gql: GraphQLClient, wallet_id: int | str, amount: str, key: str, **extra: Any
) -> Any:
    data = await gql(
        VOID,
        input={
            "walletId": str(wallet_id),
            "amount": amount,
            "idempotencyKey": key,
            "reason": extra.pop("reason", "test"),
            **extra,
        },
    )
    return data["voidCredits"]


async def burn(runtime: Runtime, wallet_id: int, credits: str, note: str = "usage") -> Debit:
    """A consumption as metering will record it: one transaction through the service."""
    async with runtime.db.transaction() as session:
        return await service.burn(
            session,
            wallet_id,
            Decimal(credits),
            description=f"−{credits} credits · {note}",
            cause=Cause(CauseType.EVENT_BATCH, note),
            now=runtime.clock.now(),
        )


@dataclass(frozen=True)
class Books:
    """A wallet's figures read straight from the tables."""

    balance: Decimal
    debt: Decimal
    ledger_sum: Decimal
    ledger_count: int
    remaining_sum: Decimal
    min_remaining: Decimal
    last_balance_after: Decimal | None


async def books(connection: AsyncConnection, wallet_id: int) -> Books:
    row = (
        await connection.execute(
            text(
                "SELECT w.balance, w.debt, "
                "(SELECT coalesce(sum(credits), 0) FROM ledger_entries WHERE wallet_id = w.id)"
                " AS ledger_sum, "
                "(SELECT count(*) FROM ledger_entries WHERE wallet_id = w.id) AS ledger_count, "
                "(SELECT coalesce(sum(remaining), 0) FROM grants WHERE wallet_id = w.id)"
                " AS remaining_sum, "
                "(SELECT coalesce(min(remaining), 0) FROM grants WHERE wallet_id = w.id)"
                " AS min_remaining, "
                "(SELECT balance_after FROM ledger_entries WHERE wallet_id = w.id"
                " ORDER BY id DESC LIMIT 1) AS last_balance_after "
                "FROM wallets w WHERE w.id = :w"
            ),
            {"w": wallet_id},
        )
    ).one()
    return Books(*row)


def assert_invariant(figures: Books) -> None:
    """balance == sum(ledger) == sum(remaining grants) - debt, nothing negative, no floats."""
    for value in (
        figures.balance,
        figures.debt,
        figures.ledger_sum,
        figures.remaining_sum,
        figures.min_remaining,
    ):
        assert isinstance(value, Decimal), f"{value!r} is not a Decimal"
    assert figures.balance == figures.ledger_sum, figures
    assert figures.balance == figures.remaining_sum - figures.debt, figures
    assert figures.debt >= 0, figures
    assert figures.min_remaining >= 0, figures
    if figures.last_balance_after is not None:
        assert figures.last_balance_after == figures.balance, figures


async def check_wallet(database: Database, wallet_id: int) -> Books:
    async with database.engine.connect() as connection:
        figures = await books(connection, wallet_id)
    assert_invariant(figures)
    return figures


async def count_rows(database: Database, table: str) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
