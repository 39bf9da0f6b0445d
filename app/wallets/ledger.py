"""The only code that changes a wallet's balance. Every change holds the wallet's row lock.

Credits run here. Debits and expiry run as PostgreSQL functions (``app/wallets/sql``, one file
each, created by migrations), under the wallet's row lock, keeping the invariant
``balance == sum(ledger) == sum(remaining grants) - debt``:

tally_expire(wallet, now) -> balance
    Processes the wallet's period boundaries due at ``now`` (``tally_rollover``), then zeroes
    every grant of the wallet that expired at or before ``now``, one ``expiry`` entry each.
tally_rollover(wallets[], now) -> setof (wallet_id, moved)
    The next due period boundary of each wallet, set-based: rollover policies
    (``app/wallets/rollover.py``).
tally_debit(wallet, credits, kind, cause_type, cause_id, description, metric, units, label,
            now, only_grant, allow_debt) -> (entry_id, balance_after, shortfall)
    Expires due grants, then draws ``credits`` from grants in burn order (priority, earliest
    expiry, free before paid, oldest), recording each draw in ledger_allocations. What the
    grants cannot cover becomes debt when ``allow_debt``; otherwise nothing is written and
    ``shortfall`` says how much was missing (entry_id is NULL).
tally_debit_many(wallets[], credits[], descriptions[], metrics[], units[], labels[],
                 cause_type, cause_id, now) -> setof (wallet_id, metric_code, entry_id,
                 balance_after)
    Consumption debits of an event batch, one per (wallet, metric), in wallet id order (so
    concurrent batches cannot deadlock): each wallet is locked and expired once, each debit
    gets its own ledger entry, its debits are drawn from the grants in one pass
    (``tally_draw_many``), and the wallet row is written once.
tally_draw(wallet, entry, credits, now, only_grant) -> what the grants could not cover
    The burn order itself: draws from the usable grants and records each draw for the entry.
tally_draw_many(wallet, entries[], credits[], now) -> what the grants could not cover
    A wallet's debits of one batch drawn in ONE pass: walks the usable grants once in burn
    order, splitting them between the entries in order (the allocations are exactly those of
    one ``tally_draw`` per entry), writes every allocation in one INSERT and each grant once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg
from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import notes
from app.db.statements import Statement, alongside
from app.wallets.models import (
    CauseType,
    EntryKind,
    Grant,
    GrantKind,
    GrantSource,
    LedgerEntry,
    RolloverPolicy,
    Wallet,
)

TOUCHED = "tally.touched_wallets"


def touch(session: AsyncSession, wallet_id: int) -> None:
    """Note that this transaction changed the wallet's balance (for the balance reactions).
    The note follows savepoints (``app.db.notes``): a rolled-back savepoint's touches are
    forgotten with its writes."""
    notes.note(session, TOUCHED, wallet_id)


def take_touched(session: AsyncSession) -> list[int]:
    """The wallets this transaction changed and kept, in id order; forgets them."""
    return sorted(notes.take(session, TOUCHED))


@dataclass(frozen=True)
class Cause:
    type: CauseType
    id: str | None = None


@dataclass(frozen=True)
class Usage:
    """What a debit paid for, for value translation ("· 10 reports generated")."""

    metric_code: str
    units: Decimal
    unit_label: str


@dataclass(frozen=True)
class Debit:
    entry_id: int | None
    balance_after: Decimal
    shortfall: Decimal


async def lock_wallet(session: AsyncSession, wallet_id: int) -> Wallet | None:
    statement = (
        select(Wallet)
        .where(Wallet.id == wallet_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def expire(session: AsyncSession, wallet_id: int, now: datetime) -> Decimal:
    """Expire the wallet's due grants (the caller holds the lock). Returns the balance."""
    result = await (await session.connection()).execute(
        text("SELECT tally_expire(:w, :now)"), {"w": wallet_id, "now": now}
    )
    touch(session, wallet_id)
    return Decimal(result.scalar_one())


async def debit(
    session: AsyncSession,
    wallet_id: int,
    credits: Decimal,
    *,
    kind: EntryKind,
    cause: Cause,
    description: str,
    now: datetime,
    usage: Usage | None = None,
    only_grant: int | None = None,
    allow_debt: bool = True,
) -> Debit:
    row = (
        await (await session.connection()).execute(
            text(
                "SELECT * FROM tally_debit("
                ":w, :c, :kind, :ct, :cid, :d, :m, :u, :l, :now, :g, :debt)"
            ),
            {
                "w": wallet_id,
                "c": credits,
                "kind": kind.value,
                "ct": cause.type.value,
                "cid": cause.id,
                "d": description,
                "m": usage.metric_code if usage else None,
                "u": usage.units if usage else None,
                "l": usage.unit_label if usage else None,
                "now": now,
                "g": only_grant,
                "debt": allow_debt,
            },
        )
    ).one()
    touch(session, wallet_id)
    return Debit(row.entry_id, Decimal(row.balance_after), Decimal(row.shortfall))


