"""Many transactions on one wallet at once: exact totals, no lost update, no deadlock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from decimal import Decimal

from sqlalchemy import text

from app.runtime import Runtime
from app.wallets import service
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, GrantKind, GrantSource, LedgerEntry
from app.wallets.service import GrantRequest
from tests.conftest import GraphQLClient
from tests.core.support import burn, check_wallet, count_rows, create_customer, grant

CAUSE = Cause(CauseType.API, "concurrency-test")


async def _grant(runtime: Runtime, wallet_id: int, amount: str, key: str) -> LedgerEntry:
    async with runtime.db.transaction() as session:
        return await service.grant_credits(
            session,
            wallet_id,
            GrantRequest(amount=amount, kind=GrantKind.PAID, source=GrantSource.PURCHASE),
            cause=CAUSE,
            idempotency_key=key,
            now=runtime.clock.now(),
        )


async def test_fifty_concurrent_burns_and_grants_are_exact(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "busy")
    await grant(gql, wallet_id, "100", "seed")
    burns = [f"{7 + i % 5}.125" for i in range(25)]  # 7.125 .. 11.125
    grants = [f"{3 + i % 4}.5" for i in range(25)]  # 3.5 .. 6.5
    debits = [burn(runtime, wallet_id, amount, f"batch-{i}") for i, amount in enumerate(burns)]
    credits = [_grant(runtime, wallet_id, amount, f"g-{i}") for i, amount in enumerate(grants)]
    # Interleave so grants (which pay debt first) and burns race each other.
    interleaved: list[Awaitable[object]] = []
    for debit, credit in zip(debits, credits, strict=True):
        interleaved += [debit, credit]

    await asyncio.wait_for(asyncio.gather(*interleaved), timeout=60)

    expected = Decimal(100) - sum(map(Decimal, burns)) + sum(map(Decimal, grants))
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == expected
    assert figures.ledger_count == 1 + 50
    assert figures.ledger_sum == expected
    async with runtime.db.engine.connect() as connection:
        kinds: dict[str, int] = dict(
            (
                await connection.execute(
                    text(
                        "SELECT kind, count(*) FROM ledger_entries WHERE wallet_id = :w "
                        "GROUP BY kind"
                    ),
                    {"w": wallet_id},
                )
            ).all()
        )
        # No grant gave more than it had, no debit drew more than it took.
        overdrawn_grants = (
            await connection.execute(
                text(
                    "SELECT g.id FROM grants g LEFT JOIN ledger_allocations a ON a.grant_id = g.id"
                    " WHERE g.wallet_id = :w GROUP BY g.id"
                    " HAVING g.remaining + coalesce(sum(a.credits), 0) > max(g.amount)"
                ),
                {"w": wallet_id},
            )
        ).all()
        overdrawn_entries = (
            await connection.execute(
                text(
                    "SELECT e.id FROM ledger_entries e JOIN ledger_allocations a"
                    " ON a.entry_id = e.id WHERE e.wallet_id = :w GROUP BY e.id"
                    " HAVING sum(a.credits) > -max(e.credits)"
                ),
                {"w": wallet_id},
            )
        ).all()
    assert kinds == {"grant": 1, "purchase": 25, "consumption": 25}
    assert overdrawn_grants == [] and overdrawn_entries == []


async def test_balance_can_go_into_debt_under_concurrency(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "deep")
    await grant(gql, wallet_id, "10", "seed")
    await asyncio.gather(*(burn(runtime, wallet_id, "1.5", f"b-{i}") for i in range(30)))
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == Decimal(10) - Decimal("45")
    assert figures.debt == Decimal(35)
    assert figures.remaining_sum == 0


async def test_concurrent_grants_with_one_idempotency_key_grant_once(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "twice")
    entries = await asyncio.gather(*(_grant(runtime, wallet_id, "25", "same") for _ in range(10)))
    assert len({e.id for e in entries}) == 1
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == Decimal(25)
    assert await count_rows(runtime.db, "grants") == 1
    assert await count_rows(runtime.db, "idempotency_keys") == 1


async def test_concurrent_graphql_grants_with_one_key_grant_once(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "api-twice")
    results = await asyncio.gather(*(grant(gql, wallet_id, "40", "retry") for _ in range(8)))
    assert {r["__typename"] for r in results} == {"LedgerEntryPayload"}
    assert len({r["entry"]["id"] for r in results}) == 1
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == Decimal(40)
    assert figures.ledger_count == 1
