"""Metering: billable metrics and the usage events products send, checked one by one
(``validation``), with the numeric limits of usage (``limits``) and the record of rejected
events (``rejections``). Ingesting a batch drives plans, wallets and billing: that is the flow
``app.flows.ingest``."""

from app.metering.aggregation import ADDITIVE, Fold, Measure, measure
from app.metering.limits import (
    OverLimit,
    balance_message,
    check_amount,
    costly,
    credits_message,
    money_message,
    quantity_message,
    too_large,
    value_field,
)
from app.metering.models import TRANSACTION_ID_MAX, Aggregation, BillableMetric
from app.metering.outcomes import EventResult, Outcome, Source, Status, WalletBalance
from app.metering.rejections import record as record_rejections
from app.metering.rejections import refused
from app.metering.repository import by_codes as metrics_by_codes
from app.metering.repository import by_ids as metrics_by_ids
from app.metering.validation import REST_FIELDS, FieldNames, Parsed, Window, parse

__all__ = [
    "ADDITIVE",
    "REST_FIELDS",
    "TRANSACTION_ID_MAX",
    "Aggregation",
    "BillableMetric",
    "EventResult",
    "FieldNames",
    "Fold",
    "Measure",
    "Outcome",
    "OverLimit",
    "Parsed",
    "Source",
    "Status",
    "WalletBalance",
    "Window",
    "balance_message",
    "check_amount",
    "costly",
    "credits_message",
    "measure",
    "metrics_by_codes",
    "metrics_by_ids",
    "money_message",
    "parse",
    "quantity_message",
    "record_rejections",
    "refused",
    "too_large",
    "value_field",
]
