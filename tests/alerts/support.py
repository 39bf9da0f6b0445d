"""Helpers for the spend-alert suites: the GraphQL snippets and the live messages on record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.db.engine import Database
from app.outbox.service import live_messages
from tests.conftest import GraphQLClient

ERROR_FIELDS = "... on Error { __typename code field message }"
THRESHOLD_FIELDS = "kind value label level armed isDefault"

ALERT_THRESHOLDS = f"""
query($wallet: ID!) {{ alertThresholds(walletId: $wallet) {{
  __typename
  ... on WalletAlertThresholds {{
    walletId balance referenceBalance usesDefaults thresholds {{ {THRESHOLD_FIELDS} }}
  }}
  {ERROR_FIELDS}
}} }}"""

ALERT_FIRINGS = """
query($wallet: ID, $first: Int!, $after: String) {
  alertFirings(walletId: $wallet, first: $first, after: $after) {
    nodes { id kind value label level balance referenceBalance firedAt notifiedAt
            wallet { id } }
    pageInfo { hasNextPage endCursor }
  }
}"""

_PAYLOAD = f"""
  __typename
  ... on WalletAlertThresholds {{ usesDefaults thresholds {{ {THRESHOLD_FIELDS} }} }}
  {ERROR_FIELDS}"""

SET = f"""mutation($input: SetAlertThresholdsInput!) {{
  setAlertThresholds(input: $input) {{ {_PAYLOAD} }} }}"""
ADD = f"""mutation($input: AlertThresholdChangeInput!) {{
  addAlertThreshold(input: $input) {{ {_PAYLOAD} }} }}"""
REMOVE = f"""mutation($input: AlertThresholdChangeInput!) {{
  removeAlertThreshold(input: $input) {{ {_PAYLOAD} }} }}"""
RESET = f"""mutation($wallet: ID!) {{ resetAlertThresholds(walletId: $wallet) {{ {_PAYLOAD} }} }}"""


async def thresholds(gql: GraphQLClient, wallet_id: int) -> dict[str, Any]:
    data = await gql(ALERT_THRESHOLDS, wallet=str(wallet_id))
    result: dict[str, Any] = data["alertThresholds"]
    assert result["__typename"] == "WalletAlertThresholds", result
    return result


def levels(result: dict[str, Any]) -> list[tuple[str, str | None, bool]]:
    """(label, level, armed) of each threshold, in the order the API gives them."""
    return [(t["label"], t["level"], t["armed"]) for t in result["thresholds"]]


async def live_alerts(database: Database, wallet_id: int) -> list[dict[str, Any]]:
    """The alert.triggered live messages written to the outbox for the wallet's channel."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT topic, payload FROM outbox WHERE kind = 'live' ORDER BY id")
        )
        found = []
        for topic, payload in rows:
            for channel, message in live_messages(topic, payload):
                if channel == f"wallet:{wallet_id}" and message["type"] == "alert.triggered":
                    found.append(message)
        return found
