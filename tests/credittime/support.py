"""Credits over time: the rollover policy mutation, the scheduler's jobs, a wallet's history."""

from __future__ import annotations

from typing import Any

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import ERROR_FIELDS
from workers import wallets as wallet_jobs

SET_POLICY = f"""
mutation($input: SetRolloverPolicyInput!) {{ setRolloverPolicy(input: $input) {{
  __typename
  ... on WalletPayload {{
    wallet {{ id rolloverPolicy rolloverMonths rolloverCap periodMonths nextBoundary }}
  }}
  {ERROR_FIELDS}
}} }}"""

HISTORY = """
query($id: ID!) { wallet(id: $id) {
  balance
  ledgerEntries(first: 100) {
    nodes { kind credits balanceAfter description createdAt grant { id } }
  }
  grants(first: 100) {
    nodes { id kind source amount remaining expiresAt cost { amount } rolledFrom
            rolloverPolicy }
  }
} }"""


async def set_policy(gql: GraphQLClient, wallet_id: int, **input: Any) -> Any:
    data = await gql(SET_POLICY, input={"walletId": str(wallet_id), **input})
    return data["setRolloverPolicy"]


async def roll_over(runtime: Runtime) -> None:
    """The scheduler's rollover job, as it runs."""
    await wallet_jobs.roll_over(runtime)


async def history(gql: GraphQLClient, wallet_id: int) -> dict[str, Any]:
    """Entries oldest first, grants oldest first."""
    wallet: dict[str, Any] = (await gql(HISTORY, id=str(wallet_id)))["wallet"]
    wallet["entries"] = list(reversed(wallet.pop("ledgerEntries")["nodes"]))
    wallet["grants"] = wallet["grants"]["nodes"]
    return wallet
