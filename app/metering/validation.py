"""Checking one event, in two steps, each error naming the field in the caller's spelling.

``parse`` needs nothing but the event: presence and types of its fields, text PostgreSQL can
store and properties within the JSON limits (``app.inputs``), and the timestamp window
(``backdating_days`` in the past, ``future_skew_seconds`` ahead). ``resolve`` runs once
the batch's customers and the catalog are known: the customer and metric exist, and the
properties hold what the metric aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from app.errors import NotFound, ValidationFailed
from app.inputs import Invalid, json_text, printable, unstorable
from app.metering import limits
from app.metering.aggregation import Measure, measure
from app.metering.models import CODE_MAX, TRANSACTION_ID_MAX
from app.plans.catalog import Metric, PlanPrices, Snapshot
from app.plans.lookup import Billing
from app.plans.money_pricing import MoneyPrice
from app.plans.pricing import Price

EXTERNAL_ID_MAX = 255


@dataclass(frozen=True)
class FieldNames:
    transaction_id: str
    customer: str
    metric: str
    timestamp: str
    properties: str


REST_FIELDS = FieldNames(
    "transaction_id", "customer_external_id", "metric_code", "timestamp", "properties"
)
GRAPHQL_FIELDS = FieldNames(
    "transactionId", "customerExternalId", "metricCode", "timestamp", "properties"
)


@dataclass(frozen=True)
class Window:
    now: datetime
    earliest: datetime
    latest: datetime

    @classmethod
    def around(cls, now: datetime, backdating_days: int, future_skew_seconds: int) -> Window:
        return cls(
            now, now - timedelta(days=backdating_days), now + timedelta(seconds=future_skew_seconds)
        )


class Parsed(NamedTuple):  # a NamedTuple: a thousand are made per batch
    position: int  # in the request
    transaction_id: str
    customer: str
    metric: str
    timestamp: datetime
    properties: dict[str, Any]
    properties_json: str


class Resolved(NamedTuple):
    parsed: Parsed
    billing: Billing
    metric: Metric
    value: Measure
    plan: PlanPrices | None  # set when the live subscription's plan charges the metric
    price: Price | None  # in credits (debited now)
    money: MoneyPrice | None  # or in money (accrued to the period)


def _text(raw: dict[str, Any], field: str, maximum: int) -> str:
    value = raw.get(field)
    if value is None:
        raise ValidationFailed(field, "is required", code="required")
    if not isinstance(value, str):
        raise ValidationFailed(field, "must be a string")
    if not value.strip():
        raise ValidationFailed(field, "must not be empty", code="required")
    if len(value) > maximum:
        raise ValidationFailed(field, f"must be at most {maximum} characters", code="too_long")
    if "\x00" in value or not value.isascii():  # rare: only then the full check
        problem = unstorable(value)
        if problem is not None:
            raise ValidationFailed(field, f"must not contain {problem}", code="invalid_characters")
    return value


def _moment(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            if not value.isascii() or "\x00" in value:  # fromisoformat reads past a NUL
                raise ValueError
            moment = datetime.fromisoformat(value)
        except ValueError:
            shown = printable(value[:64])
            raise ValidationFailed(
                field, f"'{shown}' is not an ISO 8601 date and time", code="invalid_timestamp"
            ) from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationFailed(field, "is out of range", code="invalid_timestamp") from None
    elif isinstance(value, Invalid):  # the GraphQL scalar could not read it
        raise ValidationFailed(field, value.message, code=value.code)
    else:
        raise ValidationFailed(field, "must be an ISO 8601 string or Unix seconds")
    if moment.tzinfo is None:
        raise ValidationFailed(
            field, "must include a time zone, e.g. 2026-01-15T12:00:00Z", code="invalid_timestamp"
        )
    return moment


def _timestamp(raw: dict[str, Any], field: str, window: Window) -> datetime:
    value = raw.get(field)
    if value is None:
        return window.now
    moment = _moment(value, field)
    if moment < window.earliest:
        days = (window.now - window.earliest).days
        raise ValidationFailed(field, f"is more than {days} days in the past", code="too_old")
    if moment > window.latest:
        seconds = int((window.latest - window.now).total_seconds())
        raise ValidationFailed(
            field, f"is more than {seconds} seconds in the future", code="in_the_future"
        )
    return moment


def parse(index: int, raw: object, names: FieldNames, window: Window) -> Parsed:
    """The event's own fields, checked without the database."""
    if not isinstance(raw, dict):
        raise ValidationFailed(None, "an event must be a JSON object")
    transaction_id = _text(raw, names.transaction_id, TRANSACTION_ID_MAX)
    customer = _text(raw, names.customer, EXTERNAL_ID_MAX)
    metric = _text(raw, names.metric, CODE_MAX)
    timestamp = _timestamp(raw, names.timestamp, window)
    properties = raw.get(names.properties)
    if properties is None:
        return Parsed(index, transaction_id, customer, metric, timestamp, {}, "{}")
    if isinstance(properties, Invalid):
        raise ValidationFailed(names.properties, properties.message, code=properties.code)
    if not isinstance(properties, dict):
        raise ValidationFailed(names.properties, "must be a JSON object")
    stored = json_text(properties, names.properties)
    return Parsed(index, transaction_id, customer, metric, timestamp, properties, stored)


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
        raise limits.costly(f"{names.properties}.{metric.property}")  # its own price alone
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
