"""The catalog's audit lines in plain words: metrics, plans, bundles, the signup bonus, webhook
endpoints, payment methods and a subscription's own thresholds ("ops@tally.test changed the
plan Growth: base fee 59, usage thresholds 50, 100, then every 200")."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.audit import words
from app.audit.service import Action, Actor
from app.customers.models import Customer
from app.plans.models import Plan
from app.webhooks.models import WebhookEndpoint
from graphql_schema.audit.describe import register

# What an input's field is called in a sentence.
FIELD_WORDS = {
    "name": "name",
    "unitSingular": "one unit is called",
    "unitPlural": "many units are called",
    "description": "description",
    "baseFee": "base fee",
    "credits": "credits",
    "bonusCredits": "bonus credits",
    "price": "price",
    "active": "on sale",
    "url": "address",
    "eventTypes": "events",
}
LIST_FIELDS = {"charges": "credit prices", "moneyCharges": "money prices"}


def _input(args: Mapping[str, Any]) -> dict[str, Any]:
    value = args.get("input")
    return dict(value) if isinstance(value, Mapping) else dict(args)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return f"“{value}”" if isinstance(value, str) else str(value)


def changed(data: Mapping[str, Any]) -> str:
    """ ": one unit is called “report run”, base fee 59" — the fields given, in words."""
    parts = [f"{w} {_value(data[k])}" for k, w in FIELD_WORDS.items() if data.get(k) is not None]
    parts += [f"{w} replaced ({len(data[k])})" for k, w in LIST_FIELDS.items() if data.get(k)]
    if data.get("thresholds") is not None:
        parts.append(f"usage thresholds {thresholds(data['thresholds'])}")
    return ": " + ", ".join(parts) if parts else ""


def thresholds(items: list[Mapping[str, Any]]) -> str:
    fixed = [str(t["amount"]) for t in items if not t.get("recurring")]
    step = [str(t["amount"]) for t in items if t.get("recurring")]
    text = ", ".join(fixed) + (f", then every {step[0]}" if step and fixed else "")
    return text or (f"every {step[0]}" if step else "none")


def _action(
    field: str, summary: str, data: Mapping[str, Any], customer: str | None = None
) -> Action:
    return Action(action=field, summary=summary, customer_external_id=customer, details=dict(data))


async def create_metric(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    m = payload.metric
    return _action(
        "createMetric",
        f"{actor.words()} created the metric {m.name} (code {m.code}; one “{m.unit_singular}”, "
        f"many “{m.unit_plural}”)",
        _input(args),
    )


async def update_metric(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    data = _input(args)
    summary = f"{actor.words()} changed the metric {payload.metric.name}{changed(data)}"
    return _action("updateMetric", summary, data)


async def create_plan(s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any) -> Action:
    p = payload.plan
    data = _input(args)
    count = len(data.get("charges") or []) + len(data.get("moneyCharges") or [])
    summary = (
        f"{actor.words()} created the plan {p.name} (code {p.code}, {p.currency}, "
        f"{count} price{'s' if count != 1 else ''})"
    )
    return _action("createPlan", summary, data)


async def update_plan(s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any) -> Action:
    data = _input(args)
    return _action(
        "updatePlan", f"{actor.words()} changed the plan {payload.plan.name}{changed(data)}", data
    )


async def create_bundle(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    b = payload.bundle
    price = f"{money.format_money(b.price_minor, b.currency)} {b.currency}"
    bonus = f" + {words.credits(b.bonus_credits)} free" if b.bonus_credits else ""
    amount = words.credits(b.credits)
    summary = f"{actor.words()} created the bundle {b.name}: {amount}{bonus} for {price}"
    return _action("createBundle", summary, _input(args))


async def update_bundle(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    data = _input(args)
    return _action(
        "updateBundle",
        f"{actor.words()} changed the bundle {payload.bundle.name}{changed(data)}",
        data,
    )


async def set_signup_bonus(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    bonus = payload.signup_bonus
    if Decimal(bonus.credits) == 0:
        what = "turned the signup bonus off"
    else:
        days = f", expiring after {bonus.expires_in_days} days" if bonus.expires_in_days else ""
        what = f"set the signup bonus to {words.credits(bonus.credits)}{days}"
    return _action("setSignupBonus", f"{actor.words()} {what}", dict(args))


async def create_endpoint(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    e = payload.endpoint
    summary = (
        f"{actor.words()} added the webhook endpoint {e.url} (events: {', '.join(e.event_types)})"
    )
    return _action("createWebhookEndpoint", summary, _input(args))


async def update_endpoint(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    data = _input(args)
    e = payload.endpoint
    summary = f"{actor.words()} changed the webhook endpoint {e.url}{changed(data)}"
    return _action("updateWebhookEndpoint", summary, data)


async def delete_endpoint(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    summary = (
        f"{actor.words()} deleted the webhook endpoint #{payload.deleted_id} and its deliveries"
    )
    return _action("deleteWebhookEndpoint", summary, dict(args))


async def send_test(s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any) -> Action:
    endpoint = await s.get(WebhookEndpoint, payload.delivery.endpoint_id)
    url = endpoint.url if endpoint else f"#{payload.delivery.endpoint_id}"
    summary = f"{actor.words()} sent a test event to the webhook endpoint {url}"
    return _action("sendTestWebhook", summary, dict(args))


async def _customer(session: AsyncSession, customer_id: int) -> Customer | None:
    return await session.get(Customer, customer_id)


async def add_payment_method(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    method = payload.payment_method
    customer = await _customer(s, method.customer_id)
    who = customer.name if customer else f"customer #{method.customer_id}"
    label = method.label or method.reference
    default = " (the default)" if method.is_default else ""
    summary = f"{actor.words()} added the payment method {label} to {who}{default}"
    return _action(
        "addPaymentMethod", summary, _input(args), customer.external_id if customer else None
    )


async def set_default_method(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    method = payload.payment_method
    customer = await _customer(s, method.customer_id)
    who = customer.name if customer else f"customer #{method.customer_id}"
    summary = (
        f"{actor.words()} made {method.label or method.reference} {who}'s default payment method"
    )
    return _action(
        "setDefaultPaymentMethod", summary, _input(args), customer.external_id if customer else None
    )


async def _subscription_words(session: AsyncSession, payload: Any) -> tuple[str, str | None]:
    subscription = payload.subscription
    customer = await _customer(session, subscription.customer_id)
    plan = await session.get(Plan, subscription.plan_id)
    who = customer.name if customer else f"customer #{subscription.customer_id}"
    return f"{who}'s {plan.name if plan else 'plan'}", customer.external_id if customer else None


async def set_thresholds(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    data = _input(args)
    what, customer = await _subscription_words(s, payload)
    summary = (
        f"{actor.words()} set {what} usage thresholds to "
        f"{thresholds(data.get('thresholds') or [])} (instead of the plan's)"
    )
    return _action("setSubscriptionThresholds", summary, data, customer)


async def clear_thresholds(
    s: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
) -> Action:
    what, customer = await _subscription_words(s, payload)
    summary = f"{actor.words()} put {what} back on the plan's usage thresholds"
    return _action("clearSubscriptionThresholds", summary, dict(args), customer)


DESCRIBERS = {
    "createMetric": create_metric,
    "updateMetric": update_metric,
    "createPlan": create_plan,
    "updatePlan": update_plan,
    "createBundle": create_bundle,
    "updateBundle": update_bundle,
    "setSignupBonus": set_signup_bonus,
    "createWebhookEndpoint": create_endpoint,
    "updateWebhookEndpoint": update_endpoint,
    "deleteWebhookEndpoint": delete_endpoint,
    "sendTestWebhook": send_test,
    "addPaymentMethod": add_payment_method,
    "setDefaultPaymentMethod": set_default_method,
    "setSubscriptionThresholds": set_thresholds,
    "clearSubscriptionThresholds": clear_thresholds,
}


def install() -> None:
    """Describe the catalog's mutations with these sentences (the audit trail calls it)."""
    for field, describer in DESCRIBERS.items():
        register(field, describer)
