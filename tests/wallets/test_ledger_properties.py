"""Property-based: random grants, voids, burns and clock moves keep the ledger exact.

A hypothesis state machine drives ``app.wallets.service`` against the real database, one
transaction per step, and a small Python model predicts every grant's remaining credits, the
debt and the balance. After each step the tables must agree with the model and with the
invariant ``balance == sum(ledger) == sum(remaining grants) - debt``.

Hypothesis runs synchronously, so the test owns an event loop and a ``Database`` built on it
(an engine belongs to one loop).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from app.clock import FrozenClock
from app.customers import service as customers
from app.customers.service import CustomerInput
from app.db.engine import Database
from app.errors import InsufficientCredits
from app.wallets import service
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, DepletionPolicy, GrantKind, GrantSource
from app.wallets.service import GrantRequest
from tests.conftest import START
from tests.core.support import assert_invariant, books

T = TypeVar("T")
MICRO = Decimal("0.000001")
CAUSE = Cause(CauseType.SYSTEM, "property-test")
_names = itertools.count()


def micro_credits(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Exact amounts with up to six places, built from integers (never floats)."""
    return st.integers(low, high).map(lambda n: Decimal(n) * MICRO)


@dataclass(frozen=True)
class ModelGrant:
    id: int
    kind: GrantKind
    priority: int
    expires_at: datetime | None
    remaining: Decimal

    def burn_key(self) -> tuple[int, datetime, str, int]:
        far = datetime.max.replace(tzinfo=START.tzinfo)
        return (self.priority, self.expires_at or far, self.kind.value, self.id)


@dataclass(frozen=True)
class Model:
    """What the wallet must hold, computed without the database."""

    grants: tuple[ModelGrant, ...] = ()
    debt: Decimal = Decimal(0)
    expired_entries: int = 0

    @property
    def balance(self) -> Decimal:
        return sum((g.remaining for g in self.grants), Decimal(0)) - self.debt

    def expire(self, now: datetime) -> Model:
        due = [g for g in self.grants if g.remaining > 0 and g.expires_at and g.expires_at <= now]
        kept = tuple(replace(g, remaining=Decimal(0)) if g in due else g for g in self.grants)
        return replace(self, grants=kept, expired_entries=self.expired_entries + len(due))

    def add(self, grant: ModelGrant) -> Model:
        paid = min(self.debt, grant.remaining)
        added = replace(grant, remaining=grant.remaining - paid)
        return replace(self, grants=(*self.grants, added), debt=self.debt - paid)

    def available(self, only: int | None = None) -> Decimal:
        return sum((g.remaining for g in self.grants if only is None or g.id == only), Decimal(0))

    def draw(self, amount: Decimal, only: int | None = None) -> Model:
        """Take ``amount`` in burn order; what the grants cannot cover becomes debt."""
        left = amount
        taken: dict[int, Decimal] = {}
        for g in sorted(self.grants, key=ModelGrant.burn_key):
            if left == 0:
                break
            if g.remaining > 0 and (only is None or g.id == only):
                taken[g.id] = min(g.remaining, left)
                left -= taken[g.id]
        grants = tuple(replace(g, remaining=g.remaining - taken.get(g.id, 0)) for g in self.grants)
        return replace(self, grants=grants, debt=self.debt + left)


