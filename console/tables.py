"""A read-only list page made of one GraphQL connection, for the simpler console pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from console.api import Api
from console.errors import fetch


def columns(*pairs: tuple[str, str], right: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Table columns from (field, label) pairs; the fields in ``right`` aligned right."""
    return [
        {"name": c, "label": label, "field": c, "align": "right" if c in right else "left"}
        for c, label in pairs
    ]


async def paged_table(
    api: Api,
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
        data = await fetch(api, query, {**(variables or {}), "after": cursor["after"]})
        if data is None:
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
