"""The dashboard: credits outstanding, recharge revenue this month, alerts today, and the
consumption of the last 30 days."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, Refused, operation
from console.errors import BANNER
from console.layout import page, stat

TOTALS = operation("""
query Dashboard($days: Int!) {
  walletTotals { currency wallets creditsOutstanding debt valueOutstanding { amount currency } }
  consumptionByDay(days: $days) { day credits }
}
""")
PAID_INVOICES = operation("""
query PaidInvoices($after: String) {
  invoices(status: PAID, first: 200, after: $after) {
    nodes { type paidAt total { amount currency } }
    pageInfo { hasNextPage endCursor }
  }
}
""")
FIRINGS = operation("query { alertFirings(first: 200) { nodes { firedAt } } }")
MAX_INVOICE_PAGES = 10


async def recharge_revenue(api: Api, now: datetime) -> dict[str, Decimal] | None:
    """Paid credit-purchase invoices this month, per currency (None without invoices)."""
    if not api.console.has_query("invoices"):
        return None
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    after = None
    for _ in range(MAX_INVOICE_PAGES):
        page = (await api.execute(PAID_INVOICES, {"after": after}))["invoices"]
        for invoice in page["nodes"]:
            paid = invoice["paidAt"] and datetime.fromisoformat(invoice["paidAt"])
            if invoice["type"] == "CREDIT_PURCHASE" and paid and paid >= month:
                totals[invoice["total"]["currency"]] += Decimal(invoice["total"]["amount"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return dict(totals)


async def alerts_today(api: Api, now: datetime) -> int | None:
    """Spend alerts fired since midnight (None without alerts)."""
    if not api.console.has_query("alertFirings"):
        return None
    nodes = (await api.execute(FIRINGS))["alertFirings"]["nodes"]
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return sum(1 for n in nodes if datetime.fromisoformat(n["firedAt"]) >= today)


def consumption_chart(days: list[dict[str, Any]]) -> None:
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 20, "bottom": 40},
            "xAxis": {"type": "category", "data": [format.day(d["day"])[:-5] for d in days]},
            "yAxis": {"type": "value", "name": "credits"},
            "series": [
                {
                    "type": "bar",
                    "name": "Credits used",
                    "data": [float(Decimal(d["credits"])) for d in days],
                    "itemStyle": {"color": "#1f4e79"},
                }
            ],
        }
    ).classes("w-full h-72").mark("consumption-chart")


def outstanding(totals: list[dict[str, Any]]) -> None:
    credits = " · ".join(format.credits(t["creditsOutstanding"]) for t in totals)
    value = " · ".join(format.money(t["valueOutstanding"]["amount"], t["currency"]) for t in totals)
    stat(
        "Credits outstanding",
        credits or format.credits(0),
        f"worth {value}, held by customers" if value else "no wallets yet",
        "credits-outstanding",
    )


def figures(data: dict[str, Any], revenue: dict[str, Decimal] | None, alerts: int | None) -> None:
    outstanding(data["walletTotals"])
    if revenue is not None:
        shown = " · ".join(format.money(v, c) for c, v in sorted(revenue.items()))
        stat(
            "Recharge revenue this month",
            shown or "nothing yet",
            "paid credit purchases since the 1st",
            "recharge-revenue",
        )
    if alerts is not None:
        stat("Alerts today", f"{alerts}", "balances that crossed an alert level", "alerts-today")
    pace = format.daily_pace([Decimal(d["credits"]) for d in data["consumptionByDay"]])
    stat(
        "Credits used per day",
        format.credits(pace.quantize(Decimal(1))),
        "average of the last 7 days",
        "daily-pace",
    )


def consumption(days: list[dict[str, Any]]) -> None:
    with ui.card().classes("w-full"):
        ui.label("Credits used, last 30 days").classes("text-subtitle1")
        if any(Decimal(d["credits"]) for d in days):
            consumption_chart(days)
        else:
            ui.label(
                "No usage in the last 30 days. The chart fills in as customers use credits."
            ).classes("text-grey-8")


async def dashboard(api: Api) -> None:
    now = api.now()
    try:
        data = await api.execute(TOTALS, {"days": 30})
        revenue = await recharge_revenue(api, now)
        alerts = await alerts_today(api, now)
    except Refused as error:
        BANNER.tell(error)
        return
    with ui.row().classes("w-full gap-4"):
        figures(data, revenue, alerts)
    consumption(data["consumptionByDay"])


def register(console: Console) -> None:
    @ui.page("/console", title="Dashboard · Tally")
    async def dashboard_page() -> Response | None:
        return await page(console, "/console", "Dashboard", dashboard)
