"""API keys (admins): create one (its secret is shown once), revoke one."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format, forms
from console.api import Caller, Console, Refused, problem
from console.layout import error_banner, frame

LIST = "query { apiKeys { id name prefix scopes createdAt revokedAt } }"
CREATE = """
mutation Create($name: String!, $scopes: [String!]!) {
  createApiKey(name: $name, scopes: $scopes) {
    __typename ... on ApiKeyCreated { secret apiKey { name } }
    ... on Error { code message field }
  }
}
"""
REVOKE = """
mutation Revoke($id: ID!) {
  revokeApiKey(id: $id) {
    __typename ... on ApiKeyPayload { apiKey { name } } ... on Error { code message field }
  }
}
"""
SCOPE_WORDS = {
    "admin": "admin — everything",
    "ingest": "ingest — send usage events",
    "read": "read — look only",
}


def key_row(key: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": key["id"],
        "name": key["name"],
        "prefix": f"{key['prefix']}…",
        "scopes": ", ".join(key["scopes"]),
        "created": format.day(key["createdAt"]),
        "status": f"revoked {format.day(key['revokedAt'])}" if key["revokedAt"] else "active",
    }


COLUMNS = [
    {"name": c, "label": label, "field": c, "align": "left"}
    for c, label in (
        ("name", "Name"),
        ("prefix", "Starts with"),
        ("scopes", "Can"),
        ("created", "Created"),
        ("status", "Status"),
    )
]


def register(console: Console) -> None:
    @ui.page("/console/api-keys", title="API keys · Tally")
    async def api_keys_page() -> Response | None:
        caller = await auth.require(console, "/console/api-keys")
        if not isinstance(caller, Caller):
            return caller
        with frame("API keys", caller, "/console/api-keys"):
            ui.label(
                "Your backend sends usage and reads balances with an API key. The secret is "
                "shown once, when you create the key: copy it then."
            ).classes("text-grey-8")

            @ui.refreshable
            async def listing() -> None:
                try:
                    keys = (await console.execute(caller, LIST))["apiKeys"]
                except Refused as error:
                    error_banner(error.message)
                    return
                table = ui.table(columns=COLUMNS, rows=[key_row(k) for k in keys], row_key="id")
                table.props("flat bordered").classes("w-full").mark("api-keys")
                active = [k for k in keys if not k["revokedAt"]]
                if active:
                    with ui.row().classes("items-center"):
                        choice = (
                            ui.select({k["id"]: k["name"] for k in active}, label="Key to revoke")
                            .classes("w-64")
                            .mark("revoke-choice")
                        )
                        ui.button("Revoke…", on_click=lambda: confirm_revoke(choice.value)).props(
                            "outline no-caps color=negative"
                        ).mark("revoke")

            async def confirm_revoke(key_id: str | None) -> None:
                if not key_id:
                    ui.notify("Choose the key to revoke first.", type="warning")
                    return
                with ui.dialog() as dialog, ui.card():
                    ui.label("Revoke this key? Programs using it stop working at once.")
                    with ui.row().classes("w-full justify-end"):
                        ui.button("Cancel", on_click=dialog.close).props("flat no-caps")

                        async def revoke() -> None:
                            dialog.close()
                            try:
                                data = await console.execute(caller, REVOKE, {"id": key_id})
                            except Refused as error:
                                ui.notify(error.message, type="negative")
                                return
                            failed = problem(data["revokeApiKey"])
                            if failed is not None:
                                ui.notify(failed.message, type="negative")
                                return
                            ui.notify("The key was revoked.", type="positive")
                            listing.refresh()

                        ui.button("Yes, revoke", on_click=revoke).props(
                            "unelevated no-caps color=negative"
                        ).mark("confirm-revoke")
                dialog.open()

            with ui.card().classes("w-full"):
                ui.label("New key").classes("text-subtitle1")
                with ui.row().classes("items-start w-full"):
                    name = ui.input("Name", placeholder="billing backend").classes("w-64")
                    name.mark("key-name")
                    scopes = ui.select(SCOPE_WORDS, value=["read"], multiple=True, label="Can")
                    scopes.classes("w-80").mark("key-scopes")

                    async def create() -> None:
                        forms.clear({"name": name, "scopes": scopes})
                        if not forms.text(name):
                            name.error = "Name the key after the program that will use it."
                            return
                        variables = {"name": forms.text(name), "scopes": scopes.value or []}
                        try:
                            data = await console.execute(caller, CREATE, variables)
                        except Refused as error:
                            ui.notify(error.message, type="negative")
                            return
                        failed = problem(data["createApiKey"])
                        if failed is not None:
                            forms.show(failed, {"name": name, "scopes": scopes})
                            return
                        secret = data["createApiKey"]["secret"]
                        name.value = ""
                        with ui.dialog() as shown, ui.card().classes("w-[36rem]"):
                            ui.label("Copy the key now").classes("text-h6")
                            ui.label("It is shown only this once. Tally keeps only a digest.")
                            ui.input(value=secret).props("readonly outlined dense").classes(
                                "w-full"
                            ).mark("new-secret")
                            with ui.row().classes("w-full justify-end"):
                                ui.button(
                                    "Copy", on_click=lambda: ui.clipboard.write(secret)
                                ).props("flat no-caps")
                                ui.button("I have copied it", on_click=shown.close).props(
                                    "unelevated no-caps"
                                )
                        shown.open()
                        listing.refresh()

                    ui.button("Create key", on_click=create).props("unelevated no-caps").mark(
                        "create-key"
                    )
            await listing()
        return None
