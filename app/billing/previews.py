"""Invoice previews — "what would this customer pay": the invoice a subscription's period would
issue, computed by the code that issues it (``usage_invoices.period_lines``: the same base fee,
usage, true-up and threshold lines), with the usage as it stands now, and written nowhere (it
only reads: no row, number, job or message).

* the **period** running now: its period-end invoice if no more usage arrived;
* a **termination** at a moment of the period: the final invoice termination would issue then
  (the base fee and true-ups for the days to that moment);
* a **plan switch** at a moment of the period: an upgrade's final invoice of the current plan
  (the days before the day of the switch); a downgrade is done at the period's end, so its
  preview is the period-end invoice, ``effective_at`` the period's end.

The moment (``at``, default now) must lie in the subscription's period running now and not
before the subscription started; typed errors name ``at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app import plans
from app.billing import plan_switches, proration, repository, termination
from app.billing.usage_invoices import Cut, period_lines
from app.errors import DomainError, NotFound, ValidationFailed
from app.invoices import LineInput
from app.plans import Period, Plan, Subscription, SubscriptionStatus, billing_period
from app.plans import period_containing as full_period


@dataclass(frozen=True)
class Preview:
    subscription: Subscription
    plan: Plan
    start: datetime
    end: datetime  # where the invoice's period ends (the cut, or the period's end)
    effective_at: datetime  # when it would be issued: the cut, or the period's end
    lines: list[LineInput]
    total_minor: int
    upgrade: bool | None = None  # a plan switch: applied now (True) or at the period's end


async def _subscription(session: AsyncSession, subscription_id: int) -> tuple[Subscription, Plan]:
    try:
        found = await plans.subscription(session, subscription_id)
    except NotFound:
        raise NotFound("subscriptionId", f"no subscription with id {subscription_id}") from None
    if found.status is SubscriptionStatus.TERMINATED:
        raise ValidationFailed(
            "subscriptionId", f"subscription {subscription_id} is terminated", code="terminated"
        )
    plan = await session.get(Plan, found.plan_id)
    assert plan is not None
    return found, plan


def _check_at(subscription: Subscription, current: Period, at: datetime) -> None:
    if at.tzinfo is None:
        raise ValidationFailed("at", "must include a time zone")
    if at < subscription.started_at:
        raise ValidationFailed(
            "at",
            f"is before the subscription started ({subscription.started_at.isoformat()})",
            code="before_start",
        )
    if at not in current:
        raise ValidationFailed(
            "at",
            f"is outside the period running now ({current.start.isoformat()} – "
            f"{current.end.isoformat()})",
            code="outside_period",
        )


async def _target(session: AsyncSession, subscription: Subscription, plan_code: str) -> Plan:
    try:
        target = await plans.plan_by_code(session, plan_code, "planCode")
        await plans.check_switch(session, subscription, target)
    except DomainError as error:
        error.field = f"change.{error.field}"
        raise
    return target


async def preview(
    session: AsyncSession,
    subscription_id: int,
    now: datetime,
    *,
    at: datetime | None = None,
    switch_to: str | None = None,
    terminate: bool = False,
) -> Preview:
    """The invoice the period running now would issue at its end, or on a termination or a
    plan switch (``switch_to``: a plan's code) at ``at``."""
    if switch_to is not None and terminate:
        raise ValidationFailed("terminate", "preview a plan switch or a termination, not both")
    subscription, plan = await _subscription(session, subscription_id)
    current = billing_period(subscription.anchor, subscription.started_at, plan.interval, now)
    at = at or now
    _check_at(subscription, current, at)
    cut, upgrade = None, None
    if switch_to is not None:
        target = await _target(session, subscription, switch_to)
        upgrade = plan_switches.is_upgrade(plan, target)
        if upgrade:
            day = proration.day_start(full_period(subscription.anchor, plan.interval, at).start, at)
            cut = Cut(at, plan_switches.ENDING, day)
    elif terminate:
        cut = Cut(at, termination.ENDING)
    end = current.end if cut is None else cut.at
    rows = await repository.periods_of(session, [(subscription_id, current.start)])
    billed = rows[0].billed_minor if rows else 0
    items = await period_lines(session, subscription, plan, Period(current.start, end), billed, cut)
    total = sum(line.amount_minor or 0 for line in items)
    return Preview(subscription, plan, current.start, end, end, items, total, upgrade)
