"""In a real headless Chromium against a real `tally serve`: an invoice's page (its customer,
its PDF, its payment attempt failing live). A screenshot per step in
artifacts/screenshots/<test name>/<nn>-<step>.png."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.console.browser import SCREENSHOTS, Served, browser, empty_tables, literal
from tests.console.test_browser import Page

__all__ = ["browser"]  # the fixture

ADMIN = ("docs@tally.test", "documents-admin-password")
SETUP = """mutation {
  createCustomer(input: {externalId: "acme", name: "Acme Corp", currency: "USD",
    billingEmail: "billing@acme.test", wallet: {rate: "0.01"}}) { __typename }
  addPaymentMethod(input: {customerExternalId: "acme", reference: "pm_sandbox_late_fail"}) {
    __typename }
}"""
TOP_UP = """mutation($w: ID!) { topUp(input: {walletId: $w, credits: "500", idempotencyKey: "b1"}) {
  __typename ... on RechargePayload { recharge { invoice { id } } } } }"""
WALLET = """{ customer(externalId: "acme") { wallet { id } } }"""


class Steps(Page):
    """Screenshots numbered per test: <test name>/<nn>-<step>.png."""

    def __init__(self, driver: Any, served: Served, test: str) -> None:
        super().__init__(driver, served, test)
        self.folder, self.count = SCREENSHOTS / test, 0
        self.folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.count += 1
        time.sleep(0.4)
        self.driver.save_screenshot(str(self.folder / f"{self.count:02d}-{name}.png"))


class SlowStart(Served):
    """Waits up to 5 minutes for `tally serve` (a loaded CI machine starts it slowly)."""

    def start(self) -> None:
        try:
            super().start()  # 90 s
            return
        except AssertionError:
            if self.process is None or self.process.poll() is not None:
                raise
        deadline = time.monotonic() + 210
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)
        raise AssertionError("tally serve did not start:\n" + self.log.read_text())


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """`tally serve` whose sandbox fails a late-failing card 12 s after accepting it."""
    empty_tables(database_url)
    with tempfile.TemporaryDirectory(prefix="tally-browser-") as folder:
        server = SlowStart(database_url, Path(folder))
        server.env["TALLY_SANDBOX_LATE_FAIL_SECONDS"] = "12"
        server.start()
        try:
            yield server
        finally:
            server.stop()
    empty_tables(database_url)


def _href(page: Steps, marker_text: str) -> str:
    link = page.visible(f"//a[contains(normalize-space(.), {literal(marker_text)})]")
    return str(link.get_attribute("href"))


@pytest.mark.timeout(600)
def test_an_invoice_page_its_pdf_and_a_payment_failing_live(served: Served, browser: Any) -> None:
    served.cli("create-admin", "--email", ADMIN[0], "--password", ADMIN[1])
    key = served.cli("create-api-key", "--name", "docs", "--scope", "admin")
    served.graphql(key, SETUP)
    wallet = served.graphql(key, WALLET)["customer"]["wallet"]["id"]
    invoice = served.graphql(key, TOP_UP, w=wallet)["topUp"]["recharge"]["invoice"]["id"]
    page = Steps(browser, served, "test_an_invoice_page_its_pdf_and_a_payment_failing_live")
    page.log_in(ADMIN)
    page.see("Credits outstanding")
    page.open(f"/console/invoices/{invoice}")
    page.see("Payment attempts")
    page.see("Status: awaiting payment")
    page.see("sent, waiting for the provider's answer")
    page.shot("invoice-awaiting-payment")
    pdf = httpx.get(_href(page, "Download the PDF"), timeout=30)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    page.see("card_declined: the sandbox failed this payment after accepting it", seconds=40)
    page.shot("invoice-payment-failed-live")  # no reload
    page.retry(lambda: page.visible("//a[contains(normalize-space(.), 'Acme Corp')]").click())
    page.see("Acme Corp")
    assert "/console/customers/acme" in browser.current_url
    page.shot("customer-from-invoice")
