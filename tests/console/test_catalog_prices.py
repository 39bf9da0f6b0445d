"""The plan editor's live preview for every pricing model, computed by the domain's pricing
code as the prices are typed (NiceGUI's simulated user: fast, in-process)."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.testing import User

from tests.conftest import GraphQLClient
from tests.console.support import eventually

METRICS = """mutation {
  a: createMetric(input: {code: "report", name: "Reports", unitSingular: "report generated",
    unitPlural: "reports generated", aggregation: COUNT}) { __typename }
  b: createMetric(input: {code: "payments", name: "Payments", unitSingular: "dollar paid",
    unitPlural: "dollars paid", aggregation: SUM, property: "amount"}) { __typename }
}"""


def in_order(user: User, marker: str) -> list[Any]:
    """The elements with ``marker`` in the order they were made (``find`` gives a set)."""
    return sorted(user.find(marker=marker).elements, key=lambda element: element.id)


def one(user: User, marker: str) -> Any:
    return in_order(user, marker)[-1]


def preview(user: User) -> str:
    return str(one(user, "preview").text)


async def open_charge(user: User, gql: GraphQLClient) -> None:
    await gql(METRICS)
    await user.open("/console/plans")
    await user.should_see("New plan", retries=30)
    user.find("New plan").click()
    await user.should_see("Add a price", retries=30)
    user.find("Add a price").click()
    assert await eventually(lambda: bool(user.find(marker="charge-metric").elements))


def tiers(user: User, values: list[tuple[str, str, str]]) -> None:
    up_to = in_order(user, "tier-upTo")
    prices = in_order(user, "tier-unitPrice")
    fees = in_order(user, "tier-flatFee")
    for row, (bound, price, fee) in enumerate(values):
        up_to[row].value, prices[row].value, fees[row].value = bound, price, fee


@pytest.mark.parametrize(
    ("pricing", "model", "fields", "tier_rows", "quantity", "expected"),
    [
        ("CREDITS", "PER_UNIT", {"credit-price": "10"}, [], "150", "150 reports → 1,500 credits"),
        (
            "CREDITS",
            "PACKAGE",
            {"credit-price": "50", "package-size": "100"},
            [],
            "150",
            "150 reports → 100 credits",
        ),
        ("MONEY", "PER_UNIT", {"unit-price": "0.8"}, [], "150", "150 reports → 120.00 USD"),
        (
            "MONEY",
            "PACKAGE",
            {"unit-price": "5", "package-size": "100"},
            [],
            "250",
            "250 reports → 15.00 USD",
        ),
        (
            "MONEY",
            "GRADUATED",
            {},
            [("100", "1", "0"), ("", "0.4", "10")],
            "150",
            "150 reports → 130.00 USD",
        ),
        (
            "MONEY",
            "VOLUME",
            {},
            [("100", "1", "0"), ("", "0.4", "10")],
            "150",
            "150 reports → 70.00 USD",
        ),
    ],
)
async def test_the_preview_prices_every_model(
    logged_in: User,
    gql: GraphQLClient,
    pricing: str,
    model: str,
    fields: dict[str, str],
    tier_rows: list[tuple[str, str, str]],
    quantity: str,
    expected: str,
) -> None:
    user = logged_in
    await open_charge(user, gql)
    one(user, "charge-metric").value = "report"
    one(user, "charge-pricing").value = pricing
    one(user, "charge-model").value = model
    for marker, value in fields.items():
        one(user, marker).value = value
    if tier_rows:
        tiers(user, tier_rows)
    one(user, "preview-for").value = quantity
    expected = expected.replace("reports", "reports generated")
    assert await eventually(lambda: preview(user) == expected), preview(user)


async def test_a_percentage_preview_counts_one_event(logged_in: User, gql: GraphQLClient) -> None:
    user = logged_in
    await open_charge(user, gql)
    one(user, "charge-metric").value = "payments"
    one(user, "charge-pricing").value = "MONEY"
    one(user, "charge-model").value = "PERCENTAGE"
    one(user, "percentage").value = "2.5"
    one(user, "fixed-fee").value = "0.30"
    one(user, "preview-for").value = "1000"
    assert await eventually(lambda: preview(user) == "1,000 dollars paid → 25.30 USD"), preview(
        user
    )
    one(user, "percentage").value = "two"
    assert await eventually(lambda: preview(user) == "Enter the prices to see what usage costs.")
