"""Auto-recharge rules: set (validated, one per wallet), read, disable; and what a payment's
outcome does to a rule (a success resets the failure count; the last allowed failure disables
the rule and tells the customer and the operators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, money, payments, wallets
from app.announcements import Recipient
from app.config import Settings
from app.recharge import repository, schedule
from app.recharge.errors import NotFound, ValidationFailed
from app.recharge.models import RechargeRule, RuleInterval, RuleMethod, RuleTrigger
from app.wallets import Wallet

HUNDRED = Decimal(100)
MAX_COOLDOWN_SECONDS = 31 * 24 * 3600


@dataclass(frozen=True)
class RuleInput:
    wallet_id: int
    trigger: RuleTrigger
    method: RuleMethod
    credits: object  # fixed: how many to buy; target: the balance to top up to
    threshold: object | None = None  # the trigger balance (the API's field name)
    interval: RuleInterval | None = None
    discount_percent: object = 0
    cooldown_seconds: int | None = None  # default: the configured cooldown
    monthly_max_recharges: int | None = None
    monthly_max_amount: object | None = None  # major units of the wallet's currency
    payment_method_id: int | None = None  # default: the customer's default method


@dataclass(frozen=True)
class Checked:
    credits: Decimal
    trigger_balance: Decimal | None
    discount: Decimal
    cooldown: int
    max_amount_minor: int | None


def discount(value: object) -> Decimal:
    number = money.parse_decimal(value, "discountPercent")
    if not 0 <= number < HUNDRED:
        raise ValidationFailed("discountPercent", "must be at least 0 and below 100")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationFailed("discountPercent", "has more than 2 decimal places")
    return number


def _trigger_balance(data: RuleInput) -> Decimal | None:
    if data.trigger is RuleTrigger.INTERVAL:
        if data.interval is None:
            raise ValidationFailed("interval", "is required for an interval rule")
        if data.threshold is not None:
            raise ValidationFailed("threshold", "only applies to a threshold rule")
        return None
    if data.interval is not None:
        raise ValidationFailed("interval", "only applies to an interval rule")
    if data.threshold is None:
        raise ValidationFailed("threshold", "is required for a threshold rule")
    value = money.parse_decimal(data.threshold, "threshold")
    if abs(value) > money.MAX_CREDITS or value.as_tuple().exponent < -money.CREDIT_PLACES:  # type: ignore[operator]
        raise ValidationFailed("threshold", "is out of range or has more than 6 decimal places")
    return value


def check(data: RuleInput, currency: str, settings: Settings) -> Checked:
    """Validate a rule, naming the first field that is wrong."""
    credits = money.credits(data.credits, "credits")
    trigger_balance = _trigger_balance(data)
    if (
        data.method is RuleMethod.TARGET
        and trigger_balance is not None
        and credits <= trigger_balance
    ):
        raise ValidationFailed(
            "credits", "the target must be above the threshold", code="target_not_above_threshold"
        )
    cooldown = settings.recharge_cooldown_seconds
    if data.cooldown_seconds is not None:
        cooldown = data.cooldown_seconds
    if not 0 <= cooldown <= MAX_COOLDOWN_SECONDS:
        raise ValidationFailed("cooldownSeconds", f"must be between 0 and {MAX_COOLDOWN_SECONDS}")
    if data.monthly_max_recharges is not None and data.monthly_max_recharges < 1:
        raise ValidationFailed("monthlyMaxRecharges", "must be at least 1")
    max_amount = None
    if data.monthly_max_amount is not None:
        max_amount = money.minor_units(data.monthly_max_amount, currency, "monthlyMaxAmount")
        if max_amount == 0:
            raise ValidationFailed("monthlyMaxAmount", "must be greater than zero")
    return Checked(credits, trigger_balance, discount(data.discount_percent), cooldown, max_amount)


async def set_rule(
    session: AsyncSession, data: RuleInput, settings: Settings, now: datetime
) -> RechargeRule:
    """Create or replace the wallet's rule (enabled, failure count reset)."""
    wallet = await wallets.lock_wallet(session, data.wallet_id)
    if wallet is None:
        raise NotFound("walletId", f"no wallet with id {data.wallet_id}")
    checked = check(data, wallet.currency, settings)
    if data.payment_method_id is not None:
        await payments.resolve_method(
            session, wallet.customer_id, data.payment_method_id, "paymentMethodId"
        )
    rule = await repository.rule_of(session, data.wallet_id, lock=True)
    if rule is None:
        rule = RechargeRule(
            wallet_id=data.wallet_id,
            trigger=data.trigger,
            method=data.method,
            credits=checked.credits,
            created_at=now,
            updated_at=now,
        )
    _apply(rule, data, checked, now)
    session.add(rule)
    await session.flush()
    return rule


