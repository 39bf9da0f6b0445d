"""The event hot path: one batch, one transaction, each event its own result.

    parse every event (no I/O) → one indexed read of the batch's customers and the catalog
    version → resolve customer, metric and properties → insert the events with
    ``ON CONFLICT (transaction_id) DO NOTHING RETURNING`` (sorted by transaction id, so
    concurrent batches wait on each other's keys in one order) → fold the accepted, charged
    events into period usage → one debit per wallet and metric (``tally_debit_many``) → price
    the money usage and compare it with the usage thresholds (``app.billing.progressive``: one
    statement, only for batches with money-priced usage) → record pay-in-advance fees and their
    invoice job (``app.billing.in_advance``: one statement, only when there are some)

Every sum is compared with its limit before the statement that would write it
(``app.metering.limits``); a batch that would cross one is run again, carefully
(``app.flows.headroom``), rejecting only the events that do not fit.

The caller owns the transaction (the HTTP endpoint or the GraphQL unit of work) and commits it,
with the balance reactions, after this returns. The array statements run on the session's own
asyncpg connection, inside that transaction.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

import asyncpg
from sqlmodel.ext.asyncio.session import AsyncSession

from app import billing, money, plans, wallets
from app.db import sql
from app.db.engine import driver
from app.errors import DomainError, ValidationFailed
from app.flows.headroom import Headroom
from app.inputs import printable
from app.metering import (
    TRANSACTION_ID_MAX,
    EventResult,
    FieldNames,
    Outcome,
    OverLimit,
    Parsed,
    Source,
    Status,
    WalletBalance,
    Window,
    parse,
)
from app.money import CREDITS_LIMIT
from app.plans import EMPTY, Billing, Catalog, Resolved, Snapshot, resolve
from app.wallets import Cause, CauseType, Usage, UsageDebit

MAX_BATCH = 1000
# Checking events is pure CPU; the loops let the event loop run every SLICE events, so that the
# other batches in flight, which hold row locks from their usage upsert to their commit, are
# not kept waiting (and so keep others waiting) for a whole batch's checks.
SLICE = 200

INSERT = sql.load("app.flows", "insert_events")


def check_batch(events: object, field: str = "events") -> list[object]:
    """A batch is a list of 1 to ``MAX_BATCH`` events (code ``too_many`` when it is longer)."""
    if not isinstance(events, list):
        raise ValidationFailed(field, "must be a list of events")
    if not events:
        raise ValidationFailed(field, "must contain at least one event", code="required")
    if len(events) > MAX_BATCH:
        raise ValidationFailed(
            field,
            f"has {len(events)} events; a batch holds at most {MAX_BATCH:,}",
            code="too_many",
        )
    return events


def _transaction_id(raw: object, names: FieldNames) -> str | None:
    """A rejected event's transaction id as the answer echoes it: cut to the column's length,
    NUL and lone surrogates replaced (the answer must be valid JSON text)."""
    value = raw.get(names.transaction_id) if isinstance(raw, dict) else None
    return printable(value[:TRANSACTION_ID_MAX]) if isinstance(value, str) else None


def describe(credits: Decimal, units: Decimal, label: str) -> str:
    """Value translation: "−500 credits · 10 reports generated"."""
    return f"−{money.format_credits(credits)} credits · {money.format_credits(units)} {label}"


class Batch:
    """The results of one batch as they are decided, in the order of the request."""

    def __init__(self, events: Sequence[object], source: Source) -> None:
        self.events, self.source = events, source
        self.results: list[EventResult | None] = [None] * len(events)
        self.charged: list[int | None] = [None] * len(events)

    def reject(self, index: int, error: DomainError) -> None:
        tid = _transaction_id(self.events[index], self.source.names)
        self.results[index] = EventResult(index, tid, Status.REJECTED, error)

    def decide(self, index: int, transaction_id: str, status: Status) -> None:
        self.results[index] = EventResult(index, transaction_id, status)

    async def parse(self, window: Window) -> list[Parsed]:
        parsed = []
        for index, raw in enumerate(self.events):
            try:
                parsed.append(parse(index, raw, self.source.names, window))
            except DomainError as error:
                self.reject(index, error)
            if index % SLICE == SLICE - 1:
                await asyncio.sleep(0)
        return parsed

    async def resolve(
        self, parsed: list[Parsed], customers: dict[str, Billing], snapshot: Snapshot
    ) -> list[Resolved]:
        resolved = []
        for n, event in enumerate(parsed):
            try:
                resolved.append(resolve(event, customers, snapshot, self.source.names))
            except DomainError as error:
                self.reject(event.position, error)
            if n % SLICE == SLICE - 1:
                await asyncio.sleep(0)
        return resolved

    def first_of_each(self, events: list[Resolved]) -> list[Resolved]:
        """Events whose transaction id repeats an earlier one of the batch are duplicates."""
        seen: set[str] = set()
        unique = []
        for event in events:
            tid = event.parsed.transaction_id
            if tid in seen:
                self.decide(event.parsed.position, tid, Status.DUPLICATE)
            else:
                seen.add(tid)
                unique.append(event)
        return unique

    def charge(self, events: list[Resolved], balances: dict[int, Decimal]) -> None:
        """Note the wallet each accepted event was charged to."""
        for event in events:
            wallet = event.billing.wallet
            if wallet is not None and wallet.id in balances:
                self.charged[event.parsed.position] = wallet.id

    def finished(self) -> list[EventResult]:
        assert all(r is not None for r in self.results)
        return [r for r in self.results if r is not None]


async def _insert(
    session: AsyncSession, events: list[Resolved], source: Source, now: datetime
) -> tuple[set[str] | None, int]:
    """Store the events; return the batch id and the transaction ids that were new (None when
    all were: the usual case, answered without sending the ids back)."""
    ordered = sorted(events, key=lambda e: e.parsed.transaction_id)
    connection = await driver(session)
    row = await connection.fetchrow(
        INSERT,
        source.kind,
        source.api_key_id,
        now,
        [e.parsed.transaction_id for e in ordered],
        [e.billing.customer_id for e in ordered],
        [e.metric.id for e in ordered],
        [e.parsed.timestamp for e in ordered],
        [e.parsed.properties_json for e in ordered],
    )
    assert row is not None
    new = row["new"]
    return (None if new is None else set(new)), row["batch_id"]


def _debits(billed: list[plans.Billed]) -> list[UsageDebit]:
    """One debit per wallet and metric: the batch's groups (periods) added together."""
    totals: dict[tuple[int, int], tuple[plans.Billed, Decimal, Decimal]] = {}
    for item in billed:
        key = (item.wallet_id, item.metric.id)
        _, units, credits = totals.get(key, (item, Decimal(0), Decimal(0)))
        totals[key] = (item, units + item.units, credits + item.credits)
    debits = []
    for item, units, credits in totals.values():
        if credits <= 0:
            continue
        label = item.metric.label(units)
        use = Usage(item.metric.code, money.round_credits(units), label)
        description = describe(credits, use.units, label)
        debits.append(UsageDebit(item.wallet_id, credits, description, use))
    return debits


