from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.recharge.models import Recharge as RechargeModel
from app.recharge.models import RechargeRule as RuleModel
from graphql_schema.context import Info
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.invoices.types import plain
from graphql_schema.scalars import Credits
from graphql_schema.wallets.types import Money

if TYPE_CHECKING:
    from graphql_schema.invoices.types import Invoice
    from graphql_schema.wallets.types import Wallet


@strawberry.enum(description="What started a recharge: a top-up request, or a rule.")
class RechargeTrigger(Enum):
    MANUAL = "manual"
    THRESHOLD = "threshold"
    INTERVAL = "interval"


@strawberry.enum
class RechargeStatus(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


@strawberry.enum(description="When a rule recharges: at a balance threshold, or every interval.")
class AutoRechargeTrigger(Enum):
    THRESHOLD = "threshold"
    INTERVAL = "interval"


@strawberry.enum(description="FIXED buys `credits`; TARGET tops the balance up to `credits`.")
class AutoRechargeMethod(Enum):
    FIXED = "fixed"
    TARGET = "target"


@strawberry.enum
class AutoRechargeInterval(Enum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@strawberry.type(description="One purchase of credits: a top-up or an auto-recharge.")
class Recharge:
    model: strawberry.Private[RechargeModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    async def wallet(
        self, info: Info
    ) -> Annotated[Wallet, strawberry.lazy("graphql_schema.wallets.types")]:
        from graphql_schema.wallets.types import Wallet

        found = await info.context.loaders.wallet.load(self.model.wallet_id)
        assert found is not None
        return Wallet(model=found)

    @strawberry.field
    def trigger(self) -> RechargeTrigger:
        return RechargeTrigger(self.model.trigger.value)

    @strawberry.field
    def status(self) -> RechargeStatus:
        return RechargeStatus(self.model.status.value)

    @strawberry.field(description="Paid credits bought.")
    def credits(self) -> Credits:
        return self.model.credits

    @strawberry.field(description="Free credits that come with a bundle.")
    def bonus_credits(self) -> Credits:
        return self.model.bonus_credits

    @strawberry.field
    def discount_percent(self) -> Decimal:
        return plain(self.model.discount_percent)

    @strawberry.field(description="Why it failed or was skipped.")
    def failure_reason(self) -> str | None:
        return self.model.failure_reason

    @strawberry.field(description="The credit-purchase invoice (none while a rule's is pending).")
    async def invoice(
        self, info: Info
    ) -> Annotated[Invoice, strawberry.lazy("graphql_schema.invoices.types")] | None:
        from graphql_schema.invoices.types import Invoice

        if self.model.invoice_id is None:
            return None
        found = await invoice_loaders(info).invoice.load(self.model.invoice_id)
        return Invoice(model=found) if found is not None else None

    @strawberry.field(description="When the credits landed.")
    def granted_at(self) -> datetime | None:
        return self.model.granted_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def settled_at(self) -> datetime | None:
        return self.model.settled_at


@strawberry.type(description="A wallet's auto-recharge rule.")
class AutoRechargeRule:
    model: strawberry.Private[RuleModel]
    currency: strawberry.Private[str]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def wallet_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.wallet_id))

    @strawberry.field
    def trigger(self) -> AutoRechargeTrigger:
        return AutoRechargeTrigger(self.model.trigger.value)

    @strawberry.field(description="Recharge when the balance is at or below this.")
    def threshold(self) -> Credits | None:
        return self.model.threshold

    @strawberry.field
    def interval(self) -> AutoRechargeInterval | None:
        return AutoRechargeInterval(self.model.interval.value) if self.model.interval else None

    @strawberry.field
    def method(self) -> AutoRechargeMethod:
        return AutoRechargeMethod(self.model.method.value)

    @strawberry.field(description="FIXED: credits bought each time; TARGET: the balance aimed at.")
    def credits(self) -> Credits:
        return self.model.credits

    @strawberry.field(description='Shown on the invoice line, e.g. "5" for 5 % off.')
    def discount_percent(self) -> Decimal:
        return plain(self.model.discount_percent)

    @strawberry.field
    def cooldown_seconds(self) -> int:
        return self.model.cooldown_seconds

    @strawberry.field
    def monthly_max_recharges(self) -> int | None:
        return self.model.monthly_max_recharges

    @strawberry.field
    def monthly_max_amount(self) -> Money | None:
        cap = self.model.monthly_max_amount_minor
        return Money.of(cap, self.currency) if cap is not None else None

    @strawberry.field(description="None: the customer's default method.")
    def payment_method_id(self) -> strawberry.ID | None:
        method = self.model.payment_method_id
        return strawberry.ID(str(method)) if method is not None else None

    @strawberry.field
    def enabled(self) -> bool:
        return self.model.enabled

    @strawberry.field(description="Payment failures in a row; the rule turns off at the limit.")
    def consecutive_failures(self) -> int:
        return self.model.consecutive_failures

    @strawberry.field
    def disabled_reason(self) -> str | None:
        return self.model.disabled_reason

    @strawberry.field
    def last_triggered_at(self) -> datetime | None:
        return self.model.last_triggered_at

    @strawberry.field(description="Interval rules: the next run.")
    def next_run_at(self) -> datetime | None:
        return self.model.next_run_at


@strawberry.type
class TopUpOptions:
    wallet_id: strawberry.ID
    grant_before_payment: bool = strawberry.field(
        description="Credits land at once, before payment; a failed payment takes them back."
    )
