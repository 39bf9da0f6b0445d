"""One charge of a plan in the editor: the metric, credits or money, the pricing model and its
prices, and a live preview computed by the domain's own pricing code ("150 units → 120.00
USD")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from app.plans.models import ChargeModel, ChargePricing
from app.plans.money_pricing import MoneyPrice, amount
from app.plans.pricing import Price, credits_for
from console import format
from console.catalog.checks import Checks, plain
from console.catalog.tiers import TierEditor, api_tier

PRICINGS = {
    "CREDITS": "In credits (taken from the wallet as usage arrives)",
    "MONEY": "In money (invoiced)",
}
MODELS = {
    "PER_UNIT": "Per unit",
    "PACKAGE": "Per package of units",
    "GRADUATED": "Graduated tiers (each tier prices its own units)",
    "VOLUME": "Volume tiers (the total's tier prices every unit)",
    "PERCENTAGE": "Percentage of an amount",
}
CREDIT_MODELS = ("PER_UNIT", "PACKAGE")
TIERED = ("GRADUATED", "VOLUME")


class ChargeEditor:
    """The inputs of one charge; ``read`` checks them and returns the charge's API input."""

    def __init__(self, metrics: dict[str, dict[str, Any]], charge: dict[str, Any], currency: Any):
        self.metrics, self.currency, self.removed = metrics, currency, False
        with ui.card().classes("w-full gap-1").props("flat bordered") as self.card:
            self.top(charge)
            self.prices(charge)
            self.tiers = ui.column().classes("w-full")
            with self.tiers:
                self.tier_editor = TierEditor(charge.get("tiers", []), self.preview)
            with ui.row().classes("items-center gap-2"):
                self.quantity = ui.input("Preview for (units)", value="150").classes("w-40")
                self.quantity.mark("preview-for")
                self.result = ui.label("").classes("text-body1 text-primary").mark("preview")
        for element in (self.pricing, self.model, self.metric):
            element.on_value_change(self.shown)
        self.quantity.on_value_change(self.preview)
        self.shown()

    def top(self, charge: dict[str, Any]) -> None:
        names = {code: m["name"] for code, m in self.metrics.items()}
        with ui.row().classes("w-full items-start gap-2 no-wrap"):
            self.metric = ui.select(names, label="Metric", value=charge.get("metric"))
            self.metric.classes("w-48").mark("charge-metric")
            self.pricing = ui.select(
                PRICINGS, label="Billed", value=charge.get("pricing", "CREDITS")
            )
            self.pricing.classes("w-64").mark("charge-pricing")
            self.model = ui.select(
                MODELS, label="Pricing model", value=charge.get("model", "PER_UNIT")
            )
            self.model.classes("w-64").mark("charge-model")
            ui.button(icon="delete", on_click=self.remove).props("flat round dense").tooltip(
                "Remove this charge"
            )

    def prices(self, charge: dict[str, Any]) -> None:
        with ui.row().classes("w-full items-start gap-2"):
            self.credit_price = self.number("Credits per unit", charge.get("creditPrice"))
            self.unit_price = self.number("Price per unit", charge.get("unitPrice"))
            self.package_size = self.number("Units per package", charge.get("packageSize", 1))
            self.percentage = self.number("Percentage (0–100)", charge.get("percentage"))
            self.fixed_fee = self.number("Fee per event", charge.get("fixedFee"))
        for name in ("credit_price", "unit_price", "package_size", "percentage", "fixed_fee"):
            getattr(self, name).mark(name.replace("_", "-"))

    def number(self, label: str, value: Any) -> ui.input:
        element = ui.input(label, value=plain(value)).classes("w-40")
        element.on_value_change(self.preview)
        return element

    def remove(self) -> None:
        self.removed = True
        self.card.delete()

    @property
    def money(self) -> bool:
        return bool(self.pricing.value == "MONEY")

    def shown(self) -> None:
        if not self.money and self.model.value not in CREDIT_MODELS:
            self.model.value = "PER_UNIT"
        self.model.set_options(
            MODELS if self.money else {k: MODELS[k] for k in CREDIT_MODELS}, value=self.model.value
        )
        model = self.model.value
        per = "package" if model == "PACKAGE" else "unit"
        self.credit_price.props(f"label='Credits per {per}'")
        self.unit_price.props(f"label='Price per {per} ({self.currency.value or 'money'})'")
        self.credit_price.set_visibility(not self.money)
        self.unit_price.set_visibility(self.money and model in CREDIT_MODELS)
        self.package_size.set_visibility(model == "PACKAGE")
        self.percentage.set_visibility(self.money and model == "PERCENTAGE")
        self.fixed_fee.set_visibility(self.money and model == "PERCENTAGE")
        self.tiers.set_visibility(self.money and model in TIERED)
        self.preview()

    def read(self, checks: Checks) -> dict[str, Any]:
        """The charge's input for the API (``checks`` says whether it is right)."""
        if not self.metric.value:
            checks.fail(self.metric, "Choose the metric this charge prices.")
        model, values = str(self.model.value), {"metricCode": self.metric.value}
        values["model"] = model
        if model == "PACKAGE":
            size = checks.number(self.package_size, "the units per package", above_zero=True)
            if size is not None and size != size.to_integral_value():
                checks.fail(self.package_size, "A package holds a whole number of units.")
            values["packageSize"] = int(size or 1)
        if not self.money:
            values["creditPrice"] = str(checks.number(self.credit_price, "the credits per unit"))
        elif model in TIERED:
            values["tiers"] = [api_tier(t) for t in self.tier_editor.read(checks)]
        elif model == "PERCENTAGE":
            values.update(self.percent_values(checks))
        else:
            values["unitPrice"] = str(checks.number(self.unit_price, "the price"))
        return values

    def percent_values(self, checks: Checks) -> dict[str, str]:
        share = checks.number(self.percentage, "the percentage")
        if share is not None and share > 100:
            checks.fail(self.percentage, "The percentage must be between 0 and 100.")
        fee = checks.number(self.fixed_fee, "the fee per event", required=False)
        return {"percentage": str(share), "fixedFee": str(fee or 0)}

    def clear(self) -> None:
        for element in (
            self.metric,
            self.credit_price,
            self.unit_price,
            self.package_size,
            self.percentage,
            self.fixed_fee,
        ):
            element.error = None
        self.tier_editor.clear()

    def preview(self) -> None:
        """What the quantity typed costs under the prices typed, by the domain's pricing."""
        try:
            self.result.set_text(self.priced(Decimal(self.quantity.value.replace(",", ""))))
        except (ArithmeticError, TypeError, ValueError, AttributeError):
            self.result.set_text("Enter the prices to see what usage costs.")

    def priced(self, quantity: Decimal) -> str:
        metric = self.metrics.get(str(self.metric.value), {})
        units = (
            metric.get("unitPlural", "units")
            if quantity != 1
            else metric.get("unitSingular", "unit")
        )
        size = int(Decimal(self.package_size.value or 1))
        model = ChargeModel(str(self.model.value).lower())
        if not self.money:
            credit = Price(ChargePricing.CREDITS, model, Decimal(self.credit_price.value), size)
            cost = format.credits(credits_for(credit, quantity))
            return f"{format.number(quantity)} {units} → {cost}"
        price = MoneyPrice(
            model=model,
            unit_price=Decimal(self.unit_price.value or 0),
            package_size=size,
            tiers=tuple(self.tier_editor.values()) if model.name in TIERED else (),
            percentage=Decimal(self.percentage.value or 0),
            fixed_fee=Decimal(self.fixed_fee.value or 0),
        )
        events = 1 if model is ChargeModel.PERCENTAGE else 0
        total = format.money(amount(price, quantity, events), str(self.currency.value))
        return f"{format.number(quantity)} {units} → {total}"
