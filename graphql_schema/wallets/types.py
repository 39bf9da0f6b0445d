"""Wallets, grants and the ledger as the API shows them.

Each type here is read from its domain model (``app.wallets.models``): a resolver returns the
model, and a plain field is the model's attribute of the same name, read by Strawberry's
default resolver. A computed field names its resolver (``strawberry.field(resolver=...)``),
which receives the model as its ``Parent``. Every field is one line of the class body, in
the schema's order.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app import money
from app.customers.models import Customer as CustomerModel
from app.wallets import balances
from app.wallets.models import Bundle as BundleModel
from app.wallets.models import DepletionPolicy, EntryKind, GrantKind, GrantSource
from app.wallets.models import Grant as GrantModel
from app.wallets.models import LedgerAllocation as AllocationModel
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

strawberry.enum(DepletionPolicy, description="What happens to access when the balance runs out.")
strawberry.enum(GrantKind)
strawberry.enum(GrantSource)
strawberry.enum(EntryKind, name="LedgerEntryKind")


@strawberry.type(description="An exact amount of money in a currency.")
class Money:
    amount: Decimal = strawberry.field(description='Major units, exact ("50.00").')
    currency: str

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(amount=Decimal(money.format_money(minor, currency)), currency=currency)


def _remaining(grant: Parent[GrantModel], info: Info) -> Decimal:
    return balances.remaining(grant, info.context.now)


async def _cost(grant: Parent[GrantModel], info: Info) -> Money | None:
    if grant.cost_minor is None:
        return None
    wallet = await info.context.loaders.wallet.load(grant.wallet_id)
    assert wallet is not None
    return Money.of(grant.cost_minor, wallet.currency)


@strawberry.type(description="A block of credits that entered a wallet.")
class Grant:
    id: strawberry.ID
    kind: GrantKind
    source: GrantSource
    amount: Credits
    remaining: Credits = strawberry.field(
        resolver=_remaining, description="Credits left; none once it has expired."
    )
    priority: int = strawberry.field(description="Lower numbers are used first.")
    expires_at: datetime | None
    cost: Money | None = strawberry.field(
        resolver=_cost, description="What was paid for a paid grant (cost basis)."
    )
    description: str
    created_at: datetime


async def _grant(allocation: Parent[AllocationModel], info: Info) -> GrantModel:
    found = await info.context.loaders.grant.load(allocation.grant_id)
    assert found is not None
    return found


@strawberry.type(description="How much of one grant a debit used.")
class Allocation:
    grant_id: strawberry.ID
    credits: Credits
    grant: GrantModel = strawberry.field(resolver=_grant, graphql_type=Grant)


async def _entry_grant(entry: Parent[EntryModel], info: Info) -> GrantModel | None:
    if entry.grant_id is None:
        return None
    return await info.context.loaders.grant.load(entry.grant_id)


async def _allocations(entry: Parent[EntryModel], info: Info) -> list[AllocationModel]:
    assert entry.id is not None
    return await info.context.loaders.allocations.load(entry.id)


@strawberry.type(description="One append-only line of a wallet's history.")
class LedgerEntry:
    id: strawberry.ID
    kind: EntryKind
    credits: Credits = strawberry.field(description="Signed change in credits.")
    balance_after: Credits
    description: str = strawberry.field(
        description='Plain words: "−500 credits · 10 reports generated".'
    )
    cause_type: str = strawberry.field(
        description="operator, api, event_batch, invoice, payment or system."
    )
    cause_id: str | None
    metric_code: str | None
    units: Credits | None
    unit_label: str | None
    created_at: datetime
    grant: GrantModel | None = strawberry.field(
        resolver=_entry_grant,
        graphql_type=Grant | None,
        description="The grant this entry added, voided or expired.",
    )
    allocations: list[AllocationModel] = strawberry.field(
        resolver=_allocations,
        graphql_type=list[Allocation],
        description="Which grants a debit drew from (burn order).",
    )


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


async def _customer(wallet: Parent[WalletModel], info: Info) -> CustomerModel:
    found = await info.context.loaders.customer.load(wallet.customer_id)
    assert found is not None
    return found


async def _balance(wallet: Parent[WalletModel], info: Info) -> Decimal:
    """The balance now: without credits whose grant has expired (``app.wallets.balances``)."""
    assert wallet.id is not None
    return wallet.balance - await info.context.loaders.due.load(wallet.id)


async def _balance_value(wallet: Parent[WalletModel], info: Info) -> Money:
    minor = money.to_minor_units(await _balance(wallet, info) * wallet.rate, wallet.currency)
    return Money.of(minor, wallet.currency)


async def _entitlement(
    wallet: Parent[WalletModel], info: Info, credits: Credits = Decimal(0)
) -> Entitlement:
    balance = await _balance(wallet, info)
    return Entitlement.of(entitlement(wallet, credits, balance=balance))


async def _grants(
    wallet: Parent[WalletModel],
    info: Info,
    first: int = 50,
    after: str | None = None,
    active_only: bool = False,
) -> Connection[GrantModel]:
    wallet_id = wallet.id
    assert wallet_id is not None

    async def fetch(page: Page[int]) -> list[GrantModel]:
        return await info.context.loaders.grant_pages.load(
            (wallet_id, GrantPage(page.after, page.limit, active_only))
        )

    return await paged(first, after, fetch)


async def _ledger_entries(
    wallet: Parent[WalletModel],
    info: Info,
    first: int = 50,
    after: str | None = None,
    kinds: list[EntryKind] | None = None,
) -> Connection[EntryModel]:
    wanted = tuple(kinds or ())
    wallet_id = wallet.id
    assert wallet_id is not None

    async def fetch(page: Page[int]) -> list[EntryModel]:
        return await info.context.loaders.ledger_pages.load(
            (wallet_id, LedgerPage(page.after, page.limit, wanted))
        )

    return await paged(first, after, fetch)


@strawberry.type(description="A customer's credits in one currency.")
class Wallet:
    id: strawberry.ID
    customer: CustomerModel = strawberry.field(
        resolver=_customer,
        graphql_type=Annotated["Customer", strawberry.lazy("graphql_schema.customers.types")],
    )
    currency: str
    rate: Decimal = strawberry.field(description="Money value of one credit, in major units.")
    policy: DepletionPolicy
    overdraft_limit: Credits
    balance: Credits = strawberry.field(
        resolver=_balance,
        description="Credits available now (expired credits excluded); negative when in debt.",
    )
    debt: Credits = strawberry.field(
        description="Credits used beyond the grants; paid first by new credits."
    )
    reference_balance: Credits = strawberry.field(
        description="Balance right after the latest credit addition."
    )
    balance_value: Money = strawberry.field(
        resolver=_balance_value, description="Money value of the balance."
    )
    updated_at: datetime
    entitlement: Entitlement = strawberry.field(
        resolver=_entitlement, description="May the customer use `credits` more right now?"
    )
    grants: Connection[GrantModel] = strawberry.field(
        resolver=_grants, graphql_type=Connection[Grant], description="Grants, oldest first."
    )
    ledger_entries: Connection[EntryModel] = strawberry.field(
        resolver=_ledger_entries,
        graphql_type=Connection[LedgerEntry],
        description="History, newest first.",
    )


def _price(bundle: Parent[BundleModel]) -> Money:
    return Money.of(bundle.price_minor, bundle.currency)


@strawberry.type(description="A catalog pack of credits.")
class Bundle:
    id: strawberry.ID
    code: str
    name: str
    credits: Credits
    bonus_credits: Credits
    price: Money = strawberry.field(resolver=_price)
    active: bool


@strawberry.type
class SignupBonus:
    credits: Credits
    expires_in_days: int | None
