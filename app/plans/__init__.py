"""Plans and subscriptions: metrics priced in credits (debited as usage arrives) or money
(accrued to the billing period), base fees, usage thresholds, the in-memory catalog the hot
path prices with, and period-to-date usage."""

from app.plans.catalog import EMPTY, Catalog, Snapshot, TierRow, money_price
from app.plans.charges import ChargeInput
from app.plans.commitments import spending_minimums
from app.plans.lookup import Billing
from app.plans.lookup import billing as billing_of
from app.plans.models import (
    ChargePricing,
    Plan,
    SpendingMinimum,
    Subscription,
    SubscriptionStatus,
    SubscriptionUsage,
    SuspensionReason,
)
from app.plans.money_charges import MoneyChargeInput
from app.plans.money_pricing import MoneyPrice, amount_minor, bound_minor, period_minor
from app.plans.money_pricing import describe as describe_money_price
from app.plans.periods import Period, billing_period, period_containing
from app.plans.periods import months as interval_months
from app.plans.pricing import credits_for
from app.plans.repository import (
    charges_of_plans,
    live_subscription,
    plan_by_code,
    subscription,
    tiers_of,
)
from app.plans.resolution import Resolved, resolve
from app.plans.service import (
    check_switch,
    schedule_switch,
    set_status,
    succeed,
    update_plan,
)
from app.plans.thresholds import ThresholdInput, Thresholds
from app.plans.thresholds import of as thresholds_of
from app.plans.thresholds import parse as parse_thresholds
from app.plans.usage import Billed, Group, InAdvance, Key, MoneyUsage, key_of, period_of
from app.plans.usage import record as record_usage

__all__ = [
    "EMPTY",
    "Billed",
    "Billing",
    "Catalog",
    "ChargeInput",
    "ChargePricing",
    "Group",
    "InAdvance",
    "Key",
    "MoneyChargeInput",
    "MoneyPrice",
    "MoneyUsage",
    "Period",
    "Plan",
    "Resolved",
    "Snapshot",
    "SpendingMinimum",
    "Subscription",
    "SubscriptionStatus",
    "SubscriptionUsage",
    "SuspensionReason",
    "ThresholdInput",
    "Thresholds",
    "TierRow",
    "amount_minor",
    "billing_of",
    "billing_period",
    "bound_minor",
    "charges_of_plans",
    "check_switch",
    "credits_for",
    "describe_money_price",
    "interval_months",
    "key_of",
    "live_subscription",
    "money_price",
    "parse_thresholds",
    "period_containing",
    "period_minor",
    "period_of",
    "plan_by_code",
    "record_usage",
    "resolve",
    "schedule_switch",
    "set_status",
    "spending_minimums",
    "subscription",
    "succeed",
    "thresholds_of",
    "tiers_of",
    "update_plan",
]
