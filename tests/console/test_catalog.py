"""The catalog in a real headless Chromium against a real `tally serve`: an admin defines
metrics, builds a hybrid plan with tiers and thresholds, sells bundles and sets the signup
bonus — each change reviewed before it is saved, bad input refused in plain words with nothing
written —; a viewer reads the catalog without a single control. The API is used only to set up
and to check what was stored. Screenshots: artifacts/screenshots/<test name>/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.browser import Served, browser, served
from tests.console.steps import Steps

__all__ = ["browser", "served"]  # the fixtures
pytestmark = pytest.mark.timeout(900)  # a real server and browser on a shared machine

ADMIN = ("catalog@tally.test", "catalog-admin-password")
VIEWER = ("reader@tally.test", "catalog-viewer-password")


def admin_key(served: Served) -> str:
    return served.cli("create-api-key", "--name", "catalog test", "--scope", "admin")


def metrics_of(served: Served, key: str) -> dict[str, dict[str, Any]]:
    data = served.graphql(
        key, "{ metrics { nodes { code name unitSingular unitPlural aggregation property } } }"
    )
    return {m["code"]: m for m in data["metrics"]["nodes"]}


def test_an_admin_defines_metrics(served: Served, browser: Any) -> None:
    key = admin_key(served)
    page = Steps(browser, served, "test_an_admin_defines_metrics")
    page.log_in_admin(ADMIN)
    page.open("/console/plans")
    page.see("No metrics yet.")
    page.shot("empty-catalog")

    page.click("New metric")
    page.click("Review")
    assert "Enter the metric's name" in page.error_under("Name")
    assert "Say what one unit is called" in page.error_under("One unit is called")
    page.shot("empty-form-refused")
    page.type("Name", "Reports")
    page.type("Code", "report")
    page.type("One unit is called", "report generated")
    page.type("Many units are called", "reports generated")
    page.click("Review")
    page.see("Create the metric Reports (code report).")
    page.see("It will count the events; one unit is a “report generated”")
    page.shot("review-new-metric")
    page.click("Yes, create the metric")
    page.see("counts events; one “report generated”, many “reports generated”")
    page.shot("metric-created")

    page.click("New metric")
    page.type("Name", "Storage")
    page.type("Code", "storage")
    page.type("One unit is called", "gigabyte stored")
    page.type("Many units are called", "gigabytes stored")
    page.choose("How usage is counted", "Add up a property")
    page.click("Review")
    assert "Name the event property" in page.error_under("Property to read")
    page.shot("property-missing")
    page.type("Property to read", "gigabytes")
    page.click("Review")
    page.click("Yes, create the metric")
    page.see("adds up “gigabytes”")
    page.shot("sum-metric-created")

    page.click_in("Reports (report)", "Edit")
    page.type("One unit is called", "report run")
    page.type("Many units are called", "report runs")
    page.click("Review")
    page.see("One unit is called: report generated → report run")
    page.see("Many units are called: reports generated → report runs")
    page.shot("review-unit-labels")
    page.click("Yes, save the metric")
    page.see("one “report run”, many “report runs”")
    page.shot("unit-labels-saved")

    stored = metrics_of(served, key)
    assert stored["report"]["unitPlural"] == "report runs"
    assert stored["storage"] == {
        "code": "storage",
        "name": "Storage",
        "unitSingular": "gigabyte stored",
        "unitPlural": "gigabytes stored",
        "aggregation": "SUM",
        "property": "gigabytes",
    }
    page.open("/console/audit")
    page.see(f"{ADMIN[0]} created the metric Storage")
    page.see(f"{ADMIN[0]} changed the metric Reports: one unit is called “report run”")
    page.shot("audit")


def set_up_metrics(served: Served, key: str) -> None:
    served.graphql(
        key,
        """mutation {
          a: createMetric(input: {code: "report", name: "Reports", unitSingular: "report generated",
            unitPlural: "reports generated", aggregation: COUNT}) { __typename }
          b: createMetric(input: {code: "storage", name: "Storage", unitSingular: "gigabyte stored",
            unitPlural: "gigabytes stored", aggregation: SUM, property: "gigabytes"}) {
            __typename }
        }""",
    )


def test_an_admin_builds_a_hybrid_plan(served: Served, browser: Any) -> None:
    key = admin_key(served)
    set_up_metrics(served, key)
    page = Steps(browser, served, "test_an_admin_builds_a_hybrid_plan")
    page.log_in_admin(ADMIN)
    page.open("/console/plans")
    page.see("No plans yet.")
    page.click("New plan")
    page.click("Review")
    assert "Enter the plan's name" in page.error_under("Name")
    page.shot("empty-plan-refused")

    page.type("Name", "Growth")
    page.type("Code", "growth")
    page.type("Base fee per period", "49")
    page.click("Add a price")  # on the first metric, Reports
    page.type("Credits per unit", "10")
    page.see("150 reports generated → 1,500 credits")
    page.shot("credit-price-preview")

    page.click("Add a price")  # on the next metric, Storage
    page.see("Enter the prices to see what usage costs.")
    page.choose("Billed", "In money")
    page.choose("Pricing model", "Graduated")
    page.click("Add a tier")
    for row, (up_to, price) in enumerate((("100", "0.50"), ("50", "0.45"), ("", "0.40"))):
        page.type_nth("Up to (units)", row, up_to)
        page.type_nth("Price per unit", row, price)
    page.type("Invoice usage early at", "50, 40")
    page.click("Review")
    page.see("The tiers overlap: this tier must stop above 100")
    assert "40 is not above 50" in page.error_under("Invoice usage early at")
    page.shot("overlapping-tiers-and-thresholds-refused")
    assert served.graphql(key, "{ plans { nodes { code } } }")["plans"]["nodes"] == []

    page.type_nth("Up to (units)", 1, "1000")
    page.type("Invoice usage early at", "50, 100")
    page.type("Then again every", "200")
    page.see("150 gigabytes stored → 72.50 USD")  # 100 × 0.50 + 50 × 0.45
    page.shot("graduated-tiers-preview")
    page.choose("Pricing model", "Volume")
    page.see("150 gigabytes stored → 67.50 USD")  # every unit at the 150's tier: 0.45
    page.shot("volume-tiers-preview")
    page.choose("Pricing model", "Graduated")
    page.see("150 gigabytes stored → 72.50 USD")
    page.click("Review")
    page.see("Create the plan Growth (code growth), billed monthly in USD.")
    page.see("Base fee: 49.00 USD per period.")
    page.see("Price — Reports: 10 credits per report generated")
    page.see("Usage thresholds: at 50.00 USD and 100.00 USD, then every 200.00 USD.")
    page.shot("review-new-plan")
    page.click("Yes, create the plan")
    page.see("Billed monthly in USD, base fee 49.00 USD")
    page.shot("plan-created")

    plan = served.graphql(
        key,
        """{ plan(code: "growth") { baseFee { amount } thresholds { amount { amount } recurring }
             charges { pricing model creditPrice tiers { upTo unitPrice flatFee } } } }""",
    )["plan"]
    assert float(plan["baseFee"]["amount"]) == 49.0
    assert [(float(t["amount"]["amount"]), t["recurring"]) for t in plan["thresholds"]] == [
        (50.0, False),
        (100.0, False),
        (200.0, True),
    ]
    tiers = [(t["upTo"], t["unitPrice"]) for t in plan["charges"][1]["tiers"]]
    assert [(u and str(float(u)), str(float(p))) for u, p in tiers] == [
        ("100.0", "0.5"),
        ("1000.0", "0.45"),
        (None, "0.4"),
    ]

    page.click_in("Growth (growth)", "Edit")
    page.type("Base fee per period", "59")
    page.click("Review")
    page.see("Base fee: 49.00 USD → 59.00 USD")
    page.shot("review-plan-change")
    page.click("Yes, save the plan")
    page.see("base fee 59.00 USD")
    page.shot("plan-changed")
    page.open("/console/audit")
    page.see(f"{ADMIN[0]} created the plan Growth (code growth, USD, 2 prices)")
    page.see(f"{ADMIN[0]} changed the plan Growth: base fee")
    page.shot("audit")


def test_an_admin_sells_bundles_and_sets_the_signup_bonus(served: Served, browser: Any) -> None:
    key = admin_key(served)
    page = Steps(browser, served, "test_an_admin_sells_bundles_and_sets_the_signup_bonus")
    page.log_in_admin(ADMIN)
    page.open("/console/plans")
    page.click("New bundle")
    page.type("Name", "Starter Pack")
    page.type("Code", "starter")
    page.type("Credits", "0")
    page.type("Price", "50")
    page.click("Review")
    assert "must be more than zero" in page.error_under("Credits")
    page.shot("zero-credits-refused")
    assert served.graphql(key, "{ bundles(activeOnly: false) { code } }")["bundles"] == []
    page.type("Credits", "5000")
    page.type("Bonus credits", "500")
    page.click("Review")
    page.see("Create the bundle Starter Pack: 5,000 credits plus 500 credits free, for 50.00 USD")
    page.shot("review-new-bundle")
    page.click("Yes, create the bundle")
    page.see("5,000 credits + 500 credits free for 50.00 USD")
    page.shot("bundle-created")

    page.click_in("Starter Pack (starter)", "Edit")
    page.type("Price", "45")
    page.click("Review")
    page.see("Price: 50.00 USD → 45.00 USD")
    page.shot("review-bundle-change")
    page.click("Yes, save the bundle")
    page.see("5,000 credits + 500 credits free for 45.00 USD")

    page.click_in("Signup bonus", "Change")
    page.type("Credits", "100")
    page.type("Expire after (days)", "30")
    page.click("Review")
    page.see("Signup bonus: no signup bonus → 100 credits, expiring after 30 days.")
    page.shot("review-signup-bonus")
    page.click("Yes, set the signup bonus")
    page.see("100 credits for every new customer, expiring after 30 days")
    page.shot("signup-bonus-set")
    bonus = served.graphql(key, "{ signupBonus { credits expiresInDays } }")["signupBonus"]
    assert (float(bonus["credits"]), bonus["expiresInDays"]) == (100.0, 30)
    page.open("/console/audit")
    page.see(f"{ADMIN[0]} created the bundle Starter Pack: 5,000 credits + 500 credits free")
    page.see(f"{ADMIN[0]} set the signup bonus to 100 credits, expiring after 30 days")
    page.shot("audit")


def test_an_admin_manages_webhook_endpoints(served: Served, browser: Any) -> None:
    key = admin_key(served)
    page = Steps(browser, served, "test_an_admin_manages_webhook_endpoints")
    page.log_in_admin(ADMIN)
    page.open("/console/webhooks")
    page.see("No endpoints yet.")
    page.click("New endpoint")
    page.type("Address (URL)", "http://hooks.example.com/tally")
    page.click("Review")
    assert "must start with https://" in page.error_under("Address (URL)")
    assert "Choose at least one event" in page.error_under("Events to send")
    page.shot("plain-http-refused")
    assert served.graphql(key, "{ webhookEndpoints { id } }")["webhookEndpoints"] == []

    page.type("Address (URL)", "https://hooks.example.com/tally")
    page.choose("Events to send", "invoice.paid")
    page.driver.find_element("tag name", "body").send_keys("\ue00c")  # Escape: menu closes
    page.click("Review")
    page.see("Send invoice.paid events to https://hooks.example.com/tally, signed.")
    page.shot("review-new-endpoint")
    page.click("Yes, add the endpoint")
    page.see("Copy it now: it is not shown again")
    secret = page.visible("//input[@readonly]").get_attribute("value")
    assert secret.startswith("whsec_")
    page.shot("secret-shown-once")
    page.click("I have saved it")
    page.see(f"secret ends …{secret[-4:]}")
    page.not_see(secret)

    page.click("Send a test event")
    page.see("Tally sends a webhook.test event")
    page.click("Send a test event")  # the dialog's button
    page.see("webhook.test")
    page.shot("test-event-sent")

    page.click("Change")
    page.type("Description", "Finance system")
    page.click("Review")
    page.see("Description: (empty) → Finance system")
    page.shot("review-endpoint-change")
    page.click("Yes, save the endpoint")
    page.see("The endpoint is saved.")

    page.click("Delete")
    page.click("Review")
    page.see("Deliveries still being retried are dropped. This cannot be undone.")
    page.shot("review-delete")
    page.click("Yes, delete the endpoint")
    page.see("No endpoints yet.")
    page.shot("endpoint-deleted")
    page.open("/console/audit")
    page.see(f"{ADMIN[0]} added the webhook endpoint https://hooks.example.com/tally")
    page.see(f"{ADMIN[0]} sent a test event to the webhook endpoint")
    page.see(f"{ADMIN[0]} deleted the webhook endpoint")
    page.not_see(secret)
    page.shot("audit")


def set_up_subscription(served: Served, key: str) -> None:
    set_up_metrics(served, key)
    served.graphql(
        key,
        """mutation {
          createCustomer(input: {externalId: "acme", name: "Acme Corp", currency: "USD",
            wallet: {rate: "0.01"}}) { __typename }
          createPlan(input: {code: "growth", name: "Growth", currency: "USD",
            moneyCharges: [{metricCode: "storage", unitPrice: "0.5"}],
            thresholds: [{amount: "50"}, {amount: "100"}]}) { __typename }
          createSubscription(input: {customerExternalId: "acme", planCode: "growth"}) {
            __typename }
        }""",
    )


def test_an_admin_sets_cards_and_thresholds_for_a_customer(served: Served, browser: Any) -> None:
    key = admin_key(served)
    set_up_subscription(served, key)
    page = Steps(browser, served, "test_an_admin_sets_cards_and_thresholds_for_a_customer")
    page.log_in_admin(ADMIN)
    page.open("/console/customers/acme")
    page.see("No payment method yet")
    page.see("Usage is invoiced early at 50.00 USD and 100.00 USD (the plan's).")
    page.shot("customer-without-card")

    page.click("Add a test card")
    page.click("Review")
    assert "Choose the test card" in page.error_under("Test card")
    page.choose("Test card", "declined")
    page.click("Review")
    page.see("Add Visa •••• 0002 to Acme Corp.")
    page.shot("review-declining-card")
    page.click("Yes, add the card")
    page.see("Visa •••• 0002 (sandbox) — default")  # the first card is the default anyway
    page.click("Add a test card")
    page.choose("Test card", "pays")
    page.click("Review")
    page.click("Yes, add the card")
    page.see("Visa •••• 4242 (sandbox)")
    page.click("Make default")
    page.click("Review")
    page.see("Make Visa •••• 4242 the default payment method.")
    page.shot("review-default-card")
    page.click("Yes, make it the default")
    page.see("Visa •••• 4242 (sandbox) — default")
    page.shot("default-card-changed")
    methods = served.graphql(
        key, '{ paymentMethods(customerExternalId: "acme") { reference isDefault } }'
    )["paymentMethods"]
    assert {m["reference"]: m["isDefault"] for m in methods} == {
        "pm_sandbox_decline": False,
        "pm_sandbox_ok": True,
    }

    page.click("Set this customer's thresholds")
    page.type("Invoice usage early at", "500, 400")
    page.click("Review")
    assert "400 is not above 500" in page.error_under("Invoice usage early at")
    page.shot("threshold-below-previous-refused")
    page.type("Invoice usage early at", "500, 1000")
    page.click("Review")
    page.see(
        "Acme Corp's usage thresholds: at 50.00 USD and 100.00 USD → "
        "at 500.00 USD and 1,000.00 USD."
    )
    page.shot("review-own-thresholds")
    page.click("Yes, set the thresholds")
    page.see("Usage is invoiced early at 500.00 USD and 1,000.00 USD (Acme Corp's own).")
    page.shot("own-thresholds-set")
    page.click("Back to the plan's")
    page.click("Review")
    page.click("Yes, use the plan's thresholds")
    page.see("Usage is invoiced early at 50.00 USD and 100.00 USD (the plan's).")
    page.shot("back-on-the-plan")
    page.open("/console/audit")
    page.see(f"{ADMIN[0]} made Visa •••• 4242 Acme Corp's default payment method")
    page.see(f"{ADMIN[0]} set Acme Corp's Growth usage thresholds to 500, 1000")
    page.see(f"{ADMIN[0]} put Acme Corp's Growth back on the plan's usage thresholds")
    page.shot("audit")


def test_a_viewer_reads_the_catalog_without_controls(served: Served, browser: Any) -> None:
    key = admin_key(served)
    set_up_subscription(served, key)
    served.graphql(
        key,
        """mutation($email: String!, $password: String!) {
          createOperator(input: {email: $email, password: $password, role: VIEWER}) {
            __typename }
          createBundle(input: {code: "starter", name: "Starter Pack", credits: "5000",
            price: "50", currency: "USD"}) { __typename }
          createWebhookEndpoint(input: {url: "https://hooks.example.com/tally",
            eventTypes: ["invoice.paid"]}) { __typename }
        }""",
        email=VIEWER[0],
        password=VIEWER[1],
    )
    page = Steps(browser, served, "test_a_viewer_reads_the_catalog_without_controls")
    page.log_in(VIEWER)
    page.see("Viewer (read only)")
    page.open("/console/plans")
    page.see("Read only: ask an admin to change the catalog.")
    page.see("Growth (growth)")
    page.see("Starter Pack (starter)")
    for control in ("New metric", "New plan", "New bundle", "Edit", "Change"):
        page.not_see(control)
    page.shot("catalog-read-only")
    page.open("/console/webhooks")
    page.see("https://hooks.example.com/tally")
    for control in ("New endpoint", "Send a test event", "Delete"):
        page.not_see(control)
    page.shot("webhooks-read-only")
    page.open("/console/customers/acme")
    page.see("(the plan's)")
    for control in ("Add a test card", "Set this customer's thresholds"):
        page.not_see(control)
    page.shot("customer-read-only")
