from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.customers import repository as customers
from app.errors import NotFound
from app.flows.rollover_periods import set_rollover_policy
from app.wallets import repository, service, validate_rollover
from app.wallets.ledger import Cause
from app.wallets.models import Bundle as BundleModel
from app.wallets.models import CauseType, DepletionPolicy, GrantKind, GrantSource, RolloverPolicy
from app.wallets.models import LedgerEntry as EntryModel
from app.wallets.models import SignupBonus as SignupBonusModel
from app.wallets.models import Wallet as WalletModel
from app.wallets.service import BundleInput, GrantRequest
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin
from graphql_schema.scalars import Credits
from graphql_schema.wallets.ledger import LedgerEntry
from graphql_schema.wallets.types import Bundle, SignupBonus, Wallet


@strawberry.input
class CreateWalletInput:
    customer_external_id: str
    rate: Decimal = strawberry.field(description='Money value of one credit, e.g. "0.01".')
    currency: str | None = strawberry.field(default=None, description="Default: the customer's.")
    policy: DepletionPolicy = DepletionPolicy.ALLOW
    overdraft_limit: Credits | None = None


@strawberry.input
class UpdateWalletPolicyInput:
    wallet_id: strawberry.ID
    policy: DepletionPolicy
    overdraft_limit: Credits | None = None


@strawberry.input
class GrantCreditsInput:
    wallet_id: strawberry.ID
    amount: Credits
    idempotency_key: str = strawberry.field(
        description="Your key for this request: a retry with the same key grants once."
    )
    kind: GrantKind = GrantKind.FREE
    source: GrantSource = GrantSource.MANUAL
    priority: int = 50
    expires_at: datetime | None = None
    cost: Decimal | None = strawberry.field(
        default=None, description="Money paid for a paid grant, in the wallet's currency."
    )
    reason: str = ""
    rollover_policy: RolloverPolicy | None = strawberry.field(
        default=None, description="This grant's own rollover policy (default: the wallet's)."
    )
    rollover_months: int | None = None
    rollover_cap: Credits | None = None


@strawberry.input
class SetRolloverPolicyInput:
    wallet_id: strawberry.ID
    policy: RolloverPolicy | None = strawberry.field(
        description="null: credits live until their own expiry."
    )
    months: int | None = strawberry.field(
        default=None,
        description="ROLLOVER_WITH_EXPIRY only: carried credits expire this many months after"
        " they were first granted.",
    )
    cap: Decimal | None = strawberry.field(
        default=None, description="At most this many credits roll over at a boundary."
    )


@strawberry.input
class VoidCreditsInput:
    wallet_id: strawberry.ID
    amount: Credits
    reason: str
    idempotency_key: str
    grant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Void from this grant only; otherwise in burn order."
    )


@strawberry.input
class CreateBundleInput:
    code: str
    name: str
    credits: Credits
    price: Decimal = strawberry.field(description='In major units of `currency` ("50.00").')
    currency: str
    bonus_credits: Credits = Decimal(0)
    active: bool = True


@strawberry.input
class UpdateBundleInput:
    code: str
    name: str | None = None
    credits: Credits | None = None
    bonus_credits: Credits | None = None
    price: Decimal | None = None
    active: bool | None = None


@strawberry.type
class WalletPayload:
    wallet: WalletModel = strawberry.field(graphql_type=Wallet)


@strawberry.type
class LedgerEntryPayload:
    entry: EntryModel = strawberry.field(graphql_type=LedgerEntry)
    wallet: WalletModel = strawberry.field(graphql_type=Wallet)


@strawberry.type
class BundlePayload:
    bundle: BundleModel = strawberry.field(graphql_type=Bundle)


@strawberry.type
class SignupBonusPayload:
    signup_bonus: SignupBonusModel = strawberry.field(graphql_type=SignupBonus)


WalletResult: TypeAlias = Annotated[WalletPayload | Failure, strawberry.union("WalletResult")]
LedgerEntryResult: TypeAlias = Annotated[
    LedgerEntryPayload | Failure, strawberry.union("LedgerEntryResult")
]
BundleResult: TypeAlias = Annotated[BundlePayload | Failure, strawberry.union("BundleResult")]
SignupBonusResult: TypeAlias = Annotated[
    SignupBonusPayload | Failure, strawberry.union("SignupBonusResult")
]


def _wallet_id(value: strawberry.ID) -> int:
    found = row_id(value)
    if found is None:
        raise NotFound("walletId", f"no wallet with id {value}")
    return found


def _grant_id(value: strawberry.ID | None) -> int | None:
    if value is None:
        return None
    found = row_id(value)
    if found is None:
        raise NotFound("grantId", f"no grant with id {value}")
    return found


def operator_cause(info: Info) -> Cause:
    if info.context.operator is not None:  # a person in the console
        return Cause(CauseType.OPERATOR, f"operator:{info.context.operator.id}")
    principal = info.context.principal
    return Cause(CauseType.API, f"api_key:{principal.key_id}" if principal else None)


