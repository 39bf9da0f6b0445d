"""Plans and metrics: what is sold, and what is counted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.layout import page
from console.tables import columns, paged_table

PLANS = operation("""
query Plans($after: String) {
  plans(first: 50, after: $after) {
    nodes {
      id code name currency interval
      charges { id pricing creditPrice metric { name unitSingular unitPlural } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""")
METRICS = operation("""
query Metrics($after: String) {
  metrics(first: 50, after: $after) {
    nodes { id code name unitPlural aggregation property }
    pageInfo { hasNextPage endCursor }
  }
}
""")
AGGREGATION_WORDS = {
    "COUNT": "counts events",
    "SUM": "adds up “{p}”",
    "MAX": "takes the largest “{p}”",
    "UNIQUE_COUNT": "counts distinct “{p}”",
    "LATEST": "takes the latest “{p}”",
}


def charge_words(charge: dict[str, Any]) -> str:
    metric = charge["metric"]
    if charge["creditPrice"] is not None:
        price = Decimal(charge["creditPrice"])
        return f"{format.credits(price)} per {metric['unitSingular']}"
    return f"{metric['name']} billed in money"


def plan_row(plan: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": plan["id"],
        "name": f"{plan['name']} ({plan['code']})",
        "billing": f"{plan['interval'].lower()} in {plan['currency']}",
        "charges": "; ".join(charge_words(c) for c in plan["charges"]) or "no charges",
    }


def metric_row(metric: dict[str, Any]) -> dict[str, Any]:
    words = AGGREGATION_WORDS.get(metric["aggregation"], metric["aggregation"].lower())
    return {
        "id": metric["id"],
        "name": f"{metric['name']} ({metric['code']})",
        "unit": metric["unitPlural"],
        "how": words.format(p=metric["property"] or ""),
    }


async def plans(api: Api) -> None:
    ui.label("Plans").classes("text-subtitle1")
    await paged_table(
        api,
        PLANS,
        "plans",
        columns(("name", "Plan"), ("billing", "Billed"), ("charges", "Prices")),
        plan_row,
        "plans",
        "No plans yet.",
    )
    if api.console.has_query("metrics"):
        ui.label("Metrics (what usage is counted)").classes("text-subtitle1")
        await paged_table(
            api,
            METRICS,
            "metrics",
            columns(("name", "Metric"), ("unit", "Unit"), ("how", "How")),
            metric_row,
            "metrics",
            "No metrics yet.",
        )


def register(console: Console) -> None:
    @ui.page("/console/plans", title="Plans & metrics · Tally")
    async def plans_page() -> Response | None:
        return await page(console, "/console/plans", "Plans & metrics", plans)
