"""Webhook endpoints: admins add one (its signing secret shown once, right after), change its
address, events or state, send it a test event, or delete it — each reviewed first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from nicegui import ui

from console import forms
from console.api import ERROR_FIELDS, Api, operation
from console.catalog.checks import Checks
from console.catalog.review import changed_only, changes
from console.dialog import Confirmation, Dialog
from console.errors import Inputs, fetch

ENDPOINT = "id url eventTypes description active secretHint"
EVENT_TYPES = operation("query { webhookEventTypes }")
CREATE = operation(f"""
mutation CreateEndpoint($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{
    ... on CreateWebhookEndpointPayload {{ endpoint {{ {ENDPOINT} }} secret }} {ERROR_FIELDS}
  }}
}}
""")
UPDATE = operation(f"""
mutation UpdateEndpoint($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{
    ... on WebhookEndpointPayload {{ endpoint {{ {ENDPOINT} }} }} {ERROR_FIELDS}
  }}
}}
""")
DELETE = operation(f"""
mutation DeleteEndpoint($id: ID!) {{
  deleteWebhookEndpoint(id: $id) {{
    ... on DeleteWebhookEndpointPayload {{ deletedId }} {ERROR_FIELDS}
  }}
}}
""")
SEND_TEST = operation(f"""
mutation SendTestWebhook($id: ID!) {{
  sendTestWebhook(id: $id) {{
    ... on WebhookDeliveryPayload {{ delivery {{ id status }} }} {ERROR_FIELDS}
  }}
}}
""")
LABELS = {"url": "Address", "eventTypes": "Events", "description": "Description", "active": "On"}
Changed = Callable[[], Awaitable[None]]


def url_problem(url: str, development: bool) -> str | None:
    """Why an address cannot receive webhooks, in plain words (None when it can)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter a full web address, like https://example.com/webhooks."
    if parts.scheme != "https" and not development:
        return (
            "The address must start with https:// so events travel encrypted "
            "(plain http:// is only allowed in development)."
        )
    return None


def shown(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {
        **endpoint,
        "eventTypes": ", ".join(endpoint["eventTypes"]),
        "active": "yes" if endpoint["active"] else "no",
    }


class EndpointDialog(Dialog):
    """Add an endpoint (``endpoint`` None) or change one."""

    width = "w-[40rem]"

    def __init__(
        self, api: Api, endpoint: dict[str, Any] | None, events: list[str], changed: Changed
    ) -> None:
        self.endpoint, self.events, self.changed = endpoint, events, changed
        self.development = api.console.runtime.settings.environment == "development"
        title = "Change the webhook endpoint" if endpoint else "New webhook endpoint"
        super().__init__(api, "endpoint", title, "endpoint-next")

    def ask(self) -> None:
        e = self.endpoint or {}
        self.url = ui.input("Address (URL)", value=e.get("url", "")).classes("w-full")
        self.types = (
            ui.select(
                self.events, multiple=True, label="Events to send", value=e.get("eventTypes", [])
            )
            .classes("w-full")
            .props("use-chips")
        )
        self.description = ui.input("Description", value=e.get("description", ""))
        self.description.classes("w-full")
        self.active = ui.checkbox("On (send events to it)", value=e.get("active", True))

    def inputs(self) -> Inputs:
        return {"url": self.url, "eventTypes": self.types, "description": self.description}

    def checked(self) -> bool:
        checks = Checks()
        url = checks.text(self.url, "Enter the address Tally sends events to.")
        problem = url_problem(url, self.development) if url else None
        if problem:
            checks.fail(self.url, problem)
        if not self.types.value:
            checks.fail(self.types, "Choose at least one event to send.")
        return checks.ok

    def typed(self) -> dict[str, Any]:
        return {
            "url": forms.text(self.url),
            "eventTypes": list(self.types.value),
            "description": forms.text(self.description),
            "active": bool(self.active.value),
        }

    def confirmations(self) -> list[Confirmation]:
        typed = self.typed()
        if self.endpoint is not None:
            lines = changes(LABELS, shown(self.endpoint), shown(typed))
            return [
                Confirmation(
                    ["Save these changes to the endpoint?", *lines], "Yes, save the endpoint"
                )
            ]
        lines = [
            f"Send {', '.join(typed['eventTypes'])} events to {typed['url']}, signed.",
            "Its signing secret is shown once, right after: keep it somewhere safe.",
        ]
        return [Confirmation(lines, "Yes, add the endpoint")]

    @property
    def document(self) -> str:
        return UPDATE if self.endpoint else CREATE

    def variables(self) -> dict[str, Any]:
        typed = self.typed()
        if self.endpoint is not None:
            fields = changed_only(typed, shown(self.endpoint), shown(typed))
            return {"input": {"id": self.endpoint["id"], **fields}}
        return {"input": typed}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        if self.endpoint is not None:
            ui.notify("The endpoint is saved.", type="positive")
            await self.changed()
            return
        with self.dialog.client.content:  # the page's: this dialog goes with the refresh
            SecretDialog(payload["endpoint"]["url"], payload["secret"], self.changed)


class SecretDialog:
    """The signing secret, once: it is never shown again. The endpoints list refreshes when
    the dialog is closed."""

    def __init__(self, url: str, secret: str, changed: Changed) -> None:
        self.changed = changed
        with ui.dialog() as self.dialog, ui.card().classes("w-[36rem] gap-2"):
            ui.label("The endpoint is added").classes("text-h6")
            ui.label(
                f"Events to {url} are signed with this secret. Copy it now: it is not shown "
                "again (you can tell secrets apart by their last characters)."
            )
            ui.input("Signing secret", value=secret).props("readonly outlined").classes("w-full")
            ui.button("I have saved it", on_click=self.close).props("unelevated no-caps")
        self.dialog.props("persistent").open()

    async def close(self) -> None:
        self.dialog.close()
        await self.changed()


class DeleteEndpointDialog(Dialog):
    button = "Review"
    document = DELETE

    def __init__(self, api: Api, endpoint: dict[str, Any], changed: Changed) -> None:
        self.endpoint, self.changed = endpoint, changed
        super().__init__(api, "delete-endpoint", "Delete the webhook endpoint?", "delete-next")

    def ask(self) -> None:
        ui.label(f"{self.endpoint['url']} will receive no more events.")

    def confirmations(self) -> list[Confirmation]:
        lines = [
            f"Delete {self.endpoint['url']} with its delivery log.",
            "Deliveries still being retried are dropped. This cannot be undone.",
        ]
        return [Confirmation(lines, "Yes, delete the endpoint")]

    def variables(self) -> dict[str, Any]:
        return {"id": self.endpoint["id"]}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"{self.endpoint['url']} is deleted.", type="positive")
        await self.changed()


