"""A customer's own usage thresholds: the plan's apply unless an admin sets this customer's
(raise them for a trusted customer), or puts the customer back on the plan's."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from console.api import ERROR_FIELDS, Api, operation
from console.catalog.checks import Checks
from console.catalog.thresholds import ThresholdEditor, words
from console.dialog import Confirmation, Dialog
from console.errors import NOTE, fetch

LIVE = operation("""
query SubscriptionThresholds($id: String!) {
  subscriptions(customerExternalId: $id, statuses: [ACTIVE, SUSPENDED]) {
    nodes {
      id thresholdsOverridden thresholds { amount { amount currency } recurring }
      plan { name currency thresholds { amount { amount } recurring } }
    }
  }
}
""")
RESULT = "... on SubscriptionPayload { subscription { id thresholdsOverridden } }"
SET = operation(f"""
mutation SetSubscriptionThresholds($input: SetSubscriptionThresholdsInput!) {{
  setSubscriptionThresholds(input: $input) {{ {RESULT} {ERROR_FIELDS} }}
}}
""")
CLEAR = operation(f"""
mutation ClearSubscriptionThresholds($id: ID!) {{
  clearSubscriptionThresholds(subscriptionId: $id) {{ {RESULT} {ERROR_FIELDS} }}
}}
""")


def flat(thresholds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"amount": t["amount"]["amount"], "recurring": t["recurring"]} for t in thresholds]


class OverrideDialog(Dialog):
    document = SET
    width = "w-[36rem]"

    def __init__(self, api: Api, node: dict[str, Any], name: str, changed: Any) -> None:
        self.node, self.name, self.changed = node, name, changed
        self.currency = node["plan"]["currency"]
        super().__init__(api, "override", f"Usage thresholds for {name}", "override-next")

    def ask(self) -> None:
        plan = words(flat(self.node["plan"]["thresholds"]), self.currency)
        ui.label(
            f"The plan {self.node['plan']['name']} invoices usage early {plan}. Set "
            f"{self.name}'s own (amounts in {self.currency}):"
        ).classes("text-body2")
        self.editor = ThresholdEditor(self.node["thresholds"], self.currency)

    def checked(self) -> bool:
        checks = Checks()
        self.editor.clear()
        self.read = self.editor.read(checks)
        if checks.ok and not self.read:
            checks.fail(
                self.editor.amounts,
                "Enter at least one amount (or put the customer "
                "back on the plan's thresholds instead).",
            )
        return checks.ok

    def confirmations(self) -> list[Confirmation]:
        before = words(flat(self.node["thresholds"]), self.currency)
        after = words(self.read, self.currency)
        lines = [
            f"{self.name}'s usage thresholds: {before} → {after}.",
            "They act at once: usage that already reached a new threshold is invoiced now.",
        ]
        return [Confirmation(lines, "Yes, set the thresholds")]

    def variables(self) -> dict[str, Any]:
        return {"input": {"subscriptionId": self.node["id"], "thresholds": self.read}}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"{self.name} has their own usage thresholds now.", type="positive")
        await self.changed()


class ClearDialog(Dialog):
    document = CLEAR

    def __init__(self, api: Api, node: dict[str, Any], name: str, changed: Any) -> None:
        self.node, self.name, self.changed = node, name, changed
        super().__init__(api, "clear-override", "Back to the plan's thresholds?", "clear-next")

    def ask(self) -> None:
        plan = words(flat(self.node["plan"]["thresholds"]), self.node["plan"]["currency"])
        ui.label(
            f"{self.name}'s usage is invoiced early {plan}, like every customer on "
            f"{self.node['plan']['name']}."
        )

    def confirmations(self) -> list[Confirmation]:
        line = f"Drop {self.name}'s own thresholds; the plan's apply again, at once."
        return [Confirmation([line], "Yes, use the plan's thresholds")]

    def variables(self) -> dict[str, Any]:
        return {"id": self.node["id"]}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"{self.name} is back on the plan's thresholds.", type="positive")
        await self.changed()


class ThresholdOverride:
    def __init__(self, api: Api, external_id: str, name: str) -> None:
        self.api, self.external_id, self.name = api, external_id, name

    def can(self, mutation: str) -> bool:
        return self.api.is_admin and self.api.console.has_mutation(mutation)

    async def changed(self) -> None:
        self.show.refresh()

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, LIVE, {"id": self.external_id}, NOTE)
        nodes = data["subscriptions"]["nodes"] if data else []
        if not nodes:
            ui.label("No plan, so no usage thresholds.").classes("text-grey-8")
        for node in nodes:
            self.lines(node)

    def lines(self, node: dict[str, Any]) -> None:
        currency = node["plan"]["currency"]
        whose = f"{self.name}'s own" if node["thresholdsOverridden"] else "the plan's"
        text = f"Usage is invoiced early {words(flat(node['thresholds']), currency)} ({whose})."
        ui.label(text).mark("thresholds-in-force")
        with ui.row().classes("gap-2"):
            if self.can("setSubscriptionThresholds"):
                ui.button(
                    "Set this customer's thresholds",
                    icon="tune",
                    on_click=lambda: OverrideDialog(self.api, node, self.name, self.changed).open(),
                ).props("outline no-caps").mark("override")
            if node["thresholdsOverridden"] and self.can("clearSubscriptionThresholds"):
                ui.button(
                    "Back to the plan's",
                    icon="undo",
                    on_click=lambda: ClearDialog(self.api, node, self.name, self.changed).open(),
                ).props("flat no-caps").mark("clear-override")