class LedgerMachine(RuleBasedStateMachine):
    loop: ClassVar[asyncio.AbstractEventLoop]
    database: ClassVar[Database]

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(START)
        self.model = Model()
        self.wallet_id = 0
        self.keys = itertools.count()

    def run(self, work: Awaitable[T]) -> T:
        return self.loop.run_until_complete(work)

    async def _open_wallet(self) -> int:
        async with self.database.transaction() as session:
            customer = await customers.create(
                session, CustomerInput(f"prop-{next(_names)}", "Property", "USD"), self.clock.now()
            )
            wallet = await service.create_wallet(
                session,
                customer,
                currency="USD",
                rate="0.01",
                policy=DepletionPolicy.ALLOW,
                overdraft_limit=None,
                now=self.clock.now(),
            )
        assert wallet.id is not None
        return wallet.id

    @initialize()
    def open_wallet(self) -> None:
        self.wallet_id = self.run(self._open_wallet())

    @rule(
        amount=micro_credits(1, 5_000_000_000),
        kind=st.sampled_from(list(GrantKind)),
        priority=st.sampled_from([0, 10, 50]),
        expires_in_hours=st.one_of(st.none(), st.integers(1, 72)),
    )
    def grant(
        self, amount: Decimal, kind: GrantKind, priority: int, expires_in_hours: int | None
    ) -> None:
        now = self.clock.now()
        expires_at = now + timedelta(hours=expires_in_hours) if expires_in_hours else None
        request = GrantRequest(
            amount=amount,
            kind=kind,
            source=GrantSource.PURCHASE if kind is GrantKind.PAID else GrantSource.REWARD,
            priority=priority,
            expires_at=expires_at,
            cost_minor=int(amount) if kind is GrantKind.PAID else None,
        )

        async def work() -> Any:
            async with self.database.transaction() as session:
                return await service.grant_credits(
                    session,
                    self.wallet_id,
                    request,
                    cause=CAUSE,
                    idempotency_key=f"grant-{next(self.keys)}",
                    now=now,
                )

        entry = self.run(work())
        assert isinstance(entry.credits, Decimal) and entry.credits == amount
        new = ModelGrant(entry.grant_id, kind, priority, expires_at, amount)
        self.model = self.model.expire(now).add(new)
        assert entry.balance_after == self.model.balance

    @rule(amount=micro_credits(1, 3_000_000_000))
    def burn(self, amount: Decimal) -> None:
        now = self.clock.now()

        async def work() -> Any:
            async with self.database.transaction() as session:
                return await service.burn(
                    session, self.wallet_id, amount, description="usage", cause=CAUSE, now=now
                )

        debit = self.run(work())
        self.model = self.model.expire(now).draw(amount)
        assert debit.shortfall == 0
        assert debit.balance_after == self.model.balance

    @rule(data=st.data(), whole_grant=st.booleans())
    def void(self, data: st.DataObject, whole_grant: bool) -> None:
        now = self.clock.now()
        expired = self.model.expire(now)
        only = None
        if whole_grant and self.model.grants:
            only = data.draw(st.sampled_from([g.id for g in self.model.grants]), label="grant")
        available = expired.available(only)
        edges = [a for a in (available, available + MICRO) if a > 0]
        amount = data.draw(
            st.one_of(micro_credits(1, 4_000_000_000), st.sampled_from(edges)), label="amount"
        )
        before = self.run(self._figures())

        async def work() -> Any:
            async with self.database.transaction() as session:
                return await service.void_credits(
                    session,
                    self.wallet_id,
                    amount,
                    reason="property test",
                    grant_id=only,
                    cause=CAUSE,
                    idempotency_key=f"void-{next(self.keys)}",
                    now=now,
                )

        if amount > available:
            with pytest.raises(InsufficientCredits) as raised:
                self.run(work())
            assert raised.value.field == "amount"
            assert self.run(self._figures()) == before, "a refused void wrote something"
            return
        entry = self.run(work())
        self.model = expired.draw(amount, only)
        assert entry.credits == -amount and entry.balance_after == self.model.balance

    @rule(hours=st.integers(1, 48), sweep=st.booleans())
    def move_clock(self, hours: int, sweep: bool) -> None:
        now = self.clock.advance(timedelta(hours=hours))
        if not sweep:
            return

        async def work() -> None:
            async with self.database.transaction() as session:
                await service.expire_due(session, now)

        self.run(work())
        self.model = self.model.expire(now)

    @precondition(lambda self: self.model.debt > 0)
    @rule()
    def grants_pay_debt_first(self) -> None:
        debt = self.model.debt
        self.grant(debt + 1, GrantKind.FREE, 50, None)
        assert self.model.debt == 0 and self.model.balance > 0

    async def _figures(self) -> tuple[Any, ...]:
        async with self.database.engine.connect() as connection:
            grants = (
                await connection.execute(
                    text("SELECT id, remaining FROM grants WHERE wallet_id = :w ORDER BY id"),
                    {"w": self.wallet_id},
                )
            ).all()
            expiries = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM ledger_entries WHERE wallet_id = :w "
                        "AND kind = 'expiry'"
                    ),
                    {"w": self.wallet_id},
                )
            ).scalar_one()
            return (await books(connection, self.wallet_id), tuple(grants), expiries)

    @invariant()
    def books_balance(self) -> None:
        if not self.wallet_id:
            return
        figures, grants, expiries = self.run(self._figures())
        assert_invariant(figures)
        assert figures.balance == self.model.balance
        assert figures.debt == self.model.debt
        expected = {g.id: g.remaining for g in self.model.grants}
        assert dict(grants) == expected
        assert expiries == self.model.expired_entries
        for _, remaining in grants:
            assert isinstance(remaining, Decimal)


@pytest.mark.usefixtures("db")
def test_random_operations_keep_the_ledger_exact(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    database = Database(database_url, pool_size=2)
    machine = type("BoundLedgerMachine", (LedgerMachine,), {"loop": loop, "database": database})
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=50,
                stateful_step_count=20,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        loop.run_until_complete(database.dispose())
        loop.close()
