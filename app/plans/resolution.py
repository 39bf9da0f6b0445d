"""An event resolved against the catalog, the second step of checking a usage event (the
first, ``parse``, is ``app.metering.validation``): its customer and metric exist, the
properties hold what the metric aggregates, and the customer's live subscription prices the
metric in credits (debited now) or money (accrued to the period). Pure; each error names the
field in the caller's spelling."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from app import metering
from app.errors import NotFound, ValidationFailed
from app.metering import FieldNames, Measure, Parsed, measure
from app.plans.catalog import Metric, PlanPrices, Snapshot
from app.plans.lookup import Billing
from app.plans.money_pricing import MoneyPrice
from app.plans.pricing import Price


class Resolved(NamedTuple):
    parsed: Parsed
    billing: Billing
    metric: Metric
    value: Measure
    plan: PlanPrices | None  # set when the live subscription's plan charges the metric
    price: Price | None  # in credits (debited now)
    money: MoneyPrice | None  # or in money (accrued to the period)


def resolve(
    event: Parsed, customers: dict[str, Billing], catalog: Snapshot, names: FieldNames
) -> Resolved:
    """The event's customer and metric, and what the metric reads from its properties."""
    billing = customers.get(event.customer)
    if billing is None:
        raise NotFound(names.customer, f"no customer with external id '{event.customer}'")
    metric = catalog.metrics.get(event.metric)
    if metric is None:
        raise NotFound(names.metric, f"no metric with code '{event.metric}'")
    value = measure(metric.aggregation, metric.property, event.properties, names.properties)
    plan, price, money = _pricing(event, billing, metric, catalog)
    if price is not None and isinstance(value, Decimal) and value > price.most_units:
        raise metering.costly(f"{names.properties}.{metric.property}")  # its own price alone
    if money is not None:
        _not_invoiced(event, billing, names)
    if price is not None and billing.wallet is None:
        assert plan is not None
        raise ValidationFailed(
            names.customer,
            f"has no {plan.currency} wallet to pay the credit charges of plan '{plan.code}'",
            code="no_wallet",
        )
    return Resolved(event, billing, metric, value, plan, price, money)


NOT_CHARGED: tuple[None, None, None] = (None, None, None)


def _not_invoiced(event: Parsed, billing: Billing, names: FieldNames) -> None:
    """Money-priced usage must fall in a period not invoiced yet: a closed period's invoice is
    final, and usage added to it would never be billed (credit-priced usage is debited at once
    and has no such limit)."""
    subscription = billing.subscription
    through = subscription.invoiced_through if subscription is not None else None
    if through is not None and event.timestamp < through:
        raise ValidationFailed(
            names.timestamp,
            f"falls in a billing period already invoiced (up to {through.isoformat()}); "
            "usage before then can no longer be billed",
            code="period_invoiced",
        )


def _pricing(
    event: Parsed, billing: Billing, metric: Metric, catalog: Snapshot
) -> tuple[PlanPrices | None, Price | None, MoneyPrice | None]:
    """The plan of the live subscription and its credit or money price of the metric, for
    events dated from the subscription's start."""
    subscription = billing.subscription
    if subscription is None or event.timestamp < subscription.started_at:
        return NOT_CHARGED
    plan = catalog.plans.get(subscription.plan_id)
    if plan is None:
        return NOT_CHARGED
    price = plan.credit_prices.get(metric.id)
    if price is not None:
        return plan, price, None
    money = plan.money_prices.get(metric.id)
    return (plan, None, money) if money is not None else NOT_CHARGED
