"""Plan and subscription use cases. Services validate, flush and never commit.

A plan's code, currency and interval are fixed at creation; its name, base fee, thresholds and
charges can change (``charges`` given to ``update_plan`` replace the plan's credit charges,
``money_charges`` its money charges). Every change to a plan marks the catalog changed, so
every process prices the next event with it. A change of thresholds also acts at once on the
usage of every subscription that follows them: the API updates plans through the flow
``app.flows.plan_changes``, which then asks billing (``billing.threshold_changes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app import catalog_version, customers, money, wallets
from app.errors import check_length
from app.plans import charges, repository, thresholds
from app.plans.charges import ChargeInput
from app.plans.errors import Conflict, ValidationFailed
from app.plans.models import (
    BillingInterval,
    ChargePricing,
    Plan,
    Subscription,
    SubscriptionStatus,
    SuspensionReason,
)
from app.plans.money_charges import MoneyChargeInput
from app.plans.periods import period_containing
from app.plans.thresholds import ThresholdInput

__all__ = ["ChargeInput", "MoneyChargeInput", "PlanInput", "ThresholdInput"]


@dataclass(frozen=True)
class PlanInput:
    code: str
    name: str
    currency: str
    interval: BillingInterval
    charges: list[ChargeInput] = field(default_factory=list)
    description: str = ""
    money_charges: list[MoneyChargeInput] = field(default_factory=list)
    base_fee: object = 0  # major units of the currency
    thresholds: list[ThresholdInput] = field(default_factory=list)


def _set_thresholds(plan: Plan, items: list[ThresholdInput]) -> None:
    found = thresholds.parse(items, plan.currency)
    plan.threshold_amounts = list(found.amounts)
    plan.threshold_recurring = found.recurring


async def create_plan(session: AsyncSession, data: PlanInput, now: datetime) -> Plan:
    currency = money.normalize_currency(data.currency)
    plan = Plan(
        code=check_length(data.code, "code", 100),
        name=check_length(data.name, "name", 255),
        description=check_length(data.description, "description", 500, required=False),
        currency=currency,
        interval=data.interval,
        base_fee_minor=money.minor_units(data.base_fee, currency, "baseFee"),
        created_at=now,
        updated_at=now,
    )
    _set_thresholds(plan, data.thresholds)
    checked = await charges.check(session, data.charges, data.money_charges, now)
    try:
        async with session.begin_nested():
            session.add(plan)
            await session.flush()
    except IntegrityError:
        raise Conflict("code", f"a plan with code '{plan.code}' exists", code="duplicate") from None
    assert plan.id is not None
    await charges.add(session, plan.id, checked)
    await catalog_version.touch(session)
    return plan


async def update_plan(
    session: AsyncSession,
    code: str,
    now: datetime,
    *,
    name: str | None = None,
    description: str | None = None,
    credit_charges: list[ChargeInput] | None = None,
    money_charges: list[MoneyChargeInput] | None = None,
    base_fee: object | None = None,
    threshold_inputs: list[ThresholdInput] | None = None,
) -> Plan:
    plan = await repository.plan_by_code(session, code)
    assert plan.id is not None
    if name is not None:
        plan.name = check_length(name, "name", 255)
    if description is not None:
        plan.description = check_length(description, "description", 500, required=False)
    if base_fee is not None:
        plan.base_fee_minor = money.minor_units(base_fee, plan.currency, "baseFee")
    if threshold_inputs is not None:
        _set_thresholds(plan, threshold_inputs)
    await charges.replace(session, plan.id, credit_charges, money_charges, now)
    plan.updated_at = now
    session.add(plan)
    await session.flush()
    await catalog_version.touch(session)
    return plan


async def subscribe(
    session: AsyncSession,
    customer_external_id: str,
    plan_code: str,
    now: datetime,
    anchor: datetime | None = None,
) -> Subscription:
    """Start a subscription now; its billing periods count from ``anchor`` (default: now)."""
    customer = await customers.get_by_external_id(session, customer_external_id)
    plan = await repository.plan_by_code(session, plan_code, "planCode")
    assert customer.id is not None and plan.id is not None
    if anchor is not None and anchor.tzinfo is None:
        raise ValidationFailed("anchor", "must include a time zone")
    credit = [
        c
        for c in await repository.charges_of_plans(session, [plan.id])
        if c.pricing is ChargePricing.CREDITS
    ]
    if credit and not await wallets.for_customer(session, customer.id, plan.currency):
        raise ValidationFailed(
            "customerExternalId",
            f"{customer.external_id} has no {plan.currency} wallet to pay the plan's credit "
            "charges",
            code="no_wallet",
        )
    live = await repository.live_subscription(session, customer.id)
    if live is not None:
        raise _already_subscribed(customer.external_id, live.id)
    subscription = Subscription(
        customer_id=customer.id,
        plan_id=plan.id,
        status=SubscriptionStatus.ACTIVE,
        anchor=anchor or now,
        started_at=now,
        next_billing_at=period_containing(anchor or now, plan.interval, now).end,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(subscription)
            await session.flush()
    except IntegrityError:  # a concurrent subscribe won the race for the live index
        raise _already_subscribed(customer.external_id, None) from None
    return subscription


def _already_subscribed(external_id: str, subscription_id: int | None) -> Conflict:
    which = f" (#{subscription_id})" if subscription_id is not None else ""
    return Conflict(
        "customerExternalId",
        f"{external_id} already has a live subscription{which}; terminate it first",
        code="duplicate",
    )


TRANSITIONS = {
    SubscriptionStatus.ACTIVE: {SubscriptionStatus.SUSPENDED, SubscriptionStatus.TERMINATED},
    SubscriptionStatus.SUSPENDED: {SubscriptionStatus.ACTIVE, SubscriptionStatus.TERMINATED},
    SubscriptionStatus.TERMINATED: set(),
}


async def set_status(
    session: AsyncSession,
    subscription_id: int,
    status: SubscriptionStatus,
    now: datetime,
    reason: SuspensionReason = SuspensionReason.OPERATOR,
) -> Subscription:
    """Suspend (for ``reason``), resume or terminate. A terminated subscription stays so."""
    subscription = await repository.subscription(session, subscription_id, lock=True)
    if subscription.status is status:
        return subscription
    if status not in TRANSITIONS[subscription.status]:
        raise Conflict(
            "status",
            f"a {subscription.status.value} subscription cannot become {status.value}",
            code="invalid_transition",
        )
    subscription.status = status
    suspended = status is SubscriptionStatus.SUSPENDED
    subscription.suspension_reason = reason if suspended else None
    if status is SubscriptionStatus.TERMINATED:
        subscription.terminated_at = now
    subscription.updated_at = now
    session.add(subscription)
    await session.flush()
    return subscription


async def succeed(
    session: AsyncSession, previous: Subscription, plan: Plan, at: datetime, now: datetime
) -> Subscription:
    """The subscription that takes over from ``previous`` (just terminated by a plan switch)
    on ``plan`` at ``at``: the same customer, anchor, own thresholds and payment choice; its
    first period runs from ``at`` to the next anchor date of the plan's interval."""
    assert plan.id is not None and previous.id is not None
    successor = Subscription(
        customer_id=previous.customer_id,
        plan_id=plan.id,
        status=SubscriptionStatus.ACTIVE,
        anchor=previous.anchor,
        started_at=at,
        next_billing_at=period_containing(previous.anchor, plan.interval, at).end,
        threshold_amounts=previous.threshold_amounts,
        threshold_recurring=previous.threshold_recurring,
        pay_with_credits=previous.pay_with_credits,
        previous_id=previous.id,
        created_at=now,
        updated_at=now,
    )
    session.add(successor)
    await session.flush()
    return successor


