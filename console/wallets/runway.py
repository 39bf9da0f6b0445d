"""The runway line of the console's wallet view and the portal: "At this pace the credits run
out in about 3 days, on 10 Dec 2026" — the API's ``Wallet.runway`` (``app.alerts.runway``, the
computation the runway alert uses), so the two never disagree."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from console import format
from console.api import Api, operation

RUNWAY = operation("""
query Runway($id: ID!) {
  wallet(id: $id) { runway { days runsOutAt description low thresholdDays } }
}
""")


def sentence(runway: dict[str, Any], subject: str) -> str:
    """``subject``: "the credits" (console) or "you" (portal)."""
    if runway["days"] is None:
        return f"Runway: {runway['description']}."
    pace = runway["description"].removesuffix(" at the current pace")
    return f"At this pace {subject} run out in {pace}, on {format.day(runway['runsOutAt'])}."


async def show(api: Api, wallet_id: str, subject: str = "the credits") -> None:
    data = await api.execute(RUNWAY, {"id": wallet_id})
    runway = data["wallet"]["runway"]
    label = ui.label(sentence(runway, subject)).mark("runway")
    label.classes("text-negative" if runway["low"] else "text-grey-8")
