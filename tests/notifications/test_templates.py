"""Every template renders in plain words, as text and as escaped HTML, from its documented data."""

from __future__ import annotations

import pytest

from app.errors import ValidationFailed
from app.notifications.render import REQUIRED, render

ACME = {"name": "Acme & Sons", "external_id": "acme"}

CASES = {
    "alert_triggered": (
        {
            "balance": "2900",
            "balance_value_minor": 2900,
            "currency": "USD",
            "threshold_kind": "percent",
            "threshold": "50",
            "level": "3000",
            "reference_balance": "6000",
        },
        "Acme & Sons: 2,900 credits left (50 % alert)",
        "Acme & Sons has 2,900 credits left (≈ 29.00 USD) — under 3,000 credits, your alert "
        "at 50 % of 6,000 credits (the balance right after your latest credit: a top-up, "
        "grant or auto-recharge).",
    ),
    "wallet_depleted": (
        {
            "balance": "0",
            "balance_value_minor": 0,
            "currency": "JPY",
            "policy": "overdraft",
            "overdraft_limit": "500",
        },
        "Acme & Sons has run out of credits",
        "Usage continues until the overdraft limit of 500 credits is reached",
    ),
    "recharge_disabled": (
        {"failures": 3, "reason": "card declined"},
        "Auto-recharge turned off for Acme & Sons",
        "are turned off after 3 failed payments in a row.",
    ),
    "recharge_succeeded": (
        {"credits": "5000", "total_minor": 4750, "currency": "USD", "number": "TLY-7"},
        "Acme & Sons: 5,000 credits added",
        "5,000 credits were added to Acme & Sons for 47.50 USD.",
    ),
    "payment_failed": (
        {"total_minor": 130, "currency": "KWD", "failure_reason": "insufficient funds"},
        "Payment of 0.130 KWD failed",
        "The payment provider said: insufficient funds.",
    ),
    "invoice_created": (
        {"number": "TLY-9", "total_minor": 5800, "currency": "USD", "due_at": "2026-01-22T12:00"},
        "Invoice TLY-9: 58.00 USD",
        "Invoice TLY-9 for Acme & Sons is ready: 58.00 USD, due on 2026-01-22.",
    ),
    "subscription_suspended": (
        {
            "plan_code": "scale",
            "invoices": [
                {
                    "id": 7,
                    "number": "TLY-7",
                    "total": "58.00",
                    "currency": "USD",
                    "due_at": "2026-02-01T12:00:00+00:00",
                }
            ],
        },
        "Service paused: 1 overdue invoice",
        "Acme & Sons's scale service is paused because an invoice is past due:",
    ),
    "credits_expiring": (
        {
            "credits": "500",
            "kind": "free",
            "days": 7,
            "expires_at": "2026-02-24T12:00:00+00:00",
            "projected_unused": "320",
        },
        "Acme & Sons: 500 credits expire in 7 days",
        "500 free credits of Acme & Sons expire in 7 days, on 2026-02-24.",
    ),
    "runway_low": (
        {
            "balance": "400",
            "daily_burn": "85.714286",
            "window_days": 7,
            "message": "at this pace you run out in about 4 days",
            "runs_out_at": "2026-01-26T16:00:00+00:00",
        },
        "Acme & Sons: at this pace you run out in about 4 days",
        "Acme & Sons has 400 credits left and uses about 85.714286 a day (the last 7 days): at"
        " this pace you run out in about 4 days, around 2026-01-26.",
    ),
}


def test_every_template_has_a_case() -> None:
    assert set(CASES) == set(REQUIRED)


@pytest.mark.parametrize("template", sorted(CASES))
def test_renders_text_and_html(template: str) -> None:
    data, subject, sentence = CASES[template]
    rendered = render(template, data, ACME)
    assert rendered.subject == subject
    assert sentence in rendered.text
    assert "Acme &amp; Sons" in rendered.html or "Acme" not in rendered.text
    assert "Acme & Sons" not in rendered.html
    assert rendered.html.startswith("<!doctype html>")


@pytest.mark.parametrize("template", sorted(t for t in CASES if REQUIRED[t]))
def test_missing_data_names_the_key(template: str) -> None:
    data, _, _ = CASES[template]
    first = REQUIRED[template][0]
    with pytest.raises(ValidationFailed) as caught:
        render(template, {k: v for k, v in data.items() if k != first}, ACME)
    assert caught.value.field == f"data.{first}"


def test_a_bad_value_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        render("payment_failed", {"total_minor": "lots", "currency": "USD"}, None)
    assert caught.value.field == "data"
