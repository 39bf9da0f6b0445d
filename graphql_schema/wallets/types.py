from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import money
from app.wallets import balances
from app.wallets.models import Bundle as BundleModel
from app.wallets.models import EntryKind
from app.wallets.models import Grant as GrantModel
from app.wallets.models import LedgerEntry as EntryModel
from app.wallets.models import Wallet as WalletModel
from app.wallets.service import Entitlement as EntitlementResult
from app.wallets.service import entitlement
from graphql_schema.context import Info
from graphql_schema.loaders import GrantPage, LedgerPage
from graphql_schema.pagination import Connection, Page, paged
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer


@strawberry.enum(
    name="DepletionPolicy", description="What happens to access when the balance runs out."
)
class DepletionPolicyEnum(Enum):
    BLOCK = "block"
    OVERDRAFT = "overdraft"
    ALLOW = "allow"


DepletionPolicy = DepletionPolicyEnum


@strawberry.enum
class GrantKind(Enum):
    PAID = "paid"
    FREE = "free"


@strawberry.enum
class GrantSource(Enum):
    PURCHASE = "purchase"
    BUNDLE = "bundle"
    AUTO_RECHARGE = "auto_recharge"
    INTERVAL = "interval"
    SIGNUP_BONUS = "signup_bonus"
    REWARD = "reward"
    MANUAL = "manual"
    ROLLOVER = "rollover"


@strawberry.enum
class LedgerEntryKind(Enum):
    GRANT = "grant"
    PURCHASE = "purchase"
    CONSUMPTION = "consumption"
    VOID = "void"
    EXPIRY = "expiry"
    ROLLOVER = "rollover"
    ADJUSTMENT = "adjustment"


@strawberry.type(description="An exact amount of money in a currency.")
class Money:
    amount: Decimal = strawberry.field(description='Major units, exact ("50.00").')
    currency: str

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(amount=Decimal(money.format_money(minor, currency)), currency=currency)


