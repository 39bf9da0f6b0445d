"""Operators (admins): who can log in to the console, add one, disable or enable one."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format, forms
from console.api import Api, Console, operation
from console.errors import Say, fetch, mutate
from console.layout import page
from console.tables import columns

LIST = operation("query { operators { id email role active createdAt lastLoginAt } }")
RESULT = (
    "__typename ... on OperatorPayload { operator { email } } ... on Error { code message field }"
)
CREATE = operation(f"""
mutation Create($input: CreateOperatorInput!) {{ createOperator(input: $input) {{ {RESULT} }} }}
""")
DISABLE = operation(f"mutation Disable($id: ID!) {{ disableOperator(id: $id) {{ {RESULT} }} }}")
ENABLE = operation(f"mutation Enable($id: ID!) {{ enableOperator(id: $id) {{ {RESULT} }} }}")
ROLES = {"VIEWER": "Viewer — can look, cannot change", "ADMIN": "Admin — can do everything"}
COLUMNS = columns(
    ("email", "Email"), ("role", "Role"), ("status", "Status"), ("lastLogin", "Last login")
)


def operator_row(operator: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": operator["id"],
        "email": operator["email"],
        "role": operator["role"].lower(),
        "status": "active" if operator["active"] else "disabled",
        "lastLogin": format.when(operator["lastLoginAt"]) if operator["lastLoginAt"] else "never",
    }


class Operators:
    def __init__(self, api: Api) -> None:
        self.api = api
        operator = api.caller.operator
        self.me = operator.email if operator is not None else None

    async def change(self, document: str, operator: dict[str, Any], done: str) -> None:
        if await mutate(self.api, document, {"id": operator["id"]}) is not None:
            ui.notify(f"{operator['email']} {done}.", type="positive")
            self.listing.refresh()

    @ui.refreshable_method
    async def listing(self) -> None:
        data = await fetch(self.api, LIST)
        if data is None:
            return
        operators = data["operators"]
        ui.table(columns=COLUMNS, rows=[operator_row(o) for o in operators], row_key="id").props(
            "flat bordered"
        ).classes("w-full").mark("operators")
        for operator in operators:
            if operator["email"] != self.me:
                with ui.row().classes("items-center"):
                    ui.label(operator["email"]).classes("w-72")
                    self.switch(operator)

    def switch(self, operator: dict[str, Any]) -> None:
        """Disable an active operator, enable a disabled one."""
        email = operator["email"]
        if operator["active"]:
            ui.button(
                "Disable", on_click=lambda: self.change(DISABLE, operator, "can no longer log in")
            ).props("outline dense no-caps color=negative").mark(f"disable-{email}")
        else:
            ui.button(
                "Enable", on_click=lambda: self.change(ENABLE, operator, "can log in again")
            ).props("outline dense no-caps").mark(f"enable-{email}")

    def form(self) -> None:
        with ui.card().classes("w-full"):
            ui.label("Add an operator").classes("text-subtitle1")
            with ui.row().classes("items-start w-full"):
                self.email = ui.input("Email").classes("w-64").mark("operator-email")
                self.password = ui.input(
                    "Starting password", password=True, password_toggle_button=True
                )
                self.password.classes("w-64").mark("operator-password")
                self.role = ui.select(ROLES, value="VIEWER", label="Role").classes("w-72")
                self.role.mark("operator-role")
                ui.button("Add operator", on_click=self.create).props("unelevated no-caps").mark(
                    "create-operator"
                )

    def checked(self) -> bool:
        if not forms.text(self.email):
            self.email.error = "Enter their work email."
        if not self.password.value:
            self.password.error = "Choose a password of at least 10 characters."
        return not (self.email.error or self.password.error)

    async def create(self) -> None:
        say = Say(inputs={"email": self.email, "password": self.password, "role": self.role})
        say.clear()
        if not self.checked():
            return
        operator = {
            "email": forms.text(self.email),
            "password": self.password.value,
            "role": self.role.value,
        }
        if await mutate(self.api, CREATE, {"input": operator}, say) is None:
            return
        ui.notify(
            f"{forms.text(self.email)} can now log in. Give them the password "
            "in person or over a safe channel.",
            type="positive",
        )
        self.email.value, self.password.value = "", ""
        self.listing.refresh()


async def operators(api: Api) -> None:
    shown = Operators(api)
    shown.form()
    await shown.listing()


def register(console: Console) -> None:
    @ui.page("/console/operators", title="Operators · Tally")
    async def operators_page() -> Response | None:
        return await page(console, "/console/operators", "Operators", operators)