async def check_switch(session: AsyncSession, subscription: Subscription, plan: Plan) -> None:
    """Can the (live) subscription move to ``plan``? Typed errors name ``planCode``."""
    assert plan.id is not None
    current = await session.get(Plan, subscription.plan_id)
    assert current is not None
    if plan.id == current.id:
        raise ValidationFailed(
            "planCode", f"the subscription is on plan '{plan.code}' already", code="same_plan"
        )
    if plan.currency != current.currency:
        raise ValidationFailed(
            "planCode",
            f"plan '{plan.code}' bills in {plan.currency}; the subscription's plan in "
            f"{current.currency}: a plan switch keeps the currency",
            code="currency_mismatch",
        )
    credit = [
        c
        for c in await repository.charges_of_plans(session, [plan.id])
        if c.pricing is ChargePricing.CREDITS
    ]
    if credit and not await wallets.for_customer(session, subscription.customer_id, plan.currency):
        raise ValidationFailed(
            "planCode",
            f"the customer has no {plan.currency} wallet to pay the plan's credit charges",
            code="no_wallet",
        )


async def schedule_switch(
    session: AsyncSession, subscription: Subscription, plan: Plan | None, now: datetime
) -> Subscription:
    """Move the (locked) subscription to ``plan`` at the end of its period (None: cancel)."""
    subscription.next_plan_id = None if plan is None else plan.id
    subscription.updated_at = now
    session.add(subscription)
    await session.flush()
    return subscription