@strawberry.type(description="A block of credits that entered a wallet.")
class Grant:
    model: strawberry.Private[GrantModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> GrantKind:
        return GrantKind(self.model.kind)

    @strawberry.field
    def source(self) -> GrantSource:
        return GrantSource(self.model.source)

    @strawberry.field
    def amount(self) -> Credits:
        return self.model.amount

    @strawberry.field(description="Credits left; none once it has expired.")
    def remaining(self, info: Info) -> Credits:
        return balances.remaining(self.model, info.context.now)

    @strawberry.field(description="Lower numbers are used first.")
    def priority(self) -> int:
        return self.model.priority

    @strawberry.field
    def expires_at(self) -> datetime | None:
        return self.model.expires_at

    @strawberry.field(description="What was paid for a paid grant (cost basis).")
    async def cost(self, info: Info) -> Money | None:
        if self.model.cost_minor is None:
            return None
        wallet = await info.context.loaders.wallet.load(self.model.wallet_id)
        assert wallet is not None
        return Money.of(self.model.cost_minor, wallet.currency)

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


@strawberry.type(description="How much of one grant a debit used.")
class Allocation:
    grant_id: strawberry.ID
    credits: Credits

    @strawberry.field
    async def grant(self, info: Info) -> Grant:
        found = await info.context.loaders.grant.load(int(self.grant_id))
        assert found is not None
        return Grant(model=found)


@strawberry.type(description="One append-only line of a wallet's history.")
class LedgerEntry:
    model: strawberry.Private[EntryModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> LedgerEntryKind:
        return LedgerEntryKind(self.model.kind)

    @strawberry.field(description="Signed change in credits.")
    def credits(self) -> Credits:
        return self.model.credits

    @strawberry.field
    def balance_after(self) -> Credits:
        return self.model.balance_after

    @strawberry.field(description='Plain words: "−500 credits · 10 reports generated".')
    def description(self) -> str:
        return self.model.description

    @strawberry.field(description="operator, api, event_batch, invoice, payment or system.")
    def cause_type(self) -> str:
        return str(self.model.cause_type)

    @strawberry.field
    def cause_id(self) -> str | None:
        return self.model.cause_id

    @strawberry.field
    def metric_code(self) -> str | None:
        return self.model.metric_code

    @strawberry.field
    def units(self) -> Credits | None:
        return self.model.units

    @strawberry.field
    def unit_label(self) -> str | None:
        return self.model.unit_label

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="The grant this entry added, voided or expired.")
    async def grant(self, info: Info) -> Grant | None:
        if self.model.grant_id is None:
            return None
        found = await info.context.loaders.grant.load(self.model.grant_id)
        return Grant(model=found) if found else None

    @strawberry.field(description="Which grants a debit drew from (burn order).")
    async def allocations(self, info: Info) -> list[Allocation]:
        assert self.model.id is not None
        rows = await info.context.loaders.allocations.load(self.model.id)
        return [
            Allocation(grant_id=strawberry.ID(str(a.grant_id)), credits=a.credits) for a in rows
        ]


@strawberry.type
class Entitlement:
    allowed: bool
    reason: str
    balance: Credits
    cost: Credits

    @classmethod
    def of(cls, value: EntitlementResult) -> Entitlement:
        return cls(
            allowed=value.allowed, reason=value.reason, balance=value.balance, cost=value.cost
        )


@strawberry.type(description="A customer's credits in one currency.")
class Wallet:
    model: strawberry.Private[WalletModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graphql_schema.customers.types")]:
        from graphql_schema.customers.types import Customer

        found = await info.context.loaders.customer.load(self.model.customer_id)
        assert found is not None
        return Customer(model=found)

    @strawberry.field
    def currency(self) -> str:
        return self.model.currency

    @strawberry.field(description="Money value of one credit, in major units.")
    def rate(self) -> Decimal:
        return self.model.rate

    @strawberry.field
    def policy(self) -> DepletionPolicyEnum:
        return DepletionPolicyEnum(self.model.policy)

    @strawberry.field
    def overdraft_limit(self) -> Credits:
        return self.model.overdraft_limit

    async def _balance(self, info: Info) -> Decimal:
        """The balance now: without credits whose grant has expired (``app.wallets.balances``)."""
        assert self.model.id is not None
        return self.model.balance - await info.context.loaders.due.load(self.model.id)

    @strawberry.field(
        description="Credits available now (expired credits excluded); negative when in debt."
    )
    async def balance(self, info: Info) -> Credits:
        return await self._balance(info)

    @strawberry.field(description="Credits used beyond the grants; paid first by new credits.")
    def debt(self) -> Credits:
        return self.model.debt

    @strawberry.field(description="Balance right after the latest credit addition.")
    def reference_balance(self) -> Credits:
        return self.model.reference_balance

    @strawberry.field(description="Money value of the balance.")
    async def balance_value(self, info: Info) -> Money:
        balance = await self._balance(info)
        minor = money.to_minor_units(balance * self.model.rate, self.model.currency)
        return Money.of(minor, self.model.currency)

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.model.updated_at

    @strawberry.field(description="May the customer use `credits` more right now?")
    async def entitlement(self, info: Info, credits: Credits = Decimal(0)) -> Entitlement:
        balance = await self._balance(info)
        return Entitlement.of(entitlement(self.model, credits, balance=balance))

    @strawberry.field(description="Grants, oldest first.")
    async def grants(
        self, info: Info, first: int = 50, after: str | None = None, active_only: bool = False
    ) -> Connection[Grant]:
        wallet_id = self.model.id
        assert wallet_id is not None

        async def fetch(page: Page[int]) -> list[GrantModel]:
            return await info.context.loaders.grant_pages.load(
                (wallet_id, GrantPage(page.after, page.limit, active_only))
            )

        return await paged(first, after, fetch, lambda r: Grant(model=r))

    @strawberry.field(description="History, newest first.")
    async def ledger_entries(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        kinds: list[LedgerEntryKind] | None = None,
    ) -> Connection[LedgerEntry]:
        wanted = tuple(EntryKind(k.value) for k in kinds or ())
        wallet_id = self.model.id
        assert wallet_id is not None

        async def fetch(page: Page[int]) -> list[EntryModel]:
            return await info.context.loaders.ledger_pages.load(
                (wallet_id, LedgerPage(page.after, page.limit, wanted))
            )

        return await paged(first, after, fetch, lambda r: LedgerEntry(model=r))


@strawberry.type(description="A catalog pack of credits.")
class Bundle:
    model: strawberry.Private[BundleModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def code(self) -> str:
        return self.model.code

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def credits(self) -> Credits:
        return self.model.credits

    @strawberry.field
    def bonus_credits(self) -> Credits:
        return self.model.bonus_credits

    @strawberry.field
    def price(self) -> Money:
        return Money.of(self.model.price_minor, self.model.currency)

    @strawberry.field
    def active(self) -> bool:
        return self.model.active


@strawberry.type
class SignupBonus:
    credits: Credits
    expires_in_days: int | None