class SendTestDialog(Dialog):
    button = "Send a test event"
    document = SEND_TEST
    closes_first = True

    def __init__(self, api: Api, endpoint: dict[str, Any], changed: Changed) -> None:
        self.endpoint, self.changed = endpoint, changed
        super().__init__(api, "test-endpoint", "Send a test event?", "test-next")

    def ask(self) -> None:
        ui.label(
            f"Tally sends a webhook.test event to {self.endpoint['url']} now; the delivery "
            "shows below with its outcome. Nothing else happens."
        )

    def variables(self) -> dict[str, Any]:
        return {"id": self.endpoint["id"]}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        number = payload["delivery"]["id"]
        ui.notify(f"Test event sent: delivery #{number} is in the list below.", type="positive")
        await self.changed()


class EndpointList:
    """The endpoints, each with its buttons for admins; ``changed`` runs after a change (the
    deliveries below refresh)."""

    def __init__(self, api: Api, endpoints: list[dict[str, Any]], changed: Changed) -> None:
        self.api, self.endpoints, self.changed = api, endpoints, changed
        self.events: list[str] = []

    def can(self, mutation: str) -> bool:
        return self.api.is_admin and self.api.console.has_mutation(mutation)

    async def show(self) -> None:
        if self.can("createWebhookEndpoint"):
            data = await fetch(self.api, EVENT_TYPES)
            self.events = data["webhookEventTypes"] if data else []
            ui.button("New endpoint", icon="add", on_click=lambda: self.edit(None)).props(
                "outline no-caps"
            ).mark("new-endpoint")
        for endpoint in self.endpoints:
            self.card(endpoint)
        if not self.endpoints:
            ui.label("No endpoints yet.").classes("text-grey-8")

    def card(self, endpoint: dict[str, Any]) -> None:
        state = "on" if endpoint["active"] else "paused"
        with ui.card().props("flat bordered").classes("w-full gap-1").mark("endpoint"):
            ui.label(endpoint["url"]).classes("text-subtitle2")
            ui.label(
                f"Events: {', '.join(endpoint['eventTypes'])} · {state} · secret ends "
                f"{endpoint['secretHint']}"
            ).classes("text-grey-8")
            with ui.row().classes("gap-2"):
                self.button("updateWebhookEndpoint", "Change", "edit", lambda: self.edit(endpoint))
                self.button(
                    "sendTestWebhook",
                    "Send a test event",
                    "send",
                    lambda: SendTestDialog(self.api, endpoint, self.changed).open(),
                )
                self.button(
                    "deleteWebhookEndpoint",
                    "Delete",
                    "delete",
                    lambda: DeleteEndpointDialog(self.api, endpoint, self.changed).open(),
                )

    def button(self, mutation: str, text: str, icon: str, action: Callable[[], None]) -> None:
        if self.can(mutation):
            ui.button(text, icon=icon, on_click=action).props("flat dense no-caps")

    def edit(self, endpoint: dict[str, Any] | None) -> None:
        EndpointDialog(self.api, endpoint, self.events, self.changed).open()
