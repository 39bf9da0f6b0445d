"""A read-only list page made of one GraphQL connection, for the simpler console pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from console.api import Caller, Console, Refused
from console.layout import error_banner


def columns(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"name": c, "label": label, "field": c, "align": "left"} for c, label in pairs]


async def paged_table(
    console: Console,
    caller: Caller,
    query: str,
    field: str,
    cols: list[dict[str, Any]],
    row: Callable[[dict[str, Any]], dict[str, Any]],
    marker: str,
    empty: str,
    variables: dict[str, Any] | None = None,
) -> ui.table:
    """A table of ``query``'s connection ``field`` with a "Show more" button (``$after``)."""
    table = ui.table(columns=cols, rows=[], row_key="id")
    table.props("flat bordered wrap-cells")
    table.classes("w-full").mark(marker)
    note = ui.label("").classes("text-grey-8")
    more = ui.button("Show more").props("flat no-caps")
    cursor: dict[str, str | None] = {"after": None}

    async def load() -> None:
        try:
            data = await console.execute(
                caller, query, {**(variables or {}), "after": cursor["after"]}
            )
        except Refused as error:
            error_banner(error.message)
            more.set_visibility(False)
            return
        page = data[field]
        table.rows = [*table.rows, *(row(n) for n in page["nodes"])]
        table.update()
        cursor["after"] = page["pageInfo"]["endCursor"]
        more.set_visibility(page["pageInfo"]["hasNextPage"])
        note.set_text("" if table.rows else empty)
        table.set_visibility(bool(table.rows))

    more.on_click(load)
    await load()
    return table
