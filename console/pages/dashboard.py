"""The dashboard: credits outstanding, recharge revenue this month, alerts today, and the
consumption of the last 30 days."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format
from console.api import Caller, Console, Refused
from console.layout import error_banner, frame, stat

TOTALS = """
query Dashboard($days: Int!) {
  walletTotals { currency wallets creditsOutstanding debt valueOutstanding { amount currency } }
  consumptionByDay(days: $days) { day credits }
}
"""
PAID_INVOICES = """
query PaidInvoices($after: String) {
  invoices(status: PAID, first: 200, after: $after) {
    nodes { type paidAt total { amount currency } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
FIRINGS = "query { alertFirings(first: 200) { nodes { firedAt } } }"
MAX_INVOICE_PAGES = 10


async def recharge_revenue(console: Console, caller: Caller, now: datetime) -> dict[str, Decimal]:
    """Paid credit-purchase invoices this month, per currency."""
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    after = None
    for _ in range(MAX_INVOICE_PAGES):
        page = (await console.execute(caller, PAID_INVOICES, {"after": after}))["invoices"]
        for invoice in page["nodes"]:
            paid = invoice["paidAt"] and datetime.fromisoformat(invoice["paidAt"])
            if invoice["type"] == "CREDIT_PURCHASE" and paid and paid >= month:
                totals[invoice["total"]["currency"]] += Decimal(invoice["total"]["amount"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return dict(totals)


async def alerts_today(console: Console, caller: Caller, now: datetime) -> int:
    nodes = (await console.execute(caller, FIRINGS))["alertFirings"]["nodes"]
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


def register(console: Console) -> None:
    @ui.page("/console", title="Dashboard · Tally")
    async def dashboard_page() -> Response | None:
        caller = await auth.require(console, "/console")
        if not isinstance(caller, Caller):
            return caller
        now = console.runtime.clock.now()
        with frame("Dashboard", caller, "/console"):
            try:
                data = await console.execute(caller, TOTALS, {"days": 30})
                revenue = (
                    await recharge_revenue(console, caller, now)
                    if console.has_query("invoices")
                    else None
                )
                alerts = (
                    await alerts_today(console, caller, now)
                    if console.has_query("alertFirings")
                    else None
                )
            except Refused as error:
                error_banner(error.message)
                return None
            days = data["consumptionByDay"]
            used = [Decimal(d["credits"]) for d in days]
            pace = format.daily_pace(used)
            with ui.row().classes("w-full gap-4"):
                totals = data["walletTotals"]
                outstanding = " · ".join(
                    format.credits(t["creditsOutstanding"]) for t in totals
                ) or format.credits(0)
                value = " · ".join(
                    format.money(t["valueOutstanding"]["amount"], t["currency"]) for t in totals
                )
                stat(
                    "Credits outstanding",
                    outstanding,
                    f"worth {value}, held by customers" if value else "no wallets yet",
                    "credits-outstanding",
                )
                if revenue is not None:
                    shown = " · ".join(format.money(v, c) for c, v in sorted(revenue.items()))
                    stat(
                        "Recharge revenue this month",
                        shown or "nothing yet",
                        "paid credit purchases since the 1st",
                        "recharge-revenue",
                    )
                if alerts is not None:
                    stat(
                        "Alerts today",
                        f"{alerts}",
                        "balances that crossed an alert level",
                        "alerts-today",
                    )
                stat(
                    "Credits used per day",
                    format.credits(pace.quantize(Decimal(1))),
                    "average of the last 7 days",
                    "daily-pace",
                )
            with ui.card().classes("w-full"):
                ui.label("Credits used, last 30 days").classes("text-subtitle1")
                if any(used):
                    consumption_chart(days)
                else:
                    ui.label(
                        "No usage in the last 30 days. The chart fills in as customers use credits."
                    ).classes("text-grey-8")
        return None
