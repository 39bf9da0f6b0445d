"""Operators (admins): who can log in to the console, add one, disable or enable one."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format, forms
from console.api import Caller, Console, Refused, problem
from console.layout import error_banner, frame

LIST = "query { operators { id email role active createdAt lastLoginAt } }"
RESULT = (
    "__typename ... on OperatorPayload { operator { email } } ... on Error { code message field }"
)
CREATE = f"""
mutation Create($input: CreateOperatorInput!) {{ createOperator(input: $input) {{ {RESULT} }} }}
"""
DISABLE = f"mutation Disable($id: ID!) {{ disableOperator(id: $id) {{ {RESULT} }} }}"
ENABLE = f"mutation Enable($id: ID!) {{ enableOperator(id: $id) {{ {RESULT} }} }}"
ROLES = {"VIEWER": "Viewer — can look, cannot change", "ADMIN": "Admin — can do everything"}
COLUMNS = [
    {"name": c, "label": label, "field": c, "align": "left"}
    for c, label in (
        ("email", "Email"),
        ("role", "Role"),
        ("status", "Status"),
        ("lastLogin", "Last login"),
    )
]


def operator_row(operator: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": operator["id"],
        "email": operator["email"],
        "role": operator["role"].lower(),
        "status": "active" if operator["active"] else "disabled",
        "lastLogin": format.when(operator["lastLoginAt"]) if operator["lastLoginAt"] else "never",
    }


def register(console: Console) -> None:
    @ui.page("/console/operators", title="Operators · Tally")
    async def operators_page() -> Response | None:
        caller = await auth.require(console, "/console/operators")
        if not isinstance(caller, Caller):
            return caller
        with frame("Operators", caller, "/console/operators"):

            async def change(query: str, operator: dict[str, Any], done: str) -> None:
                try:
                    data = await console.execute(caller, query, {"id": operator["id"]})
                except Refused as error:
                    ui.notify(error.message, type="negative")
                    return
                payload = next(iter(data.values()))
                failed = problem(payload)
                if failed is not None:
                    ui.notify(forms.sentence(failed.message), type="negative")
                    return
                ui.notify(f"{operator['email']} {done}.", type="positive")
                listing.refresh()

            @ui.refreshable
            async def listing() -> None:
                try:
                    operators = (await console.execute(caller, LIST))["operators"]
                except Refused as error:
                    error_banner(error.message)
                    return
                ui.table(
                    columns=COLUMNS, rows=[operator_row(o) for o in operators], row_key="id"
                ).props("flat bordered").classes("w-full").mark("operators")
                for operator in operators:
                    if operator["email"] == (caller.operator and caller.operator.email):
                        continue
                    with ui.row().classes("items-center"):
                        ui.label(operator["email"]).classes("w-72")
                        if operator["active"]:
                            ui.button(
                                "Disable",
                                on_click=lambda o=operator: change(
                                    DISABLE, o, "can no longer log in"
                                ),
                            ).props("outline dense no-caps color=negative").mark(
                                f"disable-{operator['email']}"
                            )
                        else:
                            ui.button(
                                "Enable",
                                on_click=lambda o=operator: change(ENABLE, o, "can log in again"),
                            ).props("outline dense no-caps").mark(f"enable-{operator['email']}")

            with ui.card().classes("w-full"):
                ui.label("Add an operator").classes("text-subtitle1")
                with ui.row().classes("items-start w-full"):
                    email = ui.input("Email").classes("w-64").mark("operator-email")
                    password = (
                        ui.input("Starting password", password=True, password_toggle_button=True)
                        .classes("w-64")
                        .mark("operator-password")
                    )
                    role = ui.select(ROLES, value="VIEWER", label="Role").classes("w-72")
                    role.mark("operator-role")

                    async def create() -> None:
                        fields = {"email": email, "password": password, "role": role}
                        forms.clear(fields)
                        if not forms.text(email):
                            email.error = "Enter their work email."
                        if not password.value:
                            password.error = "Choose a password of at least 10 characters."
                        if email.error or password.error:
                            return
                        variables = {
                            "input": {
                                "email": forms.text(email),
                                "password": password.value,
                                "role": role.value,
                            }
                        }
                        try:
                            data = await console.execute(caller, CREATE, variables)
                        except Refused as error:
                            ui.notify(error.message, type="negative")
                            return
                        failed = problem(data["createOperator"])
                        if failed is not None:
                            forms.show(failed, fields)
                            return
                        ui.notify(
                            f"{forms.text(email)} can now log in. Give them the password "
                            "in person or over a safe channel.",
                            type="positive",
                        )
                        email.value, password.value = "", ""
                        listing.refresh()

                    ui.button("Add operator", on_click=create).props("unelevated no-caps").mark(
                        "create-operator"
                    )
            await listing()
        return None
