"""End to end in a real headless Chromium against a real `tally serve`: an operator logs in,
creates a customer, grants credits, sees usage arrive over POST /v1/events move the balance
without a reload, and opens the customer's portal; a viewer cannot grant; bad input writes
nothing. Every step leaves a screenshot in artifacts/screenshots/."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.access import tokens
from tests.console.browser import SCREENSHOTS, SECRET, Served, browser, literal, served

__all__ = ["browser", "served"]  # the fixtures

ADMIN = ("ops@tally.test", "browser-admin-password")
VIEWER = ("viewer@tally.test", "browser-viewer-password")


class Page:
    def __init__(self, driver: Any, served: Served, prefix: str) -> None:
        self.driver, self.served, self.prefix = driver, served, prefix
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def open(self, path: str) -> None:
        self.driver.get(self.served.url + path)

    def body(self) -> str:
        from selenium.webdriver.common.by import By

        return str(self.retry(lambda: self.driver.find_element(By.TAG_NAME, "body").text))

    def see(self, text: str, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.body():
            if time.monotonic() > deadline:
                self.shot("failed")
                raise AssertionError(f"“{text}” not on the page:\n{self.body()}")
            time.sleep(0.1)

    def not_see(self, text: str) -> None:
        assert text not in self.body(), f"“{text}” is on the page"

    def visible(self, xpath: str, seconds: float = 10) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + seconds
        while True:
            try:
                found = [e for e in self.driver.find_elements(By.XPATH, xpath) if e.is_displayed()]
            except StaleElementReferenceException:  # Vue re-rendered it meanwhile
                found = []
            if found:
                return found[-1]  # dialogs render last
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing visible at {xpath}:\n{self.body()}")
            time.sleep(0.1)

    def retry(self, action: Any) -> Any:
        """Run ``action`` again when the element it used was re-rendered under it, or was
        still moving (a dialog's opening transition) when it was clicked."""
        from selenium.common.exceptions import (
            ElementClickInterceptedException,
            StaleElementReferenceException,
        )

        for _ in range(30):
            try:
                return action()
            except (StaleElementReferenceException, ElementClickInterceptedException):
                time.sleep(0.1)
        return action()

    def field(self, label: str) -> Any:
        return self.visible(
            "//label[contains(@class,'q-field')][.//*[contains(@class,'q-field__label') and "
            f"contains(normalize-space(.), {literal(label)})]]//input"
        )

    def type(self, label: str, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        def typing() -> None:
            element = self.field(label)
            element.send_keys(Keys.CONTROL, "a")  # clear() would not tell Vue
            element.send_keys(Keys.DELETE)
            element.send_keys(text)

        self.retry(typing)

    def button(self, text: str) -> Any:
        return self.visible(f"//button[contains(normalize-space(.), {literal(text)})]")

    def click(self, text: str) -> None:
        self.retry(lambda: self.button(text).click())

    def error_under(self, label: str, seconds: float = 10) -> str:
        return str(
            self.visible(
                "//label[contains(@class,'q-field')][.//*[contains(@class,'q-field__label') "
                f"and contains(normalize-space(.), {literal(label)})]]"
                "//*[contains(@class,'q-field__messages')]",
                seconds,
            ).text
        )

    def submit_for_error(self, button: str, label: str) -> str:
        """Click a button that must refuse the form, until the field's error shows: a click
        during a dialog's opening transition can be lost, and a refused form writes nothing."""
        for _ in range(5):
            self.click(button)
            try:
                return self.error_under(label, seconds=2)
            except AssertionError:
                continue
        return self.error_under(label)

    def shot(self, name: str) -> None:
        time.sleep(0.4)  # let transitions finish
        self.driver.save_screenshot(str(SCREENSHOTS / f"{self.prefix}-{name}.png"))

    def log_in(self, credentials: tuple[str, str]) -> None:
        self.open("/console")
        self.type("Email", credentials[0])
        self.type("Password", credentials[1])
        self.click("Log in")


def set_up_metering(served: Served, key: str) -> None:
    served.graphql(
        key,
        """mutation {
          createMetric(input: {code: "report", name: "Reports", unitSingular: "report generated",
            unitPlural: "reports generated", aggregation: COUNT}) { __typename }
          createPlan(input: {code: "pro", name: "Pro", currency: "USD",
            charges: [{metricCode: "report", creditPrice: "10"}]}) { __typename }
          createSubscription(input: {customerExternalId: "acme", planCode: "pro"}) {
            __typename ... on Error { message } }
        }""",
    )


def ingest(served: Served, key: str, count: int) -> dict[str, Any]:
    events = [
        {
            "transaction_id": f"evt-{uuid.uuid4()}",
            "customer_external_id": "acme",
            "metric_code": "report",
        }
        for _ in range(count)
    ]
    response = httpx.post(
        f"{served.url}/v1/events",
        json={"events": events},
        headers={"authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def grant_count(served: Served, key: str) -> int:
    data = served.graphql(
        key, '{ customer(externalId: "acme") { wallet { grants { nodes { id } } } } }'
    )
    return len(data["customer"]["wallet"]["grants"]["nodes"])


def test_an_operator_runs_tally_from_the_console(served: Served, browser: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    served.cli("create-admin", "--email", ADMIN[0], "--password", ADMIN[1])
    key = served.cli("create-api-key", "--name", "browser test", "--scope", "admin")
    page = Page(browser, served, "operator")

    page.open("/console")
    page.see("Log in with the email and password")
    page.shot("01-login")
    page.type("Email", ADMIN[0])
    page.type("Password", "wrong password")
    page.click("Log in")
    page.see("That email and password do not match")
    page.shot("02-login-wrong-password")
    page.log_in(ADMIN)
    page.see("Credits outstanding")
    page.shot("03-dashboard")

    page.open("/console/customers")
    page.click("New customer")
    assert "Enter the customer's name." in page.submit_for_error("Create customer", "Name")
    page.shot("04-new-customer-empty")
    page.type("Name", "Acme Corp")
    page.type("Your id for this customer", "acme")
    page.type("Billing email", "billing@acme.test")
    page.click("Create customer")
    page.see("Acme Corp has no credits left")
    page.shot("05-customer-created")

    page.click("Grant credits")
    page.type("Credits", "five hundred")
    page.click("Review")
    assert "is not a number" in page.error_under("Credits")
    assert "Say why" in page.error_under("Reason")
    page.shot("06-grant-bad-input")
    page.type("Credits", "5000")
    page.type("Reason", "welcome credits")
    page.click("Review")
    page.see("Grant 5,000 credits (worth about 50.00 USD) to Acme Corp.")
    page.shot("07-grant-confirm")
    page.click("Yes, grant 5,000 credits")
    page.see("Acme Corp has 5,000 credits left")
    page.shot("08-granted")

    page.click("Grant credits")
    page.type("Credits", "25000")
    page.type("Reason", "enterprise deal")
    page.click("Review")
    page.click("Yes, grant 25,000 credits")
    page.see("This is a large amount: 25,000 credits (worth about 250.00 USD).")
    page.shot("09-large-grant-second-confirmation")
    page.click("Cancel")

    page.click("Grant credits")
    page.type("Credits", "300")
    page.type("Reason", "refund for an outage")
    page.click("Review")
    ActionChains(browser).double_click(page.button("Yes, grant 300 credits")).perform()
    page.see("Acme Corp has 5,300 credits left")
    assert grant_count(served, key) == 2  # 5,000 and 300: the double click granted once
    page.shot("10-double-click-granted-once")

    page.click("Remove credits")
    page.type("Credits", "99999")
    page.type("Reason", "cleanup")
    page.click("Review")
    page.click("Yes, void 99,999 credits")
    page.see("Only 5,300 credits can be voided. Enter a smaller amount.")
    page.shot("11-void-too-much")
    page.click("Cancel")
    page.see("Acme Corp has 5,300 credits left")

    set_up_metering(served, key)
    page.open("/console/customers/acme")
    page.see("Acme Corp has 5,300 credits left")
    body = ingest(served, key, 3)
    assert [r["status"] for r in body["results"]] == ["accepted"] * 3, body
    page.see("Acme Corp has 5,270 credits left")  # no reload: the live subscription moved it
    page.see("3 reports generated")
    page.shot("12-live-balance-after-events")
    page.open("/console/customers/acme")
    page.see("Pro: active; this period")
    page.see("3 reports generated so far = 30 credits")
    page.driver.execute_script("window.scrollTo(0, document.body.scrollHeight * 0.45)")
    page.shot("12b-history-alerts-auto-recharge")
    page.driver.execute_script("window.scrollTo(0, 0)")

    served.graphql(
        key,
        """mutation { createCustomer(input: {externalId: "globex", name: "Globex Inc",
        currency: "USD", wallet: {rate: "0.01"}}) { __typename } }""",
    )
    page.click("Portal link")
    url = page.visible("//input[@readonly]").get_attribute("value")
    assert url.startswith(f"{served.url}/portal/")
    page.shot("13-portal-link")
    page.driver.get(url)
    page.see("You have 5,270 credits left")
    page.not_see("Globex")
    page.shot("14-portal")
    ingest(served, key, 1)
    page.see("You have 5,260 credits left")
    page.driver.get(url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB"))
    page.see("This link is not valid")
    page.not_see("Acme")
    page.shot("15-portal-tampered")
    customer = served.graphql(key, '{ customer(externalId: "acme") { id } }')["customer"]
    expired, _ = tokens.mint(
        SECRET,
        int(customer["id"]),
        "acme",
        datetime.now(UTC) - timedelta(days=2),
        timedelta(days=1),
    )
    page.open(f"/portal/{expired}")
    page.see("This link has expired. Ask your account manager for a new one.")
    page.shot("16-portal-expired")

    page.open("/console/audit")
    page.see("ops@tally.test granted 5,000 credits to Acme Corp — reason: welcome credits")
    page.shot("17-audit-log")


def test_a_viewer_cannot_grant(served: Served, browser: Any) -> None:
    key = served.cli("create-api-key", "--name", "browser test", "--scope", "admin")
    served.graphql(
        key,
        """mutation($email: String!, $password: String!) {
          createOperator(input: {email: $email, password: $password, role: VIEWER}) {
            __typename }
          createCustomer(input: {externalId: "acme", name: "Acme Corp", currency: "USD",
            wallet: {rate: "0.01"}}) { __typename }
        }""",
        email=VIEWER[0],
        password=VIEWER[1],
    )
    page = Page(browser, served, "viewer")
    page.log_in(VIEWER)
    page.see("Viewer (read only)")
    page.not_see("API keys")
    page.open("/console/customers/acme")
    page.see("Read only: ask an admin to grant or remove credits.")
    page.not_see("Grant credits")
    page.shot("01-customer-read-only")
