"""The customer portal in a real headless Chromium against a real `tally serve`: a card added
from the sandbox's test cards, a purchase confirmed with the pack, the price and the card and
paid with a double click (one charge), a declined card told in red, and the auto-recharge rule
read and switched — only where the operator allows it. A screenshot per step in
artifacts/screenshots/<test>/."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.console.browser import SCREENSHOTS, Served, browser, literal, served
from tests.console.test_browser import Page

__all__ = ["browser", "served"]  # the fixtures
pytestmark = pytest.mark.timeout(600)  # `tally serve` takes a minute to start on a busy machine

SET_UP = """
mutation {
  createCustomer(input: {externalId: "acme", name: "Acme Corp", currency: "USD",
    wallet: {rate: "0.01"}}) { __typename ... on Error { message } }
  createBundle(input: {code: "starter", name: "Starter Pack", credits: "5000",
    price: "50.00", currency: "USD"}) { __typename ... on Error { message } }
  createPortalLink(customerExternalId: "acme") { __typename ... on PortalLink { url } }
}"""
STATE = 'query { customer(externalId: "acme") { wallet { id balance } } }'
RECHARGES = """
query($w: ID!) { recharges(walletId: $w) { nodes { status failureReason } } }"""


class Steps(Page):
    """``Page`` with screenshots numbered per test: <test>/<nn>-<step>.png."""

    def __init__(self, driver: Any, served: Served, test: str) -> None:
        super().__init__(driver, served, test)
        self.folder = SCREENSHOTS / test
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def shot(self, name: str) -> None:
        time.sleep(0.4)  # let transitions finish
        self.count += 1
        self.driver.save_screenshot(str(self.folder / f"{self.count:02d}-{name}.png"))

    def choose(self, label: str, option: str) -> None:
        select = (  # a q-select has no <input>: click its field
            "//label[contains(@class,'q-field')][.//*[contains(@class,'q-field__label') and "
            f"contains(normalize-space(.), {literal(label)})]]"
        )
        self.retry(lambda: self.visible(select).click())
        self.retry(
            lambda: self.visible(
                f"//div[contains(@class,'q-item')][contains(normalize-space(.), {literal(option)})]"
            ).click()
        )


def start(served: Served, browser: Any, test: str) -> tuple[Steps, str, str]:
    key = served.cli("create-api-key", "--name", "portal test", "--scope", "admin")
    data = served.graphql(key, SET_UP)
    page = Steps(browser, served, test)
    page.open(urlsplit(data["createPortalLink"]["url"]).path)
    page.see("Acme Corp")
    return page, key, str(served.graphql(key, STATE)["customer"]["wallet"]["id"])


def state(served: Served, key: str) -> dict[str, Any]:
    found: dict[str, Any] = served.graphql(key, STATE)["customer"]["wallet"]
    found["recharges"] = served.graphql(key, RECHARGES, w=found["id"])["recharges"]
    return found


def test_the_customer_adds_a_card_and_buys_with_a_double_click(
    served: Served, browser: Any
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    page, key, _ = start(served, browser, "portal_buy_double_click")
    page.see("No card on file yet.")
    page.click("Buy")
    page.see("Add a card below to buy credits.")  # no charge without a card
    page.shot("no-card")
    page.click("Add card")  # the first test card: Visa •••• 4242, always approved
    page.see("Visa •••• 4242 was added.")
    page.shot("card-added")
    page.click("Buy")
    page.see("Buy Starter Pack — 5,000 credits for 50.00 USD, charged to Visa •••• 4242?")
    page.shot("confirmation")
    pay = page.button("Pay 50.00 USD")
    ActionChains(browser).double_click(pay).perform()  # two real clicks
    page.see("Payment received: Starter Pack was added.", seconds=30)
    page.see("You have 5,000 credits left")
    page.shot("paid")
    found = state(served, key)
    assert [r["status"] for r in found["recharges"]["nodes"]] == ["SUCCEEDED"]  # one charge
    assert found["balance"] == "5000"


def test_a_declined_card_is_a_clear_failure(served: Served, browser: Any) -> None:
    page, key, _ = start(served, browser, "portal_declined_card")
    page.click("Add card")
    page.see("Visa •••• 4242 was added.")
    page.choose("Add a card", "always declined")
    page.click("Add card")
    page.see("Visa •••• 0002 was added.")
    page.click("Make default")
    page.see("Visa •••• 0002 is now your default card.")
    page.shot("declining-card-default")
    page.click("Buy")
    page.see("charged to Visa •••• 0002?")
    page.click("Pay 50.00 USD")
    page.see("The payment for Starter Pack failed", seconds=30)
    page.see("No credits were added; try another card or contact us.")
    page.shot("declined")
    page.not_see("Payment received")
    page.visible(  # the status line under the bundles, in red
        "//*[contains(@class,'text-negative')][contains(., 'No credits were added')]"
    )
    found = state(served, key)
    assert found["balance"] == "0"
    assert found["recharges"]["nodes"][0]["status"] == "FAILED"
    assert "declined" in found["recharges"]["nodes"][0]["failureReason"]


RULE = """
mutation($w: ID!, $allowed: Boolean!) {
  setAutoRecharge(input: {walletId: $w, trigger: THRESHOLD, method: FIXED, credits: "5000",
    threshold: "50", monthlyMaxRecharges: 4, monthlyMaxAmount: "200"}) {
    __typename ... on Error { message } }
  setTopUpOptions(input: {walletId: $w, customerSwitchesAutoRecharge: $allowed}) {
    __typename ... on Error { message } }
}"""
RULE_WORDS = (
    "When the balance drops to 50 credits or below, buy 5,000 credits for 50.00 USD, charged "
    "to Visa •••• 4242. At most 4 times and 200.00 USD a month; at least 10 minutes apart."
)


def test_the_customer_reads_and_switches_auto_recharge(served: Served, browser: Any) -> None:
    page, key, wallet = start(served, browser, "portal_auto_recharge")
    page.click("Add card")
    page.see("Visa •••• 4242 was added.")
    served.graphql(key, RULE, w=wallet, allowed=False)
    page.driver.refresh()
    page.see(RULE_WORDS)
    page.see("Your account manager sets auto-recharge for you")
    page.shot("rule-set-by-operator")
    served.graphql(key, RULE, w=wallet, allowed=True)
    page.driver.refresh()
    page.see(RULE_WORDS)
    page.click("Turn off")
    page.see("Turn off auto-recharge?")
    page.shot("turn-off-confirmation")
    page.click("Turn off")
    page.see("Auto-recharge is off.")
    page.see("Off (turned off by the customer). When on: when the balance drops to 50 credits")
    page.shot("off")
    page.click("Turn on")
    page.see("Your card is charged each time, without asking again.")
    page.click("Turn on")
    page.see("Auto-recharge is on.")
    page.see(RULE_WORDS)
    page.shot("on-again")
