"""Rollover policies: what happens to unused credits at a wallet's period boundaries.

A wallet's periods start at ``period_anchor`` and last ``period_months`` months (1 by default,
anchored on the wallet's creation; a subscription's anchor and interval when the customer has
one, chosen by the caller). At each boundary, every grant granted before it and still alive is
judged by its own policy (a per-grant override) or the wallet's:

- ``expire_at_period_end``: what is left expires (an ``expiry`` entry).
- ``rollover_with_expiry`` (N months): carried over as a ``rollover`` grant that expires N
  months after the ORIGINAL grant was granted — a chain of rollovers never extends the life of
  credits — or at the grant's own expiry if earlier; credits older than that expire.
- ``rollover``: carried over; they never expire (a grant's own expiry still holds).
- A cap bounds what is carried over per pool (the wallet's grants together; each overridden
  grant on its own), filled first-in-first-out by the date the credits were first granted; the
  rest expires. A carried grant keeps its kind (paid or free), priority and, pro rata, its cost
  basis (``round(cost × carried / amount)``, half-up, in minor units).

Carried credits appear twice in the ledger, both ``rollover``: −N on the grant they leave and
+N on the rollover grant (the balance does not move); expired ones once, as ``expiry``. Entries
are dated at the boundary. A rollover grant is carried over again by later boundaries without a
new grant (only the cap can expire part of it).

The work is ``tally_rollover`` (one set-based statement over a batch of wallets, under their
row locks in id order). It runs from two places: ``tally_expire``, which every debit and credit
calls first — so a write after a boundary sees the boundary processed, at its own moment — and
the scheduler's sweep (``roll_due``) for wallets nobody touched. A boundary is processed once:
the wallet's ``next_boundary`` moves on in the same statement, under the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.db import sql
from app.wallets import ledger
from app.wallets.errors import NotFound, ValidationFailed
from app.wallets.models import RolloverPolicy, Wallet

MAX_MONTHS = 1200
BATCH = 5000  # wallets per transaction of the sweep
SCHEDULE = text(sql.load("app.wallets", "schedule_boundaries"))
DUE = text("SELECT id FROM wallets WHERE next_boundary <= :now ORDER BY id LIMIT :limit")
ROLL = text("SELECT wallet_id, moved FROM tally_rollover(CAST(:ids AS bigint[]), :now)")


@dataclass(frozen=True)
class Rollover:
    """A validated policy: ``months`` only with ``rollover_with_expiry``; ``cap`` only when
    credits roll over."""

    policy: RolloverPolicy
    months: int | None = None
    cap: Decimal | None = None


def validate(
    policy: RolloverPolicy | None, months: int | None, cap: object | None, prefix: str = ""
) -> Rollover | None:
    """Typed errors naming the field (``months``, ``cap``; ``prefix`` for nested inputs)."""

    def field(name: str) -> str:
        return f"{prefix}{name[0].upper()}{name[1:]}" if prefix else name

    if policy is None:
        if months is not None or cap is not None:
            raise ValidationFailed(field("policy"), "is required with months or a cap")
        return None
    if policy is RolloverPolicy.ROLLOVER_WITH_EXPIRY:
        if months is None:
            raise ValidationFailed(field("months"), "is required with rollover_with_expiry")
        if not 1 <= months <= MAX_MONTHS:
            raise ValidationFailed(field("months"), f"must be between 1 and {MAX_MONTHS}")
    elif months is not None:
        raise ValidationFailed(field("months"), "only applies to rollover_with_expiry")
    if cap is None:
        return Rollover(policy, months)
    if policy is RolloverPolicy.EXPIRE_AT_PERIOD_END:
        raise ValidationFailed(field("cap"), "only applies when credits roll over")
    if money.parse_decimal(cap, field("cap")) < 0:
        raise ValidationFailed(field("cap"), "must not be negative")
    return Rollover(policy, months, money.credits(cap, field("cap"), allow_zero=True))


async def schedule(
    session: AsyncSession, wallet: Wallet, anchor: datetime, months: int, now: datetime
) -> datetime:
    """Set the wallet's periods (``anchor`` every ``months``); returns the next boundary."""
    anchor, moment = anchor.astimezone(UTC), now.astimezone(UTC)
    guess = ((moment.year - anchor.year) * 12 + moment.month - anchor.month) // months
    row = (
        await (await session.connection()).execute(
            SCHEDULE,
            {"anchor": anchor, "months": months, "now": now, "guess": guess, "wallet": wallet.id},
        )
    ).one()
    await session.refresh(wallet)
    boundary: datetime = row.next_boundary
    return boundary


async def set_policy(
    session: AsyncSession,
    wallet_id: int,
    rollover: Rollover | None,
    *,
    anchor: datetime | None,
    period_months: int,
    now: datetime,
) -> Wallet:
    """The wallet's default policy (None: none) and its periods (``anchor`` None: from the
    wallet's creation). Boundaries already processed stay processed."""
    wallet = await ledger.lock_wallet(session, wallet_id)
    if wallet is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    await ledger.expire(session, wallet_id, now)  # boundaries due under the old policy first
    await session.refresh(wallet)
    wallet.rollover_policy = rollover.policy if rollover else None
    wallet.rollover_months = rollover.months if rollover else None
    wallet.rollover_cap = rollover.cap if rollover else None
    wallet.updated_at = now
    session.add(wallet)
    await session.flush()
    await schedule(session, wallet, anchor or wallet.created_at, period_months, now)
    return wallet


async def ensure_scheduled(session: AsyncSession, wallet: Wallet, now: datetime) -> None:
    """A grant with its own policy needs boundaries: monthly from the wallet's creation,
    unless the wallet has periods already."""
    if wallet.next_boundary is None:
        await schedule(session, wallet, wallet.created_at, 1, now)


async def roll_due(session: AsyncSession, now: datetime, limit: int = BATCH) -> int:
    """Process the next boundary of up to ``limit`` wallets whose boundary has passed (id
    order). Returns how many; the caller repeats, one transaction per batch, until 0."""
    ids = list(
        (await (await session.connection()).execute(DUE, {"now": now, "limit": limit})).scalars()
    )
    if not ids:
        return 0
    rows = (await (await session.connection()).execute(ROLL, {"ids": ids, "now": now})).all()
    for row in rows:
        if row.moved:  # the balance changed: live update, spend alerts (balance reactions)
            ledger.touch(session, int(row.wallet_id))
    return len(ids)
