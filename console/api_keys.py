"""API keys (admins): create one (its secret is shown once), revoke one."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format, forms
from console.api import Api, Console, operation
from console.dialog import Dialog
from console.errors import Say, fetch, mutate
from console.layout import page
from console.tables import columns

LIST = operation("query { apiKeys { id name prefix scopes createdAt revokedAt } }")
CREATE = operation("""
mutation Create($name: String!, $scopes: [String!]!) {
  createApiKey(name: $name, scopes: $scopes) {
    __typename ... on ApiKeyCreated { secret apiKey { name } }
    ... on Error { code message field }
  }
}
""")
REVOKE = operation("""
mutation Revoke($id: ID!) {
  revokeApiKey(id: $id) {
    __typename ... on ApiKeyPayload { apiKey { name } } ... on Error { code message field }
  }
}
""")
SCOPE_WORDS = {
    "admin": "admin — everything",
    "ingest": "ingest — send usage events",
    "read": "read — look only",
}
COLUMNS = columns(
    ("name", "Name"),
    ("prefix", "Starts with"),
    ("scopes", "Can"),
    ("created", "Created"),
    ("status", "Status"),
)


def key_row(key: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": key["id"],
        "name": key["name"],
        "prefix": f"{key['prefix']}…",
        "scopes": ", ".join(key["scopes"]),
        "created": format.day(key["createdAt"]),
        "status": f"revoked {format.day(key['revokedAt'])}" if key["revokedAt"] else "active",
    }


def show_secret(secret: str) -> None:
    """The new key's secret, once: Tally keeps only a digest."""
    with ui.dialog() as shown, ui.card().classes("w-[36rem]"):
        ui.label("Copy the key now").classes("text-h6")
        ui.label("It is shown only this once. Tally keeps only a digest.")
        ui.input(value=secret).props("readonly outlined dense").classes("w-full").mark("new-secret")
        with ui.row().classes("w-full justify-end"):
            ui.button("Copy", on_click=lambda: ui.clipboard.write(secret)).props("flat no-caps")
            ui.button("I have copied it", on_click=shown.close).props("unelevated no-caps")
    shown.open()


class RevokeDialog(Dialog):
    button = "Yes, revoke"
    document = REVOKE
    closes_first = True

    def __init__(self, keys: ApiKeys, key_id: str) -> None:
        self.keys, self.key_id = keys, key_id
        super().__init__(keys.api, "revoke", "", "confirm-revoke")
        self.next.props("color=negative")

    def ask(self) -> None:
        ui.label("Revoke this key? Programs using it stop working at once.")

    def variables(self) -> dict[str, Any]:
        return {"id": self.key_id}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify("The key was revoked.", type="positive")
        self.keys.listing.refresh()


class ApiKeys:
    def __init__(self, api: Api) -> None:
        self.api = api

    @ui.refreshable_method
    async def listing(self) -> None:
        data = await fetch(self.api, LIST)
        if data is None:
            return
        keys = data["apiKeys"]
        table = ui.table(columns=COLUMNS, rows=[key_row(k) for k in keys], row_key="id")
        table.props("flat bordered").classes("w-full").mark("api-keys")
        active = {k["id"]: k["name"] for k in keys if not k["revokedAt"]}
        if active:
            with ui.row().classes("items-center"):
                self.choice = ui.select(active, label="Key to revoke").classes("w-64")
                self.choice.mark("revoke-choice")
                ui.button("Revoke…", on_click=self.revoke).props(
                    "outline no-caps color=negative"
                ).mark("revoke")

    async def revoke(self) -> None:
        if not self.choice.value:
            ui.notify("Choose the key to revoke first.", type="warning")
            return
        RevokeDialog(self, self.choice.value).open()

    def form(self) -> None:
        with ui.card().classes("w-full"):
            ui.label("New key").classes("text-subtitle1")
            with ui.row().classes("items-start w-full"):
                self.name = ui.input("Name", placeholder="billing backend").classes("w-64")
                self.name.mark("key-name")
                self.scopes = ui.select(SCOPE_WORDS, value=["read"], multiple=True, label="Can")
                self.scopes.classes("w-80").mark("key-scopes")
                ui.button("Create key", on_click=self.create).props("unelevated no-caps").mark(
                    "create-key"
                )

    async def create(self) -> None:
        say = Say(inputs={"name": self.name, "scopes": self.scopes})
        say.clear()
        if not forms.text(self.name):
            self.name.error = "Name the key after the program that will use it."
            return
        variables = {"name": forms.text(self.name), "scopes": self.scopes.value or []}
        created = await mutate(self.api, CREATE, variables, say)
        if created is not None:
            self.name.value = ""
            show_secret(created["secret"])
            self.listing.refresh()


async def api_keys(api: Api) -> None:
    ui.label(
        "Your backend sends usage and reads balances with an API key. The secret is "
        "shown once, when you create the key: copy it then."
    ).classes("text-grey-8")
    keys = ApiKeys(api)
    keys.form()
    await keys.listing()


def register(console: Console) -> None:
    @ui.page("/console/api-keys", title="API keys · Tally")
    async def api_keys_page() -> Response | None:
        return await page(console, "/console/api-keys", "API keys", api_keys)
