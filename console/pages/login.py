"""Log in with an email and password."""

from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.errors import DomainError
from console import auth, forms
from console.api import Console
from console.layout import theme

HOME = "/console"


def _safe_next(target: str | None) -> str:
    """Only console paths of this site (never //elsewhere or a full URL)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return HOME


def register(console: Console) -> None:
    @ui.page(auth.LOGIN_PATH, title="Log in · Tally")
    async def login_page(next: str | None = None) -> None:
        theme()
        if await auth.current(console) is not None:
            ui.navigate.to(_safe_next(next))
            return
        with ui.card().classes("absolute-center w-96 q-pa-lg gap-3"):
            ui.label("Tally console").classes("text-h5 text-weight-medium")
            ui.label("Log in with the email and password your admin gave you.").classes(
                "text-grey-8"
            )
            email = ui.input("Email").props("outlined autofocus type=email").classes("w-full")
            email.mark("login-email")
            password = ui.input("Password", password=True, password_toggle_button=True)
            password.props("outlined").classes("w-full").mark("login-password")
            message = ui.label("").classes("text-negative").mark("login-error")

            async def submit() -> None:
                email.error = None if forms.text(email) else "Enter your email."
                password.error = None if password.value else "Enter your password."
                if email.error or password.error:
                    return
                address = ui.context.client.ip
                try:
                    target = await auth.log_in(
                        console, forms.text(email), password.value or "", address
                    )
                except DomainError as error:
                    message.set_text(error.message)
                    password.value = ""
                    return
                ui.navigate.to(f"{target}&{urlencode({'next': _safe_next(next)})}")

            password.on("keydown.enter", submit)
            ui.button("Log in", on_click=submit).props("unelevated no-caps").classes("w-full").mark(
                "login-submit"
            )
            ui.label(
                "No login yet? Whoever runs Tally creates the first admin with the "
                "command: tally create-admin"
            ).classes("text-caption text-grey-7")

    @ui.page(auth.COMPLETE_PATH, title="Log in · Tally")
    async def complete_page(
        request: Request, ticket: str = "", next: str | None = None
    ) -> RedirectResponse:
        """Where a login that passed lands: the session opens under a new browser id."""
        if await auth.complete(console, request, ticket):
            return RedirectResponse(_safe_next(next), 303)
        return RedirectResponse(auth.LOGIN_PATH, 303)
