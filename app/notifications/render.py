"""Emails from Jinja2 templates: ``templates/<name>.subject.txt`` and ``<name>.txt`` say it in
plain words; ``templates/email.html`` lays the same words out as HTML (one paragraph per line,
escaped), so the two versions of an email never disagree.

A template sees the job's ``data`` at the top level, ``customer`` (``name``, ``external_id``)
when the email is about one, and ``who`` (the customer's name, or "Your account"). The keys
each template needs (in brackets: optional ones it uses when present):

========================  =====================================================================
alert_triggered           balance, balance_value_minor, currency, threshold_kind, threshold,
                          level, reference_balance
wallet_depleted           balance, balance_value_minor, currency, policy (overdraft_limit)
recharge_disabled         (failures, reason)
recharge_succeeded        credits (total_minor, currency, balance, number)
payment_failed            total_minor, currency (number, failure_reason)
invoice_created           number, total_minor, currency (due_at)
subscription_suspended    invoices (each: id, number, total, currency, due_at) (plan_code)
credits_expiring          credits, kind, days, expires_at, projected_unused
runway_low                balance, daily_burn, window_days, message, runs_out_at
========================  =====================================================================

Credits are decimal strings; money is integer minor units with its currency. Filters:
``credits`` ("2900.000000" → "2,900") and ``money(currency)`` (2900 → "29.00 USD").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from app import money
from app.errors import ValidationFailed

FOLDER = Path(__file__).parent / "templates"

REQUIRED: dict[str, tuple[str, ...]] = {
    "alert_triggered": (
        "balance",
        "balance_value_minor",
        "currency",
        "threshold_kind",
        "threshold",
        "level",
        "reference_balance",
    ),
    "wallet_depleted": ("balance", "balance_value_minor", "currency", "policy"),
    "recharge_disabled": (),
    "recharge_succeeded": ("credits",),
    "payment_failed": ("total_minor", "currency"),
    "invoice_created": ("number", "total_minor", "currency"),
    "subscription_suspended": ("invoices",),
    "credits_expiring": ("credits", "kind", "days", "expires_at", "projected_unused"),
    "runway_low": ("balance", "daily_burn", "window_days", "message", "runs_out_at"),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _credits(value: object) -> str:
    return money.format_credits(Decimal(str(value)))


def _money(minor: object, currency: str) -> str:
    code = money.normalize_currency(currency)
    return f"{money.format_money(int(str(minor)), code)} {code}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(FOLDER),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["credits"] = _credits
    env.filters["money"] = _money
    return env


def render(template: str, data: dict[str, Any], customer: dict[str, str] | None) -> Rendered:
    """Render the three parts; a template or data problem is a ``ValidationFailed``."""
    if template not in REQUIRED:
        raise ValidationFailed("template", f"no email template '{template}'", code="unknown")
    missing = [key for key in REQUIRED[template] if data.get(key) is None]
    if missing:
        raise ValidationFailed(f"data.{missing[0]}", f"the {template} email needs it")
    who = customer["name"] if customer else "Your account"
    context = {**data, "customer": customer, "who": who}
    env = environment()
    try:
        subject = " ".join(env.get_template(f"{template}.subject.txt").render(context).split())
        body = env.get_template(f"{template}.txt").render(context).strip()
    except (jinja2.TemplateError, ValueError, ArithmeticError) as error:
        raise ValidationFailed("data", f"cannot render {template}: {error}") from None
    paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    html = env.get_template("email.html").render(subject=subject, paragraphs=paragraphs)
    return Rendered(subject, body + "\n", html)
