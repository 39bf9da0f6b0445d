"""The hot path's ``tally_debit_many`` draws each wallet's debits of a batch in one pass over its
grants; that pass must give exactly what one ``tally_debit`` per debit gives (the reference
burn order): the same entries and running balances, the same draws from the same grants, the
same remaining credits and debt. Sixty random wallets — grants of mixed priority, expiry and
kind, debits that span several grants or run past all of them — each debited both ways."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import FrozenClock
from app.customers import service as customers
from app.customers.service import CustomerInput
from app.db.engine import Database, driver
from app.wallets import service as wallets
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, DepletionPolicy, GrantKind
from app.wallets.service import GrantRequest
from tests.core.support import assert_invariant, books

CAUSE = Cause(CauseType.SYSTEM, "debit-many-test")
METRICS = ["api_call", "report", "storage", "tokens"]


def _scenario(
    rng: random.Random, now: datetime
) -> tuple[list[GrantRequest], list[tuple[str, Decimal]]]:
    grants = [
        GrantRequest(
            amount=Decimal(rng.randint(1, 4000)) / 100,
            kind=rng.choice([GrantKind.FREE, GrantKind.PAID]),
            priority=rng.choice([10, 50, 50, 90]),
            expires_at=None if rng.random() < 0.6 else now + timedelta(days=rng.randint(1, 30)),
        )
        for _ in range(rng.randint(0, 5))
    ]
    metrics = rng.sample(METRICS, rng.randint(1, 4))
    debits = [(m, Decimal(rng.randint(1, 3000)) / 100) for m in sorted(metrics)]
    return grants, debits


async def _wallet(session: AsyncSession, name: str, grants: list[GrantRequest], now: Any) -> int:
    customer = await customers.create(session, CustomerInput(name, name, "USD"), now)
    wallet = await wallets.create_wallet(
        session,
        customer,
        currency=None,
        rate="0.01",
        policy=DepletionPolicy.ALLOW,
        overdraft_limit=None,
        now=now,
    )
    assert wallet.id is not None
    for n, request in enumerate(grants):
        await wallets.grant_credits(
            session, wallet.id, request, now=now, cause=CAUSE, idempotency_key=f"{name}-{n}"
        )
    return wallet.id


async def _books(session: AsyncSession, wallet_id: int) -> dict[str, Any]:
    """The wallet as numbers, with grants and draws named by their position (not their ids)."""
    connection = await session.connection()
    grants = (
        await connection.execute(
            text("SELECT id, remaining FROM grants WHERE wallet_id = :w ORDER BY id"),
            {"w": wallet_id},
        )
    ).all()
    position = {row.id: n for n, row in enumerate(grants)}
    entries = (
        await connection.execute(
            text(
                "SELECT id, credits, balance_after, metric_code FROM ledger_entries"
                " WHERE wallet_id = :w AND kind = 'consumption' ORDER BY id"
            ),
            {"w": wallet_id},
        )
    ).all()
    draws = (
        await connection.execute(
            text(
                "SELECT a.entry_id, a.grant_id, a.credits FROM ledger_allocations a"
                " JOIN ledger_entries e ON e.id = a.entry_id WHERE e.wallet_id = :w"
                " AND e.kind = 'consumption'"
            ),
            {"w": wallet_id},
        )
    ).all()
    wallet = (
        await connection.execute(
            text("SELECT balance, debt FROM wallets WHERE id = :w"), {"w": wallet_id}
        )
    ).one()
    return {
        "balance": wallet.balance,
        "debt": wallet.debt,
        "remaining": [row.remaining for row in grants],
        "entries": [
            (
                e.metric_code,
                e.credits,
                e.balance_after,
                sorted((position[d.grant_id], d.credits) for d in draws if d.entry_id == e.id),
            )
            for e in entries
        ],
    }


async def test_one_pass_draws_exactly_what_one_debit_per_metric_draws(
    db: Database, clock: FrozenClock
) -> None:
    rng = random.Random(20261122)
    now = clock.now()
    for case in range(60):
        grants, debits = _scenario(rng, now)
        async with db.transaction() as session:
            batch = await _wallet(session, f"batch-{case}", grants, now)
            single = await _wallet(session, f"single-{case}", grants, now)
        async with db.transaction() as session:
            connection = await driver(session)
            await connection.fetch(
                "SELECT * FROM tally_debit_many($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [batch] * len(debits),
                [c for _, c in debits],
                [f"−{c} · {m}" for m, c in debits],
                [m for m, _ in debits],
                [c for _, c in debits],
                [m for m, _ in debits],
                CAUSE.type.value,
                CAUSE.id,
                now,
            )
            for metric, credits in debits:
                await connection.fetch(
                    "SELECT * FROM tally_debit($1, $2, 'consumption', $3, $4, $5, $6, $7, $8,"
                    " $9, NULL, true)",
                    single,
                    credits,
                    CAUSE.type.value,
                    CAUSE.id,
                    f"−{credits} · {metric}",
                    metric,
                    credits,
                    metric,
                    now,
                )
        async with db.transaction() as session:
            one_pass, reference = await _books(session, batch), await _books(session, single)
            assert one_pass == reference, (case, grants, debits)
            assert_invariant(await books(await session.connection(), batch))
