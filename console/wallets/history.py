"""What happened to a wallet: usage by metric, the balance over time, the grants on hand and
the ledger, newest first."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format
from console.tables import columns

GRANT_COLUMNS = columns(
    ("added", "Added"),
    ("source", "How"),
    ("amount", "Amount"),
    ("remaining", "Left"),
    ("expires", "Expires"),
    right=("amount", "remaining"),
)
LEDGER_COLUMNS = columns(
    ("when", "When"),
    ("what", "What"),
    ("change", "Change"),
    ("detail", "Details"),
    ("after", "Balance after"),
    right=("change", "after"),
)
CHART_GRID = {"left": 60, "right": 20, "top": 20, "bottom": 40}


def grant_row(grant: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": grant["id"],
        "added": format.day(grant["createdAt"]),
        "source": f"{format.SOURCE_WORDS.get(grant['source'], grant['source'])}"
        f" ({grant['kind'].lower()})",
        "amount": format.number(grant["amount"]),
        "remaining": format.number(grant["remaining"]),
        "expires": format.day(grant["expiresAt"]) if grant["expiresAt"] else "never",
    }


def ledger_row(entry: dict[str, Any]) -> dict[str, Any]:
    credits = Decimal(entry["credits"])
    sign = "+" if credits > 0 else "−" if credits < 0 else ""
    return {
        "id": entry["id"],
        "when": format.when(entry["createdAt"]),
        "what": format.KIND_WORDS.get(entry["kind"], entry["kind"].title()),
        "change": f"{sign}{format.number(abs(credits))}",
        "detail": entry["description"],
        "after": format.number(entry["balanceAfter"]),
    }


def usage_chart(usage: list[dict[str, Any]]) -> None:
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "grid": CHART_GRID,
            "xAxis": {"type": "category", "data": [u["metricCode"] for u in usage]},
            "yAxis": {"type": "value", "name": "credits"},
            "series": [{"type": "bar", "data": [float(Decimal(u["credits"])) for u in usage]}],
        }
    ).classes("w-full h-64").mark("usage-chart")
    for u in usage:
        units = f"{format.number(u['units'])} {u['unitLabel'] or u['metricCode']}"
        ui.label(f"{u['metricCode']}: {units} for {format.credits(u['credits'])}").classes(
            "text-grey-8"
        ).mark("usage-line")


def balance_chart(entries: list[dict[str, Any]], now: datetime) -> None:
    points = [[e["createdAt"], float(Decimal(e["balanceAfter"]))] for e in reversed(entries)]
    points.append([now.isoformat(), points[-1][1]])  # the current balance, up to now
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "grid": CHART_GRID,
            "xAxis": {"type": "time", "minInterval": 60_000},  # no millisecond labels
            "yAxis": {"type": "value", "name": "credits"},
            "series": [{"type": "line", "step": "end", "data": points, "showSymbol": False}],
        }
    ).classes("w-full h-64").mark("balance-chart")


def card(title: str, rows: list[Any], empty: str, marker: str = "") -> ui.card:
    """A card titled ``title``; ``empty`` in grey when there are no ``rows``."""
    with ui.card().classes("w-full") as shown:
        if marker:
            shown.mark(marker)
        ui.label(title).classes("text-subtitle1")
        if not rows:
            ui.label(empty).classes("text-grey-8")
    return shown


def table(cols: list[dict[str, Any]], rows: list[dict[str, Any]], marker: str) -> None:
    ui.table(columns=cols, rows=rows, row_key="id").props("flat dense").classes("w-full").mark(
        marker
    )


def show(wallet: dict[str, Any], usage: list[dict[str, Any]] | None, now: datetime) -> None:
    entries = wallet["ledgerEntries"]["nodes"]
    if usage is not None:
        with card(
            "Usage by metric (last 30 days)", usage, "No usage in the last 30 days.", "usage"
        ):
            if usage:
                usage_chart(usage)
    with card("Balance over time", entries, "No history yet."):
        if entries:
            balance_chart(entries, now)
    grants = [grant_row(g) for g in wallet["grants"]["nodes"]]
    with card("Credits on hand (grants)", grants, "No credits granted yet."):
        if grants:
            table(GRANT_COLUMNS, grants, "grants")
    with card("History (newest first)", entries, "Nothing has happened yet."):
        if entries:
            table(LEDGER_COLUMNS, [ledger_row(e) for e in entries], "ledger")
