"""Grants and the ledger as the API shows them, read from ``app.wallets.models`` (plain fields by
attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import Parent

from app.wallets import balances
from app.wallets.models import EntryKind, GrantKind, GrantSource, RolloverPolicy
from app.wallets.models import Grant as GrantModel
from app.wallets.models import LedgerAllocation as AllocationModel
from app.wallets.models import LedgerEntry as EntryModel
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.money import Money
from graphql_schema.scalars import Credits

strawberry.enum(GrantKind)
strawberry.enum(GrantSource)
strawberry.enum(EntryKind, name="LedgerEntryKind")
strawberry.enum(RolloverPolicy, description="What happens to unused credits at a period boundary.")


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
    is_type_of = Reads(GrantModel)

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
    rollover_policy: RolloverPolicy | None = strawberry.field(
        description="This grant's own rollover policy; null: the wallet's."
    )
    rollover_months: int | None
    rollover_cap: Credits | None
    rolled_from: strawberry.ID | None = strawberry.field(
        description="A rollover grant: the id of the grant whose credits it carries over."
    )
    created_at: datetime


async def _grant(allocation: Parent[AllocationModel], info: Info) -> GrantModel:
    found = await info.context.loaders.grant.load(allocation.grant_id)
    assert found is not None
    return found


@strawberry.type(description="How much of one grant a debit used.")
class Allocation:
    is_type_of = Reads(AllocationModel)

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
    is_type_of = Reads(EntryModel)

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