async def _entry_payload(session: AsyncSession, entry_id: int | None) -> LedgerEntryPayload:
    assert entry_id is not None
    entry = await repository.entry(session, entry_id)
    wallet = await repository.get(session, entry.wallet_id)
    await session.refresh(wallet)
    return LedgerEntryPayload(entry=entry, wallet=wallet)


@strawberry.type
class WalletMutations:
    @mutation(permission_classes=[IsAdmin], description="Open a wallet in a currency.")
    async def create_wallet(self, info: Info, input: CreateWalletInput) -> WalletResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WalletPayload:
            customer = await customers.get_by_external_id(session, input.customer_external_id)
            wallet = await service.create_wallet(
                session,
                customer,
                currency=input.currency,
                rate=input.rate,
                policy=input.policy,
                overdraft_limit=input.overdraft_limit,
                now=now,
            )
            await session.refresh(wallet)
            return WalletPayload(wallet=wallet)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def update_wallet_policy(
        self, info: Info, input: UpdateWalletPolicyInput
    ) -> WalletResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WalletPayload:
            wallet = await service.update_policy(
                session,
                _wallet_id(input.wallet_id),
                input.policy,
                input.overdraft_limit,
                now,
            )
            return WalletPayload(wallet=wallet)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="The wallet's rollover policy: what its unused credits do at each period"
        " boundary (the subscription's periods, else monthly from the wallet's creation).",
    )
    async def set_rollover_policy(self, info: Info, input: SetRolloverPolicyInput) -> WalletResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WalletPayload:
            rollover = validate_rollover(input.policy, input.months, input.cap)
            wallet = await set_rollover_policy(session, _wallet_id(input.wallet_id), rollover, now)
            return WalletPayload(wallet=wallet)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Add credits to a wallet. Debt is paid first. Idempotent by key.",
    )
    async def grant_credits(self, info: Info, input: GrantCreditsInput) -> LedgerEntryResult:
        now, cause = info.context.now, operator_cause(info)

        async def work(session: AsyncSession) -> LedgerEntryPayload:
            wallet = await repository.get(session, _wallet_id(input.wallet_id))
            cost = (
                money.minor_units(input.cost, wallet.currency, "cost")
                if input.cost is not None
                else None
            )
            request = GrantRequest(
                amount=input.amount,
                kind=input.kind,
                source=input.source,
                priority=input.priority,
                expires_at=input.expires_at,
                cost_minor=cost,
                reason=input.reason,
                rollover_policy=input.rollover_policy,
                rollover_months=input.rollover_months,
                rollover_cap=input.rollover_cap,
            )
            entry = await service.grant_credits(
                session,
                _wallet_id(input.wallet_id),
                request,
                cause=cause,
                idempotency_key=input.idempotency_key,
                now=now,
            )
            return await _entry_payload(session, entry.id)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Remove unused credits (never below zero), with a reason. Idempotent by key.",
    )
    async def void_credits(self, info: Info, input: VoidCreditsInput) -> LedgerEntryResult:
        now, cause = info.context.now, operator_cause(info)

        async def work(session: AsyncSession) -> LedgerEntryPayload:
            entry = await service.void_credits(
                session,
                _wallet_id(input.wallet_id),
                input.amount,
                reason=input.reason,
                grant_id=_grant_id(input.grant_id),
                cause=cause,
                idempotency_key=input.idempotency_key,
                now=now,
            )
            return await _entry_payload(session, entry.id)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def create_bundle(self, info: Info, input: CreateBundleInput) -> BundleResult:
        now = info.context.now

        async def work(session: AsyncSession) -> BundlePayload:
            data = BundleInput(
                code=input.code,
                name=input.name,
                credits=input.credits,
                price=input.price,
                currency=input.currency,
                bonus_credits=input.bonus_credits,
                active=input.active,
            )
            return BundlePayload(bundle=await service.create_bundle(session, data, now))

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def update_bundle(self, info: Info, input: UpdateBundleInput) -> BundleResult:
        async def work(session: AsyncSession) -> BundlePayload:
            bundle = await service.update_bundle(
                session,
                input.code,
                name=input.name,
                credits=input.credits,
                bonus_credits=input.bonus_credits,
                price=input.price,
                active=input.active,
            )
            return BundlePayload(bundle=bundle)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Free credits every customer's first wallet receives (0 turns it off).",
    )
    async def set_signup_bonus(
        self, info: Info, credits: Credits, expires_in_days: int | None = None
    ) -> SignupBonusResult:
        now = info.context.now

        async def work(session: AsyncSession) -> SignupBonusPayload:
            bonus: SignupBonusModel = await service.set_signup_bonus(
                session, credits, expires_in_days, now
            )
            return SignupBonusPayload(signup_bonus=bonus)

        return await attempt(info, work)


__all__ = ["WalletMutations", "money"]
