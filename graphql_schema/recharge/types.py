from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app.invoices.models import Invoice as InvoiceModel
from app.recharge.models import Recharge as RechargeModel
from app.recharge.models import RechargeRule as RuleModel
from app.recharge.models import (
    RechargeStatus,
    RechargeTrigger,
    RuleInterval,
    RuleMethod,
    RuleTrigger,
)
from app.recharge.models import TopUpOptions as TopUpOptionsModel
from app.wallets.models import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.money import Money, plain
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.invoices.types import Invoice
    from graphql_schema.wallets.types import Wallet


strawberry.enum(
    RechargeTrigger, description="What started a recharge: a top-up request, or a rule."
)
strawberry.enum(RechargeStatus)
strawberry.enum(
    RuleTrigger,
    name="AutoRechargeTrigger",
    description="When a rule recharges: at a balance threshold, or every interval.",
)
strawberry.enum(
    RuleMethod,
    name="AutoRechargeMethod",
    description="FIXED buys `credits`; TARGET tops the balance up to `credits`.",
)
strawberry.enum(RuleInterval, name="AutoRechargeInterval")


async def _wallet(recharge: Parent[RechargeModel], info: Info) -> WalletModel:
    found = await info.context.loaders.wallet.load(recharge.wallet_id)
    assert found is not None
    return found


def _discount_percent(row: Parent[RechargeModel | RuleModel]) -> Decimal:
    return plain(row.discount_percent)


async def _invoice(recharge: Parent[RechargeModel], info: Info) -> InvoiceModel | None:
    if recharge.invoice_id is None:
        return None
    return await invoice_loaders(info).invoice.load(recharge.invoice_id)


@strawberry.type(description="One purchase of credits: a top-up or an auto-recharge.")
class Recharge:
    is_type_of = Reads(RechargeModel)

    id: strawberry.ID
    wallet: WalletModel = strawberry.field(
        resolver=_wallet,
        graphql_type=Annotated["Wallet", strawberry.lazy("graphql_schema.wallets.types")],
    )
    trigger: RechargeTrigger
    status: RechargeStatus
    credits: Credits = strawberry.field(description="Paid credits bought.")
    bonus_credits: Credits = strawberry.field(description="Free credits that come with a bundle.")
    discount_percent: Decimal = strawberry.field(resolver=_discount_percent)
    failure_reason: str | None = strawberry.field(description="Why it failed or was skipped.")
    invoice: InvoiceModel | None = strawberry.field(
        resolver=_invoice,
        graphql_type=Annotated["Invoice", strawberry.lazy("graphql_schema.invoices.types")] | None,
        description="The credit-purchase invoice (none while a rule's is pending).",
    )
    granted_at: datetime | None = strawberry.field(description="When the credits landed.")
    created_at: datetime
    settled_at: datetime | None


async def _monthly_max_amount(rule: Parent[RuleModel], info: Info) -> Money | None:
    """In the wallet's currency (the wallet is in the loader: the rule's resolver put it there)."""
    if rule.monthly_max_amount_minor is None:
        return None
    wallet = await info.context.loaders.wallet.load(rule.wallet_id)
    assert wallet is not None
    return Money.of(rule.monthly_max_amount_minor, wallet.currency)


@strawberry.type(description="A wallet's auto-recharge rule.")
class AutoRechargeRule:
    is_type_of = Reads(RuleModel)

    id: strawberry.ID
    wallet_id: strawberry.ID
    trigger: RuleTrigger
    threshold: Credits | None = strawberry.field(
        description="Recharge when the balance is at or below this."
    )
    interval: RuleInterval | None
    method: RuleMethod
    credits: Credits = strawberry.field(
        description="FIXED: credits bought each time; TARGET: the balance aimed at."
    )
    discount_percent: Decimal = strawberry.field(
        resolver=_discount_percent, description='Shown on the invoice line, e.g. "5" for 5 % off.'
    )
    cooldown_seconds: int
    monthly_max_recharges: int | None
    monthly_max_amount: Money | None = strawberry.field(resolver=_monthly_max_amount)
    payment_method_id: strawberry.ID | None = strawberry.field(
        description="None: the customer's default method."
    )
    enabled: bool
    consecutive_failures: int = strawberry.field(
        description="Payment failures in a row; the rule turns off at the limit."
    )
    disabled_reason: str | None
    last_triggered_at: datetime | None
    next_run_at: datetime | None = strawberry.field(description="Interval rules: the next run.")


@strawberry.type
class TopUpOptions:
    wallet_id: strawberry.ID
    grant_before_payment: bool = strawberry.field(
        description="Credits land at once, before payment; a failed payment takes them back."
    )
    customer_switches_auto_recharge: bool = strawberry.field(
        description="The customer may turn the wallet's auto-recharge rule on and off "
        "(switchAutoRecharge with a customer token, or the portal)."
    )

    @classmethod
    def of(cls, wallet_id: int, options: TopUpOptionsModel | None) -> TopUpOptions:
        """A wallet's options; a wallet without a row has the defaults (both off)."""
        return cls(
            wallet_id=strawberry.ID(str(wallet_id)),
            grant_before_payment=bool(options and options.grant_before_payment),
            customer_switches_auto_recharge=bool(
                options and options.customer_switches_auto_recharge
            ),
        )
