"""Plan and subscription use cases. Services validate, flush and never commit.

A plan's code, currency and interval are fixed at creation; its name and its charges can
change (``charges`` given to ``update_plan`` replace the plan's charges). Every change to a
plan marks the catalog changed, so every process prices the next event with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.customers import repository as customers
from app.errors import check_length
from app.metering import repository as metrics
from app.plans import catalog, repository
from app.plans.errors import Conflict, ValidationFailed
from app.plans.models import (
    BillingInterval,
    Charge,
    ChargeModel,
    ChargePricing,
    Plan,
    Subscription,
    SubscriptionStatus,
)
from app.wallets import repository as wallets

MAX_PACKAGE = 10**12


@dataclass(frozen=True)
class ChargeInput:
    metric_code: str
    credit_price: object
    model: ChargeModel = ChargeModel.PER_UNIT
    package_size: int = 1


@dataclass(frozen=True)
class PlanInput:
    code: str
    name: str
    currency: str
    interval: BillingInterval
    charges: list[ChargeInput] = field(default_factory=list)
    description: str = ""


async def _charges(
    session: AsyncSession, plan_id: int, inputs: list[ChargeInput], now: datetime
) -> list[Charge]:
    found = {m.code: m for m in await metrics.by_codes(session, [c.metric_code for c in inputs])}
    charges, seen = [], set()
    for index, item in enumerate(inputs):
        where = f"charges[{index}]"
        metric = found.get(item.metric_code)
        if metric is None:
            raise ValidationFailed(
                f"{where}.metricCode", f"no metric with code '{item.metric_code}'", code="not_found"
            )
        if metric.id in seen:
            raise ValidationFailed(f"{where}.metricCode", "is charged twice in this plan")
        assert metric.id is not None
        seen.add(metric.id)
        if item.model is ChargeModel.PER_UNIT and item.package_size != 1:
            raise ValidationFailed(f"{where}.packageSize", "only applies to package pricing")
        if not 1 <= item.package_size <= MAX_PACKAGE:
            raise ValidationFailed(f"{where}.packageSize", f"must be between 1 and {MAX_PACKAGE}")
        price = money.credits(item.credit_price, f"{where}.creditPrice", allow_zero=True)
        charges.append(
            Charge(
                plan_id=plan_id,
                metric_id=metric.id,
                pricing=ChargePricing.CREDITS,
                model=item.model,
                credit_price=price,
                package_size=item.package_size,
                created_at=now,
            )
        )
    return charges


async def create_plan(session: AsyncSession, data: PlanInput, now: datetime) -> Plan:
    plan = Plan(
        code=check_length(data.code, "code", 100),
        name=check_length(data.name, "name", 255),
        description=check_length(data.description, "description", 500, required=False),
        currency=money.normalize_currency(data.currency),
        interval=data.interval,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(plan)
            await session.flush()
    except IntegrityError:
        raise Conflict("code", f"a plan with code '{plan.code}' exists", code="duplicate") from None
    assert plan.id is not None
    session.add_all(await _charges(session, plan.id, data.charges, now))
    await session.flush()
    await catalog.touch(session)
    return plan


async def update_plan(
    session: AsyncSession,
    code: str,
    now: datetime,
    *,
    name: str | None = None,
    description: str | None = None,
    charges: list[ChargeInput] | None = None,
) -> Plan:
    plan = await repository.plan_by_code(session, code)
    assert plan.id is not None
    if name is not None:
        plan.name = check_length(name, "name", 255)
    if description is not None:
        plan.description = check_length(description, "description", 500, required=False)
    if charges is not None:
        replacements = await _charges(session, plan.id, charges, now)
        await (await session.connection()).execute(
            delete(Charge).where(col(Charge.plan_id) == plan.id)
        )
        session.add_all(replacements)
    plan.updated_at = now
    session.add(plan)
    await session.flush()
    await catalog.touch(session)
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
    if await repository.charges_of_plans(session, [plan.id]) and not await wallets.for_customer(
        session, customer.id, plan.currency
    ):
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
    session: AsyncSession, subscription_id: int, status: SubscriptionStatus, now: datetime
) -> Subscription:
    """Suspend, resume or terminate. A terminated subscription stays terminated."""
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
    if status is SubscriptionStatus.TERMINATED:
        subscription.terminated_at = now
    subscription.updated_at = now
    session.add(subscription)
    await session.flush()
    return subscription
