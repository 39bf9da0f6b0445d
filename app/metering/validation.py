"""Checking one usage event, in two steps, each error naming the field in the caller's spelling.

``parse`` (here) needs nothing but the event: presence and types of its fields, text
PostgreSQL can store and properties within the JSON limits (``app.inputs``), and the timestamp
window (``backdating_days`` in the past, ``future_skew_seconds`` ahead). ``resolve``
(``app.plans.resolution``) runs once the batch's customers and the catalog are known: the customer
and metric exist, and the properties hold what the metric aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from app.errors import ValidationFailed
from app.inputs import Invalid, json_text, printable, unstorable
from app.metering.models import CODE_MAX, TRANSACTION_ID_MAX

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
