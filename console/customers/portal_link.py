"""A customer portal link, made on the customer page: shown once in a dialog, to copy and send
to the customer only."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from console import format
from console.api import Api, operation
from console.errors import mutate

PORTAL = operation("""
mutation Portal($id: String!) {
  createPortalLink(customerExternalId: $id) {
    __typename ... on PortalLink { url expiresAt } ... on Error { code message field }
  }
}
""")


def show(link: dict[str, Any], name: str) -> None:
    with ui.dialog() as dialog, ui.card().classes("w-[36rem] gap-2"):
        ui.label("Customer portal link").classes("text-h6")
        ui.label(
            f"Send this link to {name} only: it shows their balance and history until "
            f"{format.when(link['expiresAt'])} UTC."
        )
        ui.input(value=link["url"]).props("readonly outlined dense").classes("w-full").mark(
            "portal-url"
        )
        with ui.row().classes("w-full justify-end"):
            ui.button(
                "Copy", icon="content_copy", on_click=lambda: ui.clipboard.write(link["url"])
            ).props("flat no-caps")
            ui.button("Done", on_click=dialog.close).props("unelevated no-caps")
    dialog.open()


async def make(api: Api, external_id: str, name: str) -> None:
    link = await mutate(api, PORTAL, {"id": external_id})
    if link is not None:
        show(link, name)
