"""Per-operation dataloaders for plans and metrics, kept beside the operation's context."""

from __future__ import annotations

from datetime import datetime

from strawberry.dataloader import DataLoader

from app.billing import repository as billing
from app.billing.models import BillingPeriod
from app.metering import repository as metrics
from app.metering.models import BillableMetric
from app.plans import repository
from app.plans.models import Charge, ChargeTier, Plan, Subscription, SubscriptionUsage
from graphql_schema.context import Context, Info
from graphql_schema.loaders import many_loader, one_loader

UsageKey = tuple[int, datetime]  # subscription, period start


class PlanLoaders:
    def __init__(self, context: Context) -> None:
        self.metric: DataLoader[int, BillableMetric | None] = one_loader(
            context, metrics.by_ids, lambda m: m.id
        )
        self.plan: DataLoader[int, Plan | None] = one_loader(
            context, repository.plans_by_ids, lambda p: p.id
        )
        self.charges: DataLoader[int, list[Charge]] = many_loader(
            context, repository.charges_of_plans, lambda c: c.plan_id
        )
        self.usage: DataLoader[UsageKey, list[SubscriptionUsage]] = many_loader(
            context, repository.usage_of_periods, lambda u: (u.subscription_id, u.period_start)
        )
        self.subscription: DataLoader[int, Subscription | None] = one_loader(
            context, repository.subscriptions_by_ids, lambda s: s.id
        )
        self.tiers: DataLoader[int, list[ChargeTier]] = many_loader(
            context, repository.tiers_of, lambda t: t.charge_id
        )
        self.period: DataLoader[UsageKey, BillingPeriod | None] = one_loader(
            context, billing.periods_of, lambda p: (p.subscription_id, p.period_start)
        )


def plan_loaders(info: Info) -> PlanLoaders:
    """The loaders of this operation (made on first use, gone with its context)."""
    return info.context.cached(PlanLoaders)
