"""A plan in one form: name, currency, billing interval, base fee, its charges (credits or
money, every pricing model, tiers with a live preview) and its usage thresholds. Creating it
or saving changes passes a review of what will change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import ERROR_FIELDS, Api, operation
from console.catalog.charges import MODELS, ChargeEditor
from console.catalog.checks import Checks, plain
from console.catalog.review import changes
from console.catalog.thresholds import ThresholdEditor, words
from console.dialog import Confirmation, Dialog
from console.errors import Inputs

CHARGE = (
    "pricing model creditPrice packageSize unitPrice percentage fixedFee "
    "tiers { upTo unitPrice flatFee } metric { code name unitSingular unitPlural }"
)
PLAN = (
    f"id code name description currency interval charges {{ {CHARGE} }} "
    "baseFee { amount currency } thresholds { amount { amount } recurring }"
)
CREATE = operation(f"""
mutation CreatePlan($input: CreatePlanInput!) {{
  createPlan(input: $input) {{ ... on PlanPayload {{ plan {{ {PLAN} }} }} {ERROR_FIELDS} }}
}}
""")
UPDATE = operation(f"""
mutation UpdatePlan($input: UpdatePlanInput!) {{
  updatePlan(input: $input) {{ ... on PlanPayload {{ plan {{ {PLAN} }} }} {ERROR_FIELDS} }}
}}
""")
INTERVALS = {"MONTHLY": "Monthly", "YEARLY": "Yearly", "WEEKLY": "Weekly"}
LABELS = {
    "name": "Name",
    "description": "Description",
    "baseFee": "Base fee",
    "charges": "Prices",
    "thresholds": "Usage thresholds",
}
Changed = Callable[[], Awaitable[None]]


def editable(charge: dict[str, Any]) -> dict[str, Any]:
    """A stored charge as the editor's starting values."""
    return {**charge, "metric": charge["metric"]["code"]}


def charge_words(charge: dict[str, Any], metrics: dict[str, Any], currency: str) -> str:
    metric = metrics.get(charge["metricCode"], {"name": charge["metricCode"]})
    unit = metric.get("unitSingular", "unit")
    if "creditPrice" in charge:
        per = (
            f"{charge['packageSize']} {metric.get('unitPlural', 'units')}"
            if charge["model"] == "PACKAGE"
            else unit
        )
        return f"{metric['name']}: {format.credits(charge['creditPrice'])} per {per}"
    if "tiers" in charge:
        tiers = "; ".join(
            f"{'up to ' + plain(t['upTo']) if t.get('upTo') else 'above'}: "
            f"{plain(t['unitPrice'])} {currency} each"
            + (
                f" + {plain(t['flatFee'])} {currency}"
                if Decimal(str(t.get("flatFee") or 0))
                else ""
            )
            for t in charge["tiers"]
        )
        return f"{metric['name']}: {MODELS[charge['model']].lower()} — {tiers}"
    if "percentage" in charge:
        return (
            f"{metric['name']}: {plain(charge['percentage'])}% + "
            f"{plain(charge['fixedFee'])} {currency} per event"
        )
    per = f"{charge.get('packageSize', 1)} units" if charge["model"] == "PACKAGE" else unit
    return f"{metric['name']}: {plain(charge['unitPrice'])} {currency} per {per}"


def stored_input(charge: dict[str, Any]) -> dict[str, Any]:
    """A stored charge in the API's input shape (to describe what it was)."""
    keep = (
        ("model", "packageSize", "creditPrice")
        if charge["pricing"] == "CREDITS"
        else ("model", "packageSize", "unitPrice", "tiers", "percentage", "fixedFee")
    )
    values = {k: charge[k] for k in keep if charge.get(k) not in (None, [])}
    return {"metricCode": charge["metric"]["code"], **values}


