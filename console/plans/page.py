"""The catalog: plans (what is sold), metrics (what is counted), bundles (credit packs) and the
signup bonus. Admins create and edit each through a reviewed dialog; viewers read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.catalog.bundles import BundleDialog, SignupBonusDialog
from console.catalog.metrics import MetricDialog
from console.catalog.plans import PlanDialog, charge_words, stored_input
from console.catalog.thresholds import words
from console.errors import fetch
from console.layout import page

PLANS = operation("""
query CatalogPlans($after: String) {
  plans(first: 10, after: $after) {
    nodes {
      id code name description currency interval
      charges {
        pricing model creditPrice packageSize unitPrice percentage fixedFee
        tiers { upTo unitPrice flatFee } metric { code name unitSingular unitPlural }
      }
      baseFee { amount currency } thresholds { amount { amount } recurring }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""")
METRICS = operation("""
query CatalogMetrics {
  metrics(first: 100) {
    nodes { id code name unitSingular unitPlural aggregation property description }
  }
}
""")
BUNDLES = operation("""
query CatalogBundles {
  bundles(activeOnly: false) {
    id code name credits bonusCredits price { amount currency } active
  }
  signupBonus { credits expiresInDays }
}
""")
AGGREGATION_WORDS = {
    "COUNT": "counts events",
    "SUM": "adds up “{p}”",
    "MAX": "takes the largest “{p}”",
    "UNIQUE_COUNT": "counts distinct “{p}”",
    "LATEST": "takes the latest “{p}”",
}
READ_ONLY = "Read only: ask an admin to change the catalog."


def plan_lines(plan: dict[str, Any], metrics: dict[str, Any]) -> list[str]:
    currency = plan["currency"]
    charges = [charge_words(stored_input(c), metrics, currency) for c in plan["charges"]]
    thresholds = [
        {"amount": t["amount"]["amount"], "recurring": t["recurring"]} for t in plan["thresholds"]
    ]
    fee = Decimal(plan["baseFee"]["amount"])
    return [
        f"Billed {plan['interval'].lower()} in {currency}"
        + (f", base fee {format.money(fee, currency)}" if fee else ", no base fee"),
        *(charges or ["No prices yet."]),
        f"Usage thresholds: {words(thresholds, currency)}.",
    ]


def metric_line(metric: dict[str, Any]) -> str:
    how = AGGREGATION_WORDS.get(metric["aggregation"], metric["aggregation"].lower())
    return (
        f"{how.format(p=metric['property'] or '')}; one “{metric['unitSingular']}”, "
        f"many “{metric['unitPlural']}”"
    )


def item(title: str, lines: list[str], marker: str) -> ui.row:
    """One catalog entry: its name, what it does, and (for admins) its buttons in a row."""
    with ui.card().props("flat bordered").classes("w-full gap-1").mark(marker):
        ui.label(title).classes("text-subtitle2")
        for line in lines:
            ui.label(line).classes("text-grey-8")
        buttons = ui.row().classes("gap-2")
    return buttons


class Catalog:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.admin = api.is_admin
        self.metrics: dict[str, dict[str, Any]] = {}

    def can(self, mutation: str) -> bool:
        return self.admin and self.api.console.has_mutation(mutation)

    def new(self, text: str, mutation: str, action: Any, marker: str) -> None:
        if self.can(mutation):
            ui.button(text, icon="add", on_click=action).props("outline no-caps").mark(marker)

    async def reload(self) -> None:
        self.show.refresh()

    @ui.refreshable_method
    async def show(self) -> None:
        if not self.admin:
            ui.label(READ_ONLY).classes("text-grey-8").mark("read-only")
        await self.metric_list()
        await self.plan_list()
        if self.api.console.has_query("bundles"):
            await self.bundle_list()

    async def metric_list(self) -> None:
        data = await fetch(self.api, METRICS)
        if data is None:
            return
        nodes = data["metrics"]["nodes"]
        self.metrics = {m["code"]: m for m in nodes}
        ui.label("Metrics (what usage is counted)").classes("text-h6")
        self.new("New metric", "createMetric", lambda: self.edit_metric(None), "new-metric")
        for metric in nodes:
            with item(f"{metric['name']} ({metric['code']})", [metric_line(metric)], "metric"):
                self.edit_button("updateMetric", lambda m=metric: self.edit_metric(m))
        if not nodes:
            ui.label("No metrics yet.").classes("text-grey-8")

    def edit_button(self, mutation: str, action: Any, text: str = "Edit") -> None:
        if self.can(mutation):
            ui.button(text, icon="edit", on_click=action).props("flat dense no-caps")

    def edit_metric(self, metric: dict[str, Any] | None) -> None:
        MetricDialog(self.api, metric, self.reload).open()

    async def plan_list(self) -> None:
        ui.label("Plans (what is sold)").classes("text-h6")
        self.new("New plan", "createPlan", lambda: self.edit_plan(None), "new-plan")
        self.plans = ui.column().classes("w-full gap-2")
        self.more = ui.button("Show more plans", on_click=self.more_plans).props("flat no-caps")
        self.after: str | None = None
        await self.more_plans()

    async def more_plans(self) -> None:
        data = await fetch(self.api, PLANS, {"after": self.after})
        if data is None:
            self.more.set_visibility(False)
            return
        nodes, info = data["plans"]["nodes"], data["plans"]["pageInfo"]
        with self.plans:
            for plan in nodes:
                lines = plan_lines(plan, self.metrics)
                with item(f"{plan['name']} ({plan['code']})", lines, "plan"):
                    self.edit_button("updatePlan", lambda p=plan: self.edit_plan(p))
            if not nodes and self.after is None:
                ui.label("No plans yet.").classes("text-grey-8")
        self.after = info["endCursor"]
        self.more.set_visibility(info["hasNextPage"])

    def edit_plan(self, plan: dict[str, Any] | None) -> None:
        PlanDialog(self.api, plan, list(self.metrics.values()), self.reload).open()

    async def bundle_list(self) -> None:
        data = await fetch(self.api, BUNDLES)
        if data is None:
            return
        ui.label("Bundles (credit packs customers buy)").classes("text-h6")
        self.new("New bundle", "createBundle", lambda: self.edit_bundle(None), "new-bundle")
        for bundle in data["bundles"]:
            price = format.money(bundle["price"]["amount"], bundle["price"]["currency"])
            line = (
                f"{format.credits(bundle['credits'])} + {format.credits(bundle['bonusCredits'])}"
                f" free for {price}" + ("" if bundle["active"] else " (not on sale)")
            )
            with item(f"{bundle['name']} ({bundle['code']})", [line], "bundle"):
                self.edit_button("updateBundle", lambda b=bundle: self.edit_bundle(b))
        self.signup_bonus(data["signupBonus"])

    def edit_bundle(self, bundle: dict[str, Any] | None) -> None:
        BundleDialog(self.api, bundle, self.reload).open()

    def signup_bonus(self, bonus: dict[str, Any]) -> None:
        amount = Decimal(bonus["credits"])
        days = bonus["expiresInDays"]
        line = (
            f"{format.credits(amount)} for every new customer"
            + (f", expiring after {days} days" if days else "")
            if amount
            else "None."
        )
        with item("Signup bonus", [line], "signup-bonus"):
            self.edit_button("setSignupBonus", lambda: self.edit_bonus(bonus), "Change")

    def edit_bonus(self, bonus: dict[str, Any]) -> None:
        SignupBonusDialog(self.api, bonus, self.reload).open()


async def catalog(api: Api) -> None:
    await Catalog(api).show()


def register(console: Console) -> None:
    @ui.page("/console/plans", title="Plans & metrics · Tally")
    async def plans_page() -> Response | None:
        return await page(console, "/console/plans", "Plans & metrics", catalog)
