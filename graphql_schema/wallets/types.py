"""Wallets and the credit packs on sale as the API shows them.

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
from app.wallets.models import Bundle as BundleModel
from app.wallets.models import DepletionPolicy, EntryKind, RolloverPolicy
from app.wallets.models import Grant as GrantModel
from app.wallets.models import LedgerEntry as EntryModel
from app.wallets.models import SignupBonus as SignupBonusModel
from app.wallets.models import Wallet as WalletModel
from app.wallets.service import Entitlement as EntitlementResult
from app.wallets.service import entitlement
from graphql_schema.alerts.runway import Runway, resolve_runway
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.loaders import GrantPage, LedgerPage
from graphql_schema.money import Money
from graphql_schema.pagination import Connection, Page, paged
from graphql_schema.scalars import Credits
from graphql_schema.wallets.ledger import Grant, LedgerEntry

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer

strawberry.enum(DepletionPolicy, description="What happens to access when the balance runs out.")


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
    is_type_of = Reads(WalletModel)

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
    rollover_policy: RolloverPolicy | None = strawberry.field(
        description="What happens to unused credits at each period boundary (null: nothing)."
    )
    rollover_months: int | None = strawberry.field(
        description="ROLLOVER_WITH_EXPIRY: carried credits expire this many months after they"
        " were first granted."
    )
    rollover_cap: Credits | None = strawberry.field(
        description="At most this many credits roll over at a boundary; the rest expires."
    )
    period_months: int = strawberry.field(description="Length of the wallet's periods.")
    next_boundary: datetime | None = strawberry.field(
        description="The next period boundary at which the rollover policies apply."
    )
    updated_at: datetime
    runway: Runway = strawberry.field(
        resolver=resolve_runway,
        description="How long the credits last at the recent burn rate (the runway alert's"
        " figures).",
    )
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
    is_type_of = Reads(BundleModel)

    id: strawberry.ID
    code: str
    name: str
    credits: Credits
    bonus_credits: Credits
    price: Money = strawberry.field(resolver=_price)
    active: bool


@strawberry.type
class SignupBonus:
    is_type_of = Reads(SignupBonusModel)

    credits: Credits
    expires_in_days: int | None
