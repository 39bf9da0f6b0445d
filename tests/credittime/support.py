"""Credits over time: the rollover policy mutation, the scheduler's jobs, a wallet's history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.db.engine import Database
from app.outbox.service import live_messages
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import ERROR_FIELDS
from tests.webhooks.support import settle
from workers import alerts as alert_jobs
from workers import wallets as wallet_jobs
from workers.system import JobSystem

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


RUNWAY = """
query($id: ID!) { wallet(id: $id) {
  balance runway { dailyBurn windowDays days runsOutAt thresholdDays low description }
} }"""

SET_NOTICES = f"""
mutation($input: SetCreditNoticesInput!) {{ setCreditNotices(input: $input) {{
  __typename
  ... on CreditNoticesPayload {{
    expiryLeadDays wallet {{ runway {{ thresholdDays windowDays }} }}
  }}
  {ERROR_FIELDS}
}} }}"""


async def live_notices(database: Database, wallet_id: int) -> list[dict[str, Any]]:
    """The notice messages written to the outbox for the wallet's live channel."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT topic, payload FROM outbox WHERE kind = 'live' ORDER BY id")
        )
        return [
            message
            for topic, payload in rows
            for channel, message in live_messages(topic, payload)
            if channel == f"wallet:{wallet_id}"
            and message["type"] in ("credits.expiring", "wallet.runway_low")
        ]


async def sweep_notices(runtime: Runtime, jobs: JobSystem, database_url: str) -> None:
    """The scheduler's notice jobs as they run, then every job they wrote."""
    await alert_jobs.send_expiry_notices(runtime)
    await alert_jobs.check_runways(runtime)
    await settle(database_url, jobs, runtime.clock)  # type: ignore[arg-type]
