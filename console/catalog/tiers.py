"""The tier editor of graduated and volume charges: one row per tier, one input per field.

A tier's fields are the rows of ``TIER_FIELDS`` — the input's label, its key in the API's
``ChargeTierInput``, the words a message uses — so a new field of the API is one more entry
here (the domain's ``Tier`` reads the same keys through ``domain_tier``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from nicegui import ui

from app.plans.money_pricing import Tier
from console.catalog.checks import Checks, plain


@dataclass(frozen=True)
class TierField:
    key: str  # the field of ChargeTierInput (and of the Charge's tiers)
    label: str
    what: str  # how a message names it: "the price per unit"
    required: bool = True
    domain: str = ""  # the attribute of app.plans.money_pricing.Tier ("" = none)


UP_TO = TierField("upTo", "Up to (units)", "the last unit of the tier", False, "up_to")
TIER_FIELDS = (
    UP_TO,
    TierField("unitPrice", "Price per unit", "the price per unit", True, "unit_price"),
    TierField("flatFee", "Flat fee", "the flat fee", False, "flat_fee"),
)
Row = dict[str, Any]  # field key → its input


class TierEditor:
    """Rows of tier inputs; ``changed`` runs after every edit (the live preview)."""

    def __init__(self, tiers: list[dict[str, Any]], changed: Callable[[], None]) -> None:
        self.changed, self.rows = changed, list[Row]()
        ui.label("Tiers (the last one has no upper limit: leave “Up to” empty)").classes(
            "text-caption text-grey-8"
        )
        self.box = ui.column().classes("w-full gap-1")
        for tier in tiers or [{}, {}]:
            self.add(tier)
        ui.button("Add a tier", icon="add", on_click=lambda: self.add({})).props(
            "flat dense no-caps"
        ).mark("add-tier")

    def add(self, tier: dict[str, Any]) -> None:
        with self.box, ui.row().classes("w-full items-start gap-2 no-wrap") as line:
            row: Row = {}
            for field in TIER_FIELDS:
                row[field.key] = ui.input(field.label, value=plain(tier.get(field.key)))
                row[field.key].classes("w-40").props("dense").mark(f"tier-{field.key}")
                row[field.key].on_value_change(self.changed)
            row["line"] = line
            ui.button(icon="close", on_click=lambda: self.remove(row)).props(
                "flat dense round"
            ).tooltip("Remove this tier")
        self.rows.append(row)

    def remove(self, row: Row) -> None:
        self.rows.remove(row)
        self.box.remove(row["line"])
        self.changed()

    def read(self, checks: Checks) -> list[dict[str, Decimal | None]]:
        """The tiers as typed, checked in plain words (overlaps, a bounded last tier)."""
        if not self.rows:
            checks.ok = False
        tiers = [self.read_row(row, checks) for row in self.rows]
        self.check_order(tiers, checks)
        return tiers

    def read_row(self, row: Row, checks: Checks) -> dict[str, Decimal | None]:
        return {f.key: checks.number(row[f.key], f.what, required=f.required) for f in TIER_FIELDS}

    def check_order(self, tiers: list[dict[str, Decimal | None]], checks: Checks) -> None:
        floor = Decimal(0)
        for index, (tier, row) in enumerate(zip(tiers, self.rows, strict=True)):
            up_to, last = tier[UP_TO.key], index == len(tiers) - 1
            if up_to is None and not last and not row[UP_TO.key].error:
                checks.fail(
                    row[UP_TO.key],
                    "Only the last tier can be open-ended: enter where this one stops.",
                )
            elif up_to is not None and last:
                checks.fail(
                    row[UP_TO.key],
                    "Leave this empty: the last tier covers everything above the one before.",
                )
            elif up_to is not None and up_to <= floor:
                checks.fail(
                    row[UP_TO.key],
                    f"The tiers overlap: this tier must stop above "
                    f"{plain(floor)}, where the one before it stops.",
                )
            floor = up_to if up_to is not None and up_to > floor else floor

    def values(self) -> list[Tier]:
        """The tiers as typed, for the preview (ValueError or ArithmeticError when one is not
        a number yet)."""
        return [
            domain_tier(
                {
                    f.key: Decimal(v) if (v := row[f.key].value.strip()) else None
                    for f in TIER_FIELDS
                }
            )
            for row in self.rows
        ]

    def clear(self) -> None:
        for row in self.rows:
            for field in TIER_FIELDS:
                row[field.key].error = None


def domain_tier(tier: dict[str, Decimal | None]) -> Tier:
    values: dict[str, Any] = {
        f.domain: tier[f.key] for f in TIER_FIELDS if f.domain and tier[f.key] is not None
    }
    if "unit_price" not in values:
        raise ValueError("a tier needs its price per unit")
    return replace(Tier(up_to=None, unit_price=Decimal(0)), **values)


def api_tier(tier: dict[str, Decimal | None]) -> dict[str, str]:
    return {key: str(value) for key, value in tier.items() if value is not None}
