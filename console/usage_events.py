"""Usage events: the events stored, newest first (one customer's, one metric's), and the events
a batch refused, with why. (The page keeps its address, /console/events.)"""

from __future__ import annotations

from typing import Any

import orjson
from nicegui import ui
from starlette.responses import Response

from console import format, forms
from console.api import Api, Console, operation
from console.layout import page
from console.tables import columns, paged_table

EVENTS = operation("""
query Events($customer: String, $metric: String, $after: String) {
  events(customerExternalId: $customer, metricCode: $metric, first: 50, after: $after) {
    nodes { transactionId customerExternalId metricCode timestamp properties }
    pageInfo { hasNextPage endCursor }
  }
}
""")
REJECTED = operation("""
query Rejected($after: String) {
  rejectedEvents(first: 50, after: $after) {
    nodes {
      id receivedAt source transactionId customerExternalId metricCode raw
      error { code field message }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""")
SHOWN = 160  # characters of JSON shown in a table cell
EVENT_COLUMNS = columns(
    ("when", "When"),
    ("customer", "Customer"),
    ("metric", "Metric"),
    ("transaction", "Transaction id"),
    ("properties", "Properties"),
)
REJECTED_COLUMNS = columns(
    ("when", "Received"),
    ("source", "Through"),
    ("transaction", "Transaction id"),
    ("customer", "Customer"),
    ("metric", "Metric"),
    ("why", "Why"),
    ("sent", "Sent"),
)


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


class UsageEvents:
    """The stored events, filtered by customer and metric."""

    def __init__(self, api: Api) -> None:
        self.api = api
        with ui.row().classes("items-start gap-2"):
            self.customer = ui.input("Customer external id").classes("w-64")
            self.customer.mark("events-customer")
            self.metric = ui.input("Metric code").classes("w-64").mark("events-metric")
            ui.button("Filter", icon="filter_list", on_click=self.listing.refresh).props(
                "unelevated no-caps"
            ).mark("events-filter")

    @ui.refreshable_method
    async def listing(self) -> None:
        await paged_table(
            self.api,
            EVENTS,
            "events",
            EVENT_COLUMNS,
            event_row,
            "events",
            "No events match: they appear as your backend sends usage.",
            {
                "customer": forms.text(self.customer) or None,
                "metric": forms.text(self.metric) or None,
            },
        )


async def usage_events(api: Api) -> None:
    ui.label("Usage events (newest first)").classes("text-subtitle1")
    await UsageEvents(api).listing()
    ui.label("Rejected events (newest first)").classes("text-subtitle1")
    ui.label(
        "Events a batch refused, with the field at fault: the rest of their batch was "
        "still recorded."
    ).classes("text-caption text-grey-8")
    await paged_table(
        api,
        REJECTED,
        "rejectedEvents",
        REJECTED_COLUMNS,
        rejected_row,
        "rejected-events",
        "No rejected events.",
    )


def register(console: Console) -> None:
    @ui.page("/console/events", title="Events · Tally")
    async def events_page() -> Response | None:
        return await page(console, "/console/events", "Events", usage_events)
