"""Webhooks: the endpoints Tally calls, and recent deliveries with their outcome; admins replay
a finished delivery (its event is sent again, as a new delivery)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format, forms
from console.api import Caller, Console, Refused, problem
from console.layout import error_banner, frame
from console.tables import columns, paged_table

ENDPOINTS = "query { webhookEndpoints { id url eventTypes description active } }"
DELIVERIES = """
query Deliveries($after: String) {
  webhookDeliveries(first: 50, after: $after) {
    nodes { id status attempts responseCode lastError createdAt replayOf event { type } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
REPLAY = """
mutation Replay($id: ID!) {
  replayWebhookDelivery(id: $id) {
    __typename ... on WebhookDeliveryPayload { delivery { id status event { type } } }
    ... on Error { code message field }
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


async def replay_controls(console: Console, caller: Caller, done: Callable[[], object]) -> None:
    """Pick a finished delivery, replay it, and say what happened."""
    try:
        data = await console.execute(caller, DELIVERIES, {"after": None})
    except Refused as error:
        error_banner(error.message)
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
        choice = ui.select(finished, label="Delivery").classes("w-96").mark("replay-choice")

        async def replay() -> None:
            result.classes(remove="text-negative text-positive")
            if not choice.value:
                result.set_text("Choose the delivery to replay first.")
                result.classes("text-negative")
                return
            try:
                data = await console.execute(caller, REPLAY, {"id": choice.value})
            except Refused as error:
                result.set_text(error.message)
                result.classes("text-negative")
                return
            payload = data["replayWebhookDelivery"]
            failed = problem(payload)
            if failed is not None:
                result.set_text(forms.sentence(failed.message))
                result.classes("text-negative")
                return
            delivery = payload["delivery"]
            result.set_text(
                f"Replayed: delivery #{delivery['id']} sends the {delivery['event']['type']} "
                "event again."
            )
            result.classes("text-positive")
            done()

        ui.button("Replay", icon="replay", on_click=replay).props("outline no-caps").mark("replay")
        result = ui.label("").classes("text-body1").mark("replay-result")


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

                @ui.refreshable
                async def deliveries() -> None:
                    await paged_table(
                        console,
                        caller,
                        DELIVERIES,
                        "webhookDeliveries",
                        columns(
                            ("number", "#"),
                            ("when", "When"),
                            ("event", "Event"),
                            ("state", "Outcome"),
                            ("attempts", "Attempts"),
                        ),
                        delivery_row,
                        "webhook-deliveries",
                        "No deliveries yet.",
                    )

                if caller.is_admin and console.has_mutation("replayWebhookDelivery"):
                    await replay_controls(console, caller, deliveries.refresh)
                await deliveries()
        return None
