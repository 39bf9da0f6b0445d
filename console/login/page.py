"""The login page: an email and a password; a login that passes completes on its own page
(``auth.complete``), under a new browser id."""

from __future__ import annotations

from urllib.parse import urlencode

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.errors import DomainError
from console import forms
from console.api import Console
from console.layout import theme
from console.login import auth

HOME = "/console"


def _safe_next(target: str | None) -> str:
    """Only console paths of this site (never //elsewhere or a full URL)."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return HOME


class LoginForm:
    def __init__(self, console: Console, next: str | None) -> None:
        self.console, self.next = console, _safe_next(next)
        ui.label("Tally console").classes("text-h5 text-weight-medium")
        ui.label("Log in with the email and password your admin gave you.").classes("text-grey-8")
        self.email = ui.input("Email").props("outlined autofocus type=email").classes("w-full")
        self.email.mark("login-email")
        self.password = ui.input("Password", password=True, password_toggle_button=True)
        self.password.props("outlined").classes("w-full").mark("login-password")
        self.message = ui.label("").classes("text-negative").mark("login-error")
        self.password.on("keydown.enter", self.submit)
        ui.button("Log in", on_click=self.submit).props("unelevated no-caps").classes(
            "w-full"
        ).mark("login-submit")
        ui.label(
            "No login yet? Whoever runs Tally creates the first admin with the "
            "command: tally create-admin"
        ).classes("text-caption text-grey-7")

    async def submit(self) -> None:
        self.email.error = None if forms.text(self.email) else "Enter your email."
        self.password.error = None if self.password.value else "Enter your password."
        if self.email.error or self.password.error:
            return
        address = ui.context.client.ip
        try:
            target = await auth.log_in(
                self.console, forms.text(self.email), self.password.value or "", address
            )
        except DomainError as error:
            self.message.set_text(error.message)
            self.password.value = ""
            return
        ui.navigate.to(f"{target}&{urlencode({'next': self.next})}")


def register(console: Console) -> None:
    @ui.page(auth.LOGIN_PATH, title="Log in · Tally")
    async def login_page(next: str | None = None) -> None:
        theme()
        if await auth.current(console) is not None:
            ui.navigate.to(_safe_next(next))
            return
        with ui.card().classes("absolute-center w-96 q-pa-lg gap-3"):
            LoginForm(console, next)

    @ui.page(auth.COMPLETE_PATH, title="Log in · Tally")
    async def complete_page(
        request: Request, ticket: str = "", next: str | None = None
    ) -> RedirectResponse:
        """Where a login that passed lands: the session opens under a new browser id."""
        if await auth.complete(console, request, ticket):
            return RedirectResponse(_safe_next(next), 303)
        return RedirectResponse(auth.LOGIN_PATH, 303)
