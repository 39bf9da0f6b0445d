"""Webhooks: the endpoints Tally calls, and recent deliveries with their outcome."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format
from console.api import Caller, Console, Refused
from console.layout import error_banner, frame
from console.tables import columns, paged_table

ENDPOINTS = "query { webhookEndpoints { id url eventTypes description active } }"
DELIVERIES = """
query Deliveries($after: String) {
  webhookDeliveries(first: 50, after: $after) {
    nodes { id status attempts responseCode lastError createdAt event { type } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
STATUS_WORDS = {"PENDING": "trying", "SUCCEEDED": "delivered", "FAILED": "gave up"}


def endpoint_row(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": endpoint["id"],
        "url": endpoint["url"],
        "events": ", ".join(endpoint["eventTypes"]) or "all",
        "state": "on" if endpoint["active"] else "paused",
    }


def delivery_row(delivery: dict[str, Any]) -> dict[str, Any]:
    state = STATUS_WORDS.get(delivery["status"], delivery["status"].lower())
    if delivery["responseCode"]:
        state += f" (answer {delivery['responseCode']})"
    elif delivery["lastError"]:
        state += f" ({delivery['lastError']})"
    return {
        "id": delivery["id"],
        "when": format.when(delivery["createdAt"]),
        "event": delivery["event"]["type"],
        "state": state,
        "attempts": delivery["attempts"],
    }


def register(console: Console) -> None:
    @ui.page("/console/webhooks", title="Webhooks · Tally")
    async def webhooks_page() -> Response | None:
        caller = await auth.require(console, "/console/webhooks")
        if not isinstance(caller, Caller):
            return caller
        with frame("Webhooks", caller, "/console/webhooks"):
            try:
                endpoints = (await console.execute(caller, ENDPOINTS))["webhookEndpoints"]
            except Refused as error:
                error_banner(error.message)
                return None
            ui.table(
                columns=columns(("url", "Address"), ("events", "Events"), ("state", "State")),
                rows=[endpoint_row(e) for e in endpoints],
                row_key="id",
            ).props("flat bordered").classes("w-full").mark("webhook-endpoints")
            if not endpoints:
                ui.label("No endpoints yet: developers add them through the API.").classes(
                    "text-grey-8"
                )
            if console.has_query("webhookDeliveries"):
                ui.label("Deliveries (newest first)").classes("text-subtitle1")
                await paged_table(
                    console,
                    caller,
                    DELIVERIES,
                    "webhookDeliveries",
                    columns(
                        ("when", "When"),
                        ("event", "Event"),
                        ("state", "Outcome"),
                        ("attempts", "Attempts"),
                    ),
                    delivery_row,
                    "webhook-deliveries",
                    "No deliveries yet.",
                )
        return None