def _apply(rule: RechargeRule, data: RuleInput, checked: Checked, now: datetime) -> None:
    rule.trigger = data.trigger
    rule.method = data.method
    rule.credits = checked.credits
    rule.threshold = checked.trigger_balance
    rule.interval = data.interval
    rule.discount_percent = checked.discount
    rule.cooldown_seconds = checked.cooldown
    rule.monthly_max_recharges = data.monthly_max_recharges
    rule.monthly_max_amount_minor = checked.max_amount_minor
    rule.payment_method_id = data.payment_method_id
    rule.enabled = True
    rule.consecutive_failures = 0
    rule.disabled_reason = None
    rule.anchor_at = now if data.interval is not None else None
    rule.next_run_at = (
        schedule.next_after(now, data.interval, now) if data.interval is not None else None
    )
    rule.updated_at = now


async def get_rule(session: AsyncSession, wallet_id: int) -> RechargeRule | None:
    return await repository.rule_of(session, wallet_id)


async def disable(
    session: AsyncSession, wallet_id: int, reason: str, now: datetime
) -> RechargeRule:
    await wallets.lock_wallet(session, wallet_id)  # a wallet's rows under its lock: lock order
    rule = await repository.rule_of(session, wallet_id, lock=True)
    if rule is None:
        raise NotFound("walletId", f"wallet {wallet_id} has no auto-recharge rule")
    rule.enabled = False
    rule.disabled_reason = reason
    rule.updated_at = now
    session.add(rule)
    await session.flush()
    return rule


async def payment_succeeded(session: AsyncSession, rule_id: int, now: datetime) -> None:
    rule = await repository.lock_rule(session, rule_id)
    if rule is not None and rule.consecutive_failures:
        rule.consecutive_failures = 0
        rule.updated_at = now
        session.add(rule)
        await session.flush()


async def payment_failed(
    session: AsyncSession, rule_id: int, reason: str, max_failures: int, now: datetime
) -> None:
    """Count a failed auto-recharge; the last one allowed disables the rule."""
    rule = await repository.lock_rule(session, rule_id)
    if rule is None:
        return
    rule.consecutive_failures += 1
    rule.updated_at = now
    if rule.enabled and rule.consecutive_failures >= max_failures:
        rule.enabled = False
        rule.disabled_reason = (
            f"{rule.consecutive_failures} payments failed in a row; last: {reason}"
        )[:500]
        await _tell_disabled(session, rule, reason, now)
    session.add(rule)
    await session.flush()


async def _tell_disabled(
    session: AsyncSession, rule: RechargeRule, reason: str, now: datetime
) -> None:
    wallet = await session.get(Wallet, rule.wallet_id)
    assert wallet is not None
    data = {
        "wallet_id": rule.wallet_id,
        "rule_id": rule.id,
        "currency": wallet.currency,
        "failures": rule.consecutive_failures,
        "reason": reason,
    }
    recipients: tuple[Recipient, ...] = ("customer", "operators")
    for recipient in recipients:
        await announcements.notify(
            session, "recharge_disabled", recipient, wallet.customer_id, data, now
        )