class PlanDialog(Dialog):
    """Create a plan (``plan`` None) or edit one (its code, currency and interval stay)."""

    width = "w-[64rem] !max-w-[96vw]"

    def __init__(
        self, api: Api, plan: dict[str, Any] | None, metrics: list[dict[str, Any]], changed: Changed
    ) -> None:
        self.plan, self.changed = plan, changed
        self.metrics = {m["code"]: m for m in metrics}
        self.editors: list[ChargeEditor] = []
        title = f"Edit the plan {plan['name']}" if plan else "New plan"
        super().__init__(api, "plan", title, "plan-next")

    def ask(self) -> None:
        p = self.plan or {}
        with ui.row().classes("w-full gap-2 no-wrap"):
            self.name = ui.input("Name", value=p.get("name", "")).classes("w-64")
            self.code = ui.input("Code", value=p.get("code", "")).classes("w-40")
            self.currency = ui.input("Currency", value=p.get("currency", "USD")).classes("w-28")
            self.interval = ui.select(
                INTERVALS, label="Billing interval", value=p.get("interval", "MONTHLY")
            )
            self.interval.classes("w-36")
            fee = p.get("baseFee", {}).get("amount")
            self.base_fee = ui.input("Base fee per period", value=plain(fee) or "0").classes("w-48")
        self.description = ui.input("Description", value=p.get("description", "")).classes("w-full")
        if self.plan is not None:
            for fixed in (self.code, self.currency, self.interval):
                fixed.disable()
        ui.label("Prices").classes("text-subtitle1")
        self.charges = ui.column().classes("w-full gap-2")
        for charge in p.get("charges", []):
            self.add_charge(editable(charge))
        ui.button("Add a price", icon="add", on_click=lambda: self.add_charge({})).props(
            "outline no-caps"
        ).mark("add-charge")
        ui.label("Usage thresholds (money usage is invoiced early when it reaches them)").classes(
            "text-subtitle1"
        )
        self.thresholds = ThresholdEditor(p.get("thresholds", []), str(self.currency.value))

    def add_charge(self, charge: dict[str, Any]) -> None:
        """A new price starts on the first metric no other price uses yet."""
        used = {e.metric.value for e in self.live()}
        free = [code for code in self.metrics if code not in used]
        charge = charge or ({"metric": free[0]} if free else {})
        with self.charges:
            self.editors.append(ChargeEditor(self.metrics, charge, self.currency))

    def inputs(self) -> Inputs:
        return {
            "name": self.name,
            "code": self.code,
            "currency": self.currency,
            "baseFee": self.base_fee,
            "description": self.description,
        }

    def checked(self) -> bool:
        checks = Checks()
        for editor in self.live():
            editor.clear()
        self.thresholds.clear()
        checks.text(self.name, "Enter the plan's name, e.g. Growth.")
        checks.text(self.code, "Enter a code for the plan, e.g. growth.")
        if len(forms.text(self.currency)) != 3:
            checks.fail(self.currency, "Enter a three-letter currency code, e.g. USD.")
        checks.number(self.base_fee, "the base fee (0 for none)")
        self.read_charges, self.read_thresholds = self.read(checks)
        return checks.ok

    def live(self) -> list[ChargeEditor]:
        return [e for e in self.editors if not e.removed]

    def read(self, checks: Checks) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        charges = [editor.read(checks) for editor in self.live()]
        used = [c["metricCode"] for c in charges]
        for editor, code in zip(self.live(), used, strict=True):
            if code and used.count(code) > 1:
                checks.fail(
                    editor.metric, "This metric is priced twice: keep one price per metric."
                )
        return charges, self.thresholds.read(checks)

    def values(self) -> dict[str, Any]:
        currency = forms.text(self.currency).upper()
        return {
            "name": forms.text(self.name),
            "description": forms.text(self.description),
            "baseFee": format.money(forms.text(self.base_fee).replace(",", ""), currency),
            "charges": "; ".join(charge_words(c, self.metrics, currency) for c in self.read_charges)
            or "none",
            "thresholds": words(self.read_thresholds, currency),
        }

    def confirmations(self) -> list[Confirmation]:
        after = self.values()
        if self.plan is not None:
            before = self.stored_values()
            title = f"Save these changes to the plan {self.plan['name']}?"
            lines = [title, *changes(LABELS, before, after)]
            if after["thresholds"] != before["thresholds"]:
                lines.append(
                    "New thresholds act at once: subscriptions whose usage already "
                    "reached one are invoiced now."
                )
            return [Confirmation(lines, "Yes, save the plan")]
        interval = INTERVALS[str(self.interval.value)].lower()
        lines = [
            f"Create the plan {after['name']} (code {forms.text(self.code)}), billed "
            f"{interval} in {forms.text(self.currency).upper()}.",
            f"Base fee: {after['baseFee']} per period.",
            *(
                f"Price — {charge_words(c, self.metrics, forms.text(self.currency).upper())}"
                for c in self.read_charges
            ),
            f"Usage thresholds: {after['thresholds']}.",
        ]
        return [Confirmation(lines, "Yes, create the plan")]

    def stored_values(self) -> dict[str, Any]:
        assert self.plan is not None
        currency = self.plan["currency"]
        charges = [stored_input(c) for c in self.plan["charges"]]
        return {
            "name": self.plan["name"],
            "description": self.plan["description"],
            "baseFee": format.money(self.plan["baseFee"]["amount"], currency),
            "charges": "; ".join(charge_words(c, self.metrics, currency) for c in charges)
            or "none",
            "thresholds": words(
                [
                    {"amount": t["amount"]["amount"], "recurring": t["recurring"]}
                    for t in self.plan["thresholds"]
                ],
                currency,
            ),
        }

    @property
    def document(self) -> str:
        return UPDATE if self.plan else CREATE

    def variables(self) -> dict[str, Any]:
        fields = {
            "name": forms.text(self.name),
            "description": forms.text(self.description),
            "baseFee": forms.text(self.base_fee).replace(",", ""),
            "charges": [c for c in self.read_charges if "creditPrice" in c],
            "moneyCharges": [c for c in self.read_charges if "creditPrice" not in c],
            "thresholds": self.read_thresholds,
        }
        if self.plan is not None:
            return {"input": {"code": self.plan["code"], **self.edited(fields)}}
        fixed = {
            "code": forms.text(self.code),
            "currency": forms.text(self.currency).upper(),
            "interval": self.interval.value,
        }
        return {"input": {**fixed, **fields}}

    def edited(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The fields whose words changed (both kinds of charges go with ``charges``)."""
        before, after = self.stored_values(), self.values()
        keys = {k: k for k in fields} | {"moneyCharges": "charges"}
        return {k: v for k, v in fields.items() if before[keys[k]] != after[keys[k]]}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        verb = "saved" if self.plan else "created"
        ui.notify(f"The plan {payload['plan']['name']} is {verb}.", type="positive")
        await self.changed()
