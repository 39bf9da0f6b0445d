"""Metrics: what usage is counted, and how a unit is named ("report generated" / "reports
generated"). Admins create one, or edit its name, units and description (its code, how it
aggregates and the property it reads are fixed once events use it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from console import forms
from console.api import ERROR_FIELDS, Api, operation
from console.catalog.checks import Checks
from console.catalog.review import changed_only, changes
from console.dialog import Confirmation, Dialog
from console.errors import Inputs

FIELDS = "id code name unitSingular unitPlural aggregation property description"
CREATE = operation(f"""
mutation CreateMetric($input: CreateMetricInput!) {{
  createMetric(input: $input) {{ ... on MetricPayload {{ metric {{ {FIELDS} }} }} {ERROR_FIELDS} }}
}}
""")
UPDATE = operation(f"""
mutation UpdateMetric($input: UpdateMetricInput!) {{
  updateMetric(input: $input) {{ ... on MetricPayload {{ metric {{ {FIELDS} }} }} {ERROR_FIELDS} }}
}}
""")
AGGREGATIONS = {
    "COUNT": "Count the events",
    "SUM": "Add up a property of the events",
    "MAX": "Take the largest value of a property",
    "UNIQUE_COUNT": "Count the different values of a property",
    "LATEST": "Take the latest value of a property",
}
LABELS = {
    "name": "Name",
    "unitSingular": "One unit is called",
    "unitPlural": "Many units are called",
    "description": "Description",
}
Changed = Callable[[], Awaitable[None]]


class MetricDialog(Dialog):
    """Create a metric (``metric`` None) or edit one."""

    button = "Review"

    def __init__(self, api: Api, metric: dict[str, Any] | None, changed: Changed) -> None:
        self.metric, self.changed = metric, changed
        title = f"Edit the metric {metric['name']}" if metric else "New metric"
        super().__init__(api, "metric", title, "metric-next")

    def ask(self) -> None:
        m = self.metric or {}
        self.name = ui.input("Name", value=m.get("name", "")).classes("w-full")
        self.code = ui.input("Code (events name the metric by it)", value=m.get("code", ""))
        self.code.classes("w-full").props("hint='e.g. report — letters, digits, - and _'")
        self.singular = ui.input("One unit is called", value=m.get("unitSingular", ""))
        self.singular.classes("w-full").props("hint='e.g. report generated'")
        self.plural = ui.input("Many units are called", value=m.get("unitPlural", ""))
        self.plural.classes("w-full").props("hint='e.g. reports generated'")
        self.how = ui.select(AGGREGATIONS, label="How usage is counted", value="COUNT")
        self.how.classes("w-full")
        self.property = ui.input("Property to read", value=m.get("property") or "")
        self.property.classes("w-full").props("hint='the event property, e.g. gigabytes'")
        self.description = ui.input("Description", value=m.get("description", ""))
        self.description.classes("w-full")
        if self.metric is not None:
            self.how.value = self.metric["aggregation"]
            for fixed in (self.code, self.how, self.property):
                fixed.disable()
        self.how.on_value_change(self.shown)
        self.shown()

    def shown(self) -> None:
        self.property.set_visibility(self.how.value != "COUNT")

    def inputs(self) -> Inputs:
        return {
            "name": self.name,
            "code": self.code,
            "unitSingular": self.singular,
            "unitPlural": self.plural,
            "aggregation": self.how,
            "property": self.property,
            "description": self.description,
        }

    def checked(self) -> bool:
        checks = Checks()
        checks.text(self.name, "Enter the metric's name, e.g. Reports.")
        checks.text(self.code, "Enter the code events will use, e.g. report.")
        checks.text(self.singular, "Say what one unit is called, e.g. report generated.")
        checks.text(self.plural, "Say what many units are called, e.g. reports generated.")
        if self.how.value != "COUNT":
            checks.text(self.property, "Name the event property to read, e.g. gigabytes.")
        return checks.ok

    def values(self) -> dict[str, Any]:
        return {
            "name": forms.text(self.name),
            "unitSingular": forms.text(self.singular),
            "unitPlural": forms.text(self.plural),
            "description": forms.text(self.description),
        }

    def confirmations(self) -> list[Confirmation]:
        if self.metric is not None:
            lines = changes(LABELS, self.metric, self.values())
            title = f"Save these changes to the metric {self.metric['name']}?"
            return [Confirmation([title, *lines], "Yes, save the metric")]
        how = AGGREGATIONS[str(self.how.value)].lower()
        if self.how.value != "COUNT":
            how += f" “{forms.text(self.property)}”"
        values = self.values()
        return [
            Confirmation(
                [
                    f"Create the metric {values['name']} (code {forms.text(self.code)}).",
                    f"It will {how}; one unit is a “{values['unitSingular']}”, many are "
                    f"“{values['unitPlural']}”.",
                ],
                "Yes, create the metric",
            )
        ]

    @property
    def document(self) -> str:
        return UPDATE if self.metric else CREATE

    def variables(self) -> dict[str, Any]:
        values = self.values()
        if self.metric is not None:
            fields = changed_only(values, self.metric, values)
            return {"input": {"code": self.metric["code"], **fields}}
        extra = {"code": forms.text(self.code), "aggregation": self.how.value}
        if self.how.value != "COUNT":
            extra["property"] = forms.text(self.property)
        return {"input": {**values, **extra}}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        verb = "saved" if self.metric else "created"
        ui.notify(f"The metric {payload['metric']['name']} is {verb}.", type="positive")
        await self.changed()
