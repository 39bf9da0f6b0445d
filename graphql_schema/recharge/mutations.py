from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.recharge import auto, rules, switching, topups
from app.recharge.models import Recharge as RechargeModel
from app.recharge.models import RechargeRule, RuleInterval, RuleMethod, RuleTrigger
from app.recharge.rules import RuleInput
from app.recharge.topups import OptionsChange, TopUpRequest
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.payments.mutations import method_id
from graphql_schema.permissions import IsAdmin
from graphql_schema.recharge.access import CanBuyCredits, buyable_wallet
from graphql_schema.recharge.access import wallet_id as parse_wallet_id
from graphql_schema.recharge.types import AutoRechargeRule, Recharge, TopUpOptions
from graphql_schema.scalars import Credits


@strawberry.input(description="Buy `credits` at the wallet's rate, or the bundle `bundleCode`.")
class TopUpInput:
    wallet_id: strawberry.ID
    idempotency_key: str = strawberry.field(
        description="Your key for this request: a retry with the same key buys once."
    )
    credits: Credits | None = None
    bundle_code: str | None = None
    payment_method_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the customer's default payment method."
    )


@strawberry.input(description="Options left out (null) are unchanged.")
class SetTopUpOptionsInput:
    wallet_id: strawberry.ID
    grant_before_payment: bool | None = None
    customer_switches_auto_recharge: bool | None = strawberry.field(
        default=None,
        description="Let the customer turn the auto-recharge rule on and off (portal).",
    )


@strawberry.input(description="Turn the wallet's auto-recharge rule on or off, unchanged.")
class SwitchAutoRechargeInput:
    wallet_id: strawberry.ID
    enabled: bool


@strawberry.input(description="A threshold rule needs `threshold`; an interval rule `interval`.")
class SetAutoRechargeInput:
    wallet_id: strawberry.ID
    trigger: RuleTrigger
    method: RuleMethod
    credits: Credits = strawberry.field(
        description="FIXED: credits to buy each time; TARGET: the balance to top up to."
    )
    threshold: Credits | None = None
    interval: RuleInterval | None = None
    discount_percent: Decimal = strawberry.field(
        default=Decimal(0), description="0 to below 100, shown on the invoice line."
    )
    cooldown_seconds: int | None = strawberry.field(
        default=None, description="Least time between two starts (default: 10 minutes)."
    )
    monthly_max_recharges: int | None = None
    monthly_max_amount: Decimal | None = strawberry.field(
        default=None, description="Most money per calendar month, in major units."
    )
    payment_method_id: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the customer's default payment method."
    )


@strawberry.type
class RechargePayload:
    recharge: RechargeModel = strawberry.field(graphql_type=Recharge)


@strawberry.type
class AutoRechargeRulePayload:
    rule: RechargeRule = strawberry.field(graphql_type=AutoRechargeRule)


@strawberry.type
class TopUpOptionsPayload:
    options: TopUpOptions


RechargeResult: TypeAlias = Annotated[RechargePayload | Failure, strawberry.union("RechargeResult")]
AutoRechargeRuleResult: TypeAlias = Annotated[
    AutoRechargeRulePayload | Failure, strawberry.union("AutoRechargeRuleResult")
]
TopUpOptionsResult: TypeAlias = Annotated[
    TopUpOptionsPayload | Failure, strawberry.union("TopUpOptionsResult")
]


def _rule_input(input: SetAutoRechargeInput) -> RuleInput:
    return RuleInput(
        wallet_id=parse_wallet_id(input.wallet_id),
        trigger=input.trigger,
        method=input.method,
        credits=input.credits,
        threshold=input.threshold,
        interval=input.interval,
        discount_percent=input.discount_percent,
        cooldown_seconds=input.cooldown_seconds,
        monthly_max_recharges=input.monthly_max_recharges,
        monthly_max_amount=input.monthly_max_amount,
        payment_method_id=method_id(input.payment_method_id),
    )


@strawberry.type
class RechargeMutations:
    @mutation(
        permission_classes=[CanBuyCredits],
        description="Buy credits: a credit-purchase invoice, charged to the payment method; the "
        "credits land when the payment succeeds. Idempotent by key.",
    )
    async def top_up(self, info: Info, input: TopUpInput) -> RechargeResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> RechargePayload:
            wallet = await buyable_wallet(info, session, input.wallet_id)
            assert wallet.id is not None
            request = TopUpRequest(
                wallet_id=wallet.id,
                idempotency_key=input.idempotency_key,
                credits=input.credits,
                bundle_code=input.bundle_code,
                payment_method_id=method_id(input.payment_method_id),
            )
            recharge = await topups.top_up(session, request, settings, now)
            return RechargePayload(recharge=recharge)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def set_top_up_options(
        self, info: Info, input: SetTopUpOptionsInput
    ) -> TopUpOptionsResult:
        now = info.context.now

        async def work(session: AsyncSession) -> TopUpOptionsPayload:
            change = OptionsChange(
                input.grant_before_payment, input.customer_switches_auto_recharge
            )
            wallet = parse_wallet_id(input.wallet_id)
            options = await topups.set_options(session, wallet, change, now)
            return TopUpOptionsPayload(options=TopUpOptions.of(wallet, options))

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Create or replace a wallet's auto-recharge rule (enabled, failures reset).",
    )
    async def set_auto_recharge(
        self, info: Info, input: SetAutoRechargeInput
    ) -> AutoRechargeRuleResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> AutoRechargeRulePayload:
            rule = await auto.configure(session, _rule_input(input), settings, now)
            return AutoRechargeRulePayload(rule=rule)

        return await attempt(info, work)

    @mutation(
        permission_classes=[CanBuyCredits],
        description="Turn the wallet's auto-recharge rule on or off as it is set. A customer "
        "token may do it only where the operator allowed it (setTopUpOptions "
        "customerSwitchesAutoRecharge): otherwise ConflictError `not_allowed`.",
    )
    async def switch_auto_recharge(
        self, info: Info, input: SwitchAutoRechargeInput
    ) -> AutoRechargeRuleResult:
        now, principal = info.context.now, info.context.principal
        by_customer = principal is not None and principal.customer_id is not None

        async def work(session: AsyncSession) -> AutoRechargeRulePayload:
            wallet = await buyable_wallet(info, session, input.wallet_id)
            assert wallet.id is not None
            rule = await switching.switch(session, wallet.id, input.enabled, by_customer, now)
            return AutoRechargeRulePayload(rule=rule)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def disable_auto_recharge(
        self, info: Info, wallet_id: strawberry.ID
    ) -> AutoRechargeRuleResult:
        now = info.context.now

        async def work(session: AsyncSession) -> AutoRechargeRulePayload:
            wallet = parse_wallet_id(wallet_id)
            rule = await rules.disable(session, wallet, "disabled by an operator", now)
            return AutoRechargeRulePayload(rule=rule)

        return await attempt(info, work)
