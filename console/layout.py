"""The shared frame of every console page: a header with the navigation and who is logged in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import ui
from starlette.responses import Response

from console.api import Api, Caller, Console
from console.login import auth


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    icon: str
    admin_only: bool = False


NAV: list[NavItem] = []


def theme() -> None:
    ui.colors(primary="#1f4e79", secondary="#2e7d6b", accent="#6b4e9b", positive="#2e7d32")
    ui.query("body").classes("bg-grey-1")


@contextmanager
def frame(title: str, caller: Caller, current: str = "") -> Iterator[ui.column]:
    theme()
    operator = caller.operator
    with ui.header().classes("items-center bg-primary text-white q-px-md gap-2 no-wrap"):
        ui.label("Tally").classes("text-h6 text-weight-bold q-mr-md")
        with ui.row().classes("gap-0 no-wrap overflow-auto"):
            for item in NAV:
                if caller.is_admin or not item.admin_only:
                    nav_button(item, current)
        ui.space()
        if operator is not None:
            role = "Admin" if caller.is_admin else "Viewer (read only)"
            ui.label(f"{operator.email} · {role}").classes("text-caption")
            ui.button("Log out", icon="logout", on_click=log_out).props(
                "flat no-caps dense color=white"
            ).mark("logout")
    with ui.column().classes("w-full max-w-6xl mx-auto q-pa-md gap-4") as content:
        if title:
            ui.label(title).classes("text-h5 text-weight-medium")
        yield content


def nav_button(item: NavItem, current: str) -> None:
    selected = "bg-white text-primary" if item.path == current else "text-white"
    ui.button(item.label, icon=item.icon, on_click=lambda: ui.navigate.to(item.path)).props(
        "flat no-caps dense"
    ).classes(f"q-px-sm {selected}")


def log_out() -> None:
    auth.log_out()
    ui.navigate.to(auth.LOGIN_PATH)


async def page(
    console: Console,
    path: str,
    title: str,
    body: Callable[..., Awaitable[None]],
    *args: str | None,
    current: str = "",
) -> Response | None:
    """A console page at ``path``: the operator logged in (else a redirect to the login page,
    which comes back here), the frame, then ``body(api, *args)``."""
    caller = await auth.require(console, path)
    if not isinstance(caller, Caller):
        return caller
    with frame(title, caller, current or path):
        await body(Api(console, caller), *args)
    return None


def error_banner(message: str) -> None:
    with ui.card().classes("w-full bg-red-1"):
        ui.label(message).classes("text-negative").mark("error")


def stat(label: str, value: str, hint: str = "", marker: str = "") -> None:
    with ui.card().classes("min-w-[14rem] flex-1"):
        ui.label(label).classes("text-caption text-grey-8")
        shown = ui.label(value).classes("text-h5 text-weight-medium")
        if marker:
            shown.mark(marker)
        if hint:
            ui.label(hint).classes("text-caption text-grey-7")