def _balances(events: list[Resolved], balances: dict[int, Decimal]) -> list[WalletBalance]:
    owners = {}
    for event in events:
        wallet, plan = event.billing.wallet, event.plan
        if wallet is not None and plan is not None and wallet.id in balances:
            owners[wallet.id] = (event.billing.external_id, plan.currency)
    return [
        WalletBalance(wallet_id, owners[wallet_id][0], owners[wallet_id][1], balance)
        for wallet_id, balance in sorted(balances.items())
    ]


async def ingest(
    session: AsyncSession,
    catalog: Catalog,
    events: Sequence[object],
    source: Source,
    window: Window,
    headroom: Headroom | None = None,
) -> Outcome:
    """Store, price and debit one batch of events in the session's transaction. ``OverLimit``
    (a ``TryAgain``) when a sum would cross a limit: the caller runs it again, in a new
    transaction or savepoint, with the same ``headroom``, which has turned careful."""
    headroom = headroom if headroom is not None else Headroom()
    batch = Batch(events, source)
    parsed = await batch.parse(window)
    if not parsed:
        return Outcome(batch.finished(), [])
    customers, version = await plans.billing_of(session, sorted({p.customer for p in parsed}))
    snapshot = await catalog.current(await driver(session), version) if customers else EMPTY
    resolved = await batch.resolve(parsed, customers, snapshot)
    unique = batch.first_of_each(resolved)
    if not unique:
        return Outcome(batch.finished(), [])
    inserted, batch_id = await _insert(session, unique, source, window.now)
    accepted = []
    for item in unique:
        tid = item.parsed.transaction_id
        new = inserted is None or tid in inserted
        status = Status.ACCEPTED if new else Status.DUPLICATE
        batch.decide(item.parsed.position, tid, status)
        if status is Status.ACCEPTED and item.plan is not None:
            accepted.append(item)
    connection = await driver(session)
    if headroom.careful:
        accepted = await headroom.admit(
            connection, accepted, source.names, batch.reject, window.now
        )
    try:
        balances = await _charge(session, connection, accepted, batch_id, window.now)
    except OverLimit:
        headroom.careful = True
        raise
    batch.charge(accepted, balances)
    return Outcome(batch.finished(), _balances(accepted, balances), batch.charged)


async def _charge(
    session: AsyncSession,
    connection: asyncpg.Connection,
    accepted: list[Resolved],
    batch_id: int,
    now: datetime,
) -> dict[int, Decimal]:
    """Fold the accepted events into period usage, debit the wallets, price the money usage;
    ``OverLimit`` as soon as a sum would cross a limit."""
    recorded = await plans.record_usage(connection, accepted, now)
    debits = _debits(recorded.billed)
    check_debits(debits, _read_balances(accepted))
    cause = Cause(CauseType.EVENT_BATCH, f"batch:{batch_id}")
    balances = await wallets.debit_many(
        session, connection, debits, cause=cause, now=now, extra=recorded.marks
    )
    check_balances(balances.values())
    await billing.record_money_usage(connection, recorded.money, now)  # after the wallets
    await billing.record_in_advance(connection, recorded.in_advance, batch_id, now)
    return balances


def check_debits(debits: Iterable[UsageDebit], balances: dict[int, Decimal]) -> None:
    """Each wallet's debits of the batch, from the balance the batch read, stay within the
    limits (``balances`` may be stale: the balances after the debits are checked too)."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for debit in debits:
        totals[debit.wallet_id] += debit.credits
    for wallet_id, total in totals.items():
        if total > CREDITS_LIMIT or balances.get(wallet_id, 0) - total < -CREDITS_LIMIT:
            raise OverLimit


def check_balances(balances: Iterable[Decimal]) -> None:
    if any(balance < -CREDITS_LIMIT for balance in balances):
        raise OverLimit


def _read_balances(events: list[Resolved]) -> dict[int, Decimal]:
    """The balance of each wallet as the batch's lookup read it."""
    return {e.billing.wallet.id: e.billing.wallet.balance for e in events if e.billing.wallet}
