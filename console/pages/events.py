"""Events: the usage events stored, newest first (one customer's, one metric's), and the events
batches refused, with why."""

from __future__ import annotations

from typing import Any

import orjson
from nicegui import ui
from starlette.responses import Response

from console import auth, format, forms
from console.api import Caller, Console
from console.layout import frame
from console.tables import columns, paged_table

EVENTS = """
query Events($customer: String, $metric: String, $after: String) {
  events(customerExternalId: $customer, metricCode: $metric, first: 50, after: $after) {
    nodes { transactionId customerExternalId metricCode timestamp properties }
    pageInfo { hasNextPage endCursor }
  }
}
"""
REJECTED = """
query Rejected($after: String) {
  rejectedEvents(first: 50, after: $after) {
    nodes {
      id receivedAt source transactionId customerExternalId metricCode raw
      error { code field message }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SHOWN = 160  # characters of JSON shown in a table cell


def short(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def event_row(event: dict[str, Any]) -> dict[str, Any]:
    properties = event["properties"] or {}
    return {
        "id": event["transactionId"],
        "when": format.when(event["timestamp"]),
        "customer": event["customerExternalId"],
        "metric": event["metricCode"],
        "transaction": event["transactionId"],
        "properties": short(orjson.dumps(properties).decode()) if properties else "",
    }


def rejected_row(event: dict[str, Any]) -> dict[str, Any]:
    error = event["error"]
    why = forms.sentence(error["message"])
    return {
        "id": event["id"],
        "when": format.when(event["receivedAt"]),
        "source": "REST API" if event["source"] == "REST" else "GraphQL",
        "transaction": event["transactionId"] or "(none)",
        "customer": event["customerExternalId"] or "",
        "metric": event["metricCode"] or "",
        "why": f"{error['field']}: {why}" if error["field"] else why,
        "sent": short(event["raw"]),
    }


def register(console: Console) -> None:
    @ui.page("/console/events", title="Events · Tally")
    async def events_page() -> Response | None:
        caller = await auth.require(console, "/console/events")
        if not isinstance(caller, Caller):
            return caller
        with frame("Events", caller, "/console/events"):
            ui.label("Usage events (newest first)").classes("text-subtitle1")
            with ui.row().classes("items-start gap-2"):
                customer = ui.input("Customer external id").classes("w-64")
                customer.mark("events-customer")
                metric = ui.input("Metric code").classes("w-64").mark("events-metric")

                def apply() -> None:
                    listing.refresh()

                ui.button("Filter", icon="filter_list", on_click=apply).props(
                    "unelevated no-caps"
                ).mark("events-filter")

            @ui.refreshable
            async def listing() -> None:
                await paged_table(
                    console,
                    caller,
                    EVENTS,
                    "events",
                    columns(
                        ("when", "When"),
                        ("customer", "Customer"),
                        ("metric", "Metric"),
                        ("transaction", "Transaction id"),
                        ("properties", "Properties"),
                    ),
                    event_row,
                    "events",
                    "No events match: they appear as your backend sends usage.",
                    {
                        "customer": forms.text(customer) or None,
                        "metric": forms.text(metric) or None,
                    },
                )

            await listing()

            ui.label("Rejected events (newest first)").classes("text-subtitle1")
            ui.label(
                "Events a batch refused, with the field at fault: the rest of their batch was "
                "still recorded."
            ).classes("text-caption text-grey-8")
            await paged_table(
                console,
                caller,
                REJECTED,
                "rejectedEvents",
                columns(
                    ("when", "Received"),
                    ("source", "Through"),
                    ("transaction", "Transaction id"),
                    ("customer", "Customer"),
                    ("metric", "Metric"),
                    ("why", "Why"),
                    ("sent", "Sent"),
                ),
                rejected_row,
                "rejected-events",
                "No rejected events.",
            )
        return None
