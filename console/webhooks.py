"""Webhooks: the endpoints Tally calls, and recent deliveries with their outcome; admins replay
a finished delivery (its webhook event is sent again, as a new delivery)."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.catalog.endpoints import EndpointList
from console.errors import Say, fetch, mutate, on
from console.layout import page
from console.tables import columns, paged_table

ENDPOINTS = operation(
    "query { webhookEndpoints { id url eventTypes description active secretHint } }"
)
DELIVERIES = operation("""
query Deliveries($after: String) {
  webhookDeliveries(first: 50, after: $after) {
    nodes { id status attempts responseCode lastError createdAt replayOf event { type } }
    pageInfo { hasNextPage endCursor }
  }
}
""")
REPLAY = operation("""
mutation Replay($id: ID!) {
  replayWebhookDelivery(id: $id) {
    __typename ... on WebhookDeliveryPayload { delivery { id status event { type } } }
    ... on Error { code message field }
  }
}
""")
STATUS_WORDS = {"PENDING": "trying", "SUCCEEDED": "delivered", "FAILED": "gave up"}
ENDPOINT_COLUMNS = columns(("url", "Address"), ("events", "Events"), ("state", "State"))
DELIVERY_COLUMNS = columns(
    ("number", "#"),
    ("when", "When"),
    ("event", "Event"),
    ("state", "Outcome"),
    ("attempts", "Attempts"),
)


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
    if delivery["replayOf"]:
        state += f", replay of #{delivery['replayOf']}"
    return {
        "id": delivery["id"],
        "number": f"#{delivery['id']}",
        "when": format.when(delivery["createdAt"]),
        "event": delivery["event"]["type"],
        "state": state,
        "attempts": delivery["attempts"],
    }


class Deliveries:
    """Recent deliveries; for admins, replay a finished one and say what happened."""

    def __init__(self, api: Api) -> None:
        self.api = api

    @ui.refreshable_method
    async def table(self) -> None:
        await paged_table(
            self.api,
            DELIVERIES,
            "webhookDeliveries",
            DELIVERY_COLUMNS,
            delivery_row,
            "webhook-deliveries",
            "No deliveries yet.",
        )

    async def replay_controls(self) -> None:
        data = await fetch(self.api, DELIVERIES, {"after": None})
        if data is None:
            return
        finished = {
            d["id"]: f"#{d['id']} · {d['event']['type']} · {delivery_row(d)['state']}"
            for d in data["webhookDeliveries"]["nodes"]
            if d["status"] != "PENDING"
        }
        if not finished:
            return
        ui.label("Replay sends a finished delivery's event again, as a new delivery.").classes(
            "text-caption text-grey-8"
        )
        with ui.row().classes("items-center w-full gap-2"):
            self.choice = ui.select(finished, label="Delivery").classes("w-96")
            self.choice.mark("replay-choice")
            ui.button("Replay", icon="replay", on_click=self.replay).props("outline no-caps").mark(
                "replay"
            )
            self.result = ui.label("").classes("text-body1").mark("replay-result")

    async def replay(self) -> None:
        say = Say(on(self.result))
        if not self.choice.value:
            say.show("Choose the delivery to replay first.")
            return
        payload = await mutate(self.api, REPLAY, {"id": self.choice.value}, say)
        if payload is None:
            return
        delivery = payload["delivery"]
        self.result.set_text(
            f"Replayed: delivery #{delivery['id']} sends the {delivery['event']['type']} "
            "event again."
        )
        self.result.classes(add="text-positive", remove="text-negative")
        self.table.refresh()


class Webhooks:
    """The endpoints (admins add, change, test and delete them) and the deliveries."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def changed(self) -> None:
        self.show.refresh()

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, ENDPOINTS)
        if data is None:
            return
        if not self.api.is_admin:
            ui.label("Read only: ask an admin to change the endpoints.").classes("text-grey-8")
        await EndpointList(self.api, data["webhookEndpoints"], self.changed).show()
        if self.api.console.has_query("webhookDeliveries"):
            ui.label("Deliveries (newest first)").classes("text-subtitle1")
            deliveries = Deliveries(self.api)
            if self.api.is_admin and self.api.console.has_mutation("replayWebhookDelivery"):
                await deliveries.replay_controls()
            await deliveries.table()


async def webhooks(api: Api) -> None:
    await Webhooks(api).show()


def register(console: Console) -> None:
    @ui.page("/console/webhooks", title="Webhooks · Tally")
    async def webhooks_page() -> Response | None:
        return await page(console, "/console/webhooks", "Webhooks", webhooks)
