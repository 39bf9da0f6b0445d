"""Revenue of prepaid credits per month: recognized, breakage and refunded revenue and what is
still deferred, as a chart and a table, with the CSV to download (``revenueReport``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.errors import fetch
from console.layout import page
from console.tables import columns

FIGURE = "amount { amount currency }"
REPORT = operation(f"""
query Revenue($from: String!, $to: String!) {{
  revenueReport(fromMonth: $from, toMonth: $to) {{
    csv
    months {{
      month currency
      sold {{ {FIGURE} }} recognized {{ {FIGURE} }} breakage {{ {FIGURE} }}
      refunded {{ {FIGURE} }} closingDeferred {{ {FIGURE} }}
      free {{ granted consumed }}
    }}
  }}
}}
""")
COLUMNS = columns(
    ("month", "Month"),
    ("sold", "Sold"),
    ("recognized", "Recognized (used)"),
    ("breakage", "Breakage (expired)"),
    ("refunded", "Refunded"),
    ("deferred", "Deferred (unused)"),
    ("free", "Free credits granted / used"),
)
SERIES = (
    ("recognized", "Recognized", "#1f4e79"),
    ("breakage", "Breakage", "#c77c02"),
    ("refunded", "Refunded", "#c10015"),
)


def default_range(today: date) -> tuple[str, str]:
    """The twelve months up to this one."""
    start = date(today.year - 1, today.month, 1)
    start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start.strftime("%Y-%m"), today.strftime("%Y-%m")


def _money(figure: dict[str, Any]) -> str:
    return format.money(figure["amount"]["amount"], figure["amount"]["currency"])


def month_row(n: int, month: dict[str, Any]) -> dict[str, Any]:
    free = month["free"]
    return {
        "id": n,
        "month": f"{month['month']} {month['currency']}",
        "sold": _money(month["sold"]),
        "recognized": _money(month["recognized"]),
        "breakage": _money(month["breakage"]),
        "refunded": _money(month["refunded"]),
        "deferred": _money(month["closingDeferred"]),
        "free": f"{format.number(free['granted'])} / {format.number(free['consumed'])}",
    }


def chart(months: list[dict[str, Any]]) -> None:
    """Money per month (for the eye only: the table and the CSV are exact)."""

    def amounts(key: str) -> list[float]:
        return [float(Decimal(m[key]["amount"]["amount"])) for m in months]

    series: list[dict[str, Any]] = [
        {"type": "bar", "stack": "out", "name": name, "data": amounts(key), "color": color}
        for key, name, color in SERIES
    ]
    series.append({"type": "line", "name": "Deferred", "data": amounts("closingDeferred")})
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "grid": {"left": 60, "right": 20, "top": 40, "bottom": 40},
            "xAxis": {"type": "category", "data": [m["month"] for m in months]},
            "yAxis": {"type": "value"},
            "series": series,
        }
    ).classes("w-full h-72").mark("revenue-chart")


async def revenue(api: Api, start: str | None, end: str | None) -> None:
    first, last = default_range(api.now().date())
    ui.label(
        "Prepaid credits at what was paid for them: recognized when used, breakage when they "
        "expire, deferred while unused. Months in UTC."
    ).classes("text-grey-8")
    data = await fetch(api, REPORT, {"from": start or first, "to": end or last})
    if data is None:
        return
    report = data["revenueReport"]
    months = report["months"]
    if months:
        chart(months)
    rows = [month_row(n, m) for n, m in enumerate(months)]
    table = ui.table(columns=COLUMNS, rows=rows, row_key="id")
    table.props('flat bordered no-data-label="No credits were sold in these months."')
    table.classes("w-full").mark("revenue")
    name = f"revenue-{start or first}-{end or last}.csv"
    ui.button(
        "Download CSV", icon="download", on_click=lambda: ui.download(report["csv"].encode(), name)
    ).props("outline no-caps").mark("revenue-csv")


def register(console: Console) -> None:
    @ui.page("/console/revenue", title="Revenue · Tally")
    async def revenue_page(start: str | None = None, end: str | None = None) -> Response | None:
        return await page(console, "/console/revenue", "Revenue", revenue, start, end)