@dataclass(frozen=True)
class NewGrant:
    amount: Decimal
    kind: GrantKind
    source: GrantSource
    priority: int = 50
    expires_at: datetime | None = None
    cost_minor: int | None = None
    description: str = ""
    # Its own rollover policy (app/wallets/rollover.py); None: the wallet's.
    rollover_policy: RolloverPolicy | None = None
    rollover_months: int | None = None
    rollover_cap: Decimal | None = None


async def credit(
    session: AsyncSession,
    wallet: Wallet,
    new: NewGrant,
    *,
    entry_kind: EntryKind,
    cause: Cause,
    description: str,
    now: datetime,
) -> tuple[Grant, LedgerEntry]:
    """Add a grant to a locked wallet. Debt is paid first from the new credits."""
    assert wallet.id is not None
    await expire(session, wallet.id, now)  # debt is untouched by expiry
    paid_debt = min(wallet.debt, new.amount)
    grant = Grant(
        wallet_id=wallet.id,
        kind=new.kind,
        source=new.source,
        amount=new.amount,
        remaining=new.amount - paid_debt,
        priority=new.priority,
        expires_at=new.expires_at,
        cost_minor=new.cost_minor,
        description=new.description,
        rollover_policy=new.rollover_policy,
        rollover_months=new.rollover_months,
        rollover_cap=new.rollover_cap,
        created_at=now,
    )
    session.add(grant)
    await session.flush()
    await _add_to_balance(session, wallet, new.amount, paid_debt, now)
    entry = LedgerEntry(
        wallet_id=wallet.id,
        kind=entry_kind,
        credits=new.amount,
        balance_after=wallet.balance,
        grant_id=grant.id,
        cause_type=cause.type,
        cause_id=cause.id,
        description=description,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return grant, entry


CREDIT = text(
    "UPDATE wallets SET balance = balance + :amount, debt = debt - :paid,"
    " reference_balance = balance + :amount, updated_at = :now"
    " WHERE id = :w RETURNING balance, debt, reference_balance, updated_at"
)


async def _add_to_balance(
    session: AsyncSession, wallet: Wallet, amount: Decimal, paid_debt: Decimal, now: datetime
) -> None:
    """Add to the stored balance in one statement (rule 4: never read-modify-write in Python)
    and show the stored figures on ``wallet`` as loaded, not as changes. Setting the attributes
    instead let the ORM skip the balance when the new figure equalled the one the wallet was
    read with — 10 credits expired by ``tally_expire`` in SQL and 10 granted — leaving the
    expiry's lower balance stored under a ledger that says otherwise."""
    row = (
        await (await session.connection()).execute(
            CREDIT, {"amount": amount, "paid": paid_debt, "now": now, "w": wallet.id}
        )
    ).one()
    for name in ("balance", "debt", "reference_balance", "updated_at"):
        set_committed_value(wallet, name, getattr(row, name))


@dataclass(frozen=True)
class UsageDebit:
    """One consumption debit of a batch: a wallet's credits for one metric."""

    wallet_id: int
    credits: Decimal
    description: str
    usage: Usage


DEBIT_MANY = "SELECT * FROM tally_debit_many($1, $2, $3, $4, $5, $6, $7, $8, $9)"


async def debit_many(
    session: AsyncSession,
    connection: asyncpg.Connection,
    debits: Sequence[UsageDebit],
    *,
    cause: Cause,
    now: datetime,
    extra: Statement | None = None,
) -> dict[int, Decimal]:
    """Many consumption debits in one round trip (``tally_debit_many``: wallets locked in id
    order, the burn order of ``tally_draw``), on ``connection``: the session's own asyncpg
    connection, inside its transaction. ``extra`` rides along (``statements.alongside``; it
    must not touch wallets, grants or the ledger). Returns each wallet's balance afterwards."""
    if not debits:
        if extra is not None:
            await connection.execute(extra.sql, *extra.args)
        return {}
    args = (
        [d.wallet_id for d in debits],
        [d.credits for d in debits],
        [d.description for d in debits],
        [d.usage.metric_code for d in debits],
        [d.usage.units for d in debits],
        [d.usage.unit_label for d in debits],
        cause.type.value,
        cause.id,
        now,
    )
    statement = alongside(Statement(DEBIT_MANY, args), extra)
    rows = await connection.fetch(statement.sql, *statement.args)
    balances = {row["wallet_id"]: row["balance_after"] for row in rows}
    for wallet_id in balances:
        touch(session, wallet_id)
    return balances
