"""Deadlocks and serialization failures are retried transparently; when every try fails so,
the caller gets a typed ``busy`` error, never "Unexpected error."."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from app.db.engine import plain_url
from app.db.retry import Busy, retrying, transient
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet, create_customer, grant


def test_deadlocks_and_serialization_failures_are_transient() -> None:
    assert transient(asyncpg.exceptions.DeadlockDetectedError("deadlock detected"))
    assert transient(asyncpg.exceptions.SerializationError("could not serialize"))
    wrapped = DBAPIError("SELECT 1", None, asyncpg.exceptions.DeadlockDetectedError("x"))
    assert transient(wrapped)
    assert not transient(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not transient(ValueError("deadlock"))


async def test_the_last_try_ends_in_busy_and_other_errors_pass_through() -> None:
    tries = 0

    async def deadlocked() -> None:
        nonlocal tries
        tries += 1
        raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")

    with pytest.raises(Busy) as raised:
        await retrying(deadlocked)
    assert tries == 3
    assert (raised.value.code, raised.value.field) == ("busy", None)

    async def broken() -> None:
        raise asyncpg.exceptions.UniqueViolationError("duplicate key")

    with pytest.raises(asyncpg.exceptions.UniqueViolationError):
        await retrying(broken)


async def _waiting_for_a_lock(connection: asyncpg.Connection, pid: int) -> None:
    """Until a backend other than ``pid`` (the test's own) waits for a lock."""
    for _ in range(500):
        waiting = await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> $1", pid
        )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("nothing waited for a lock")


async def test_a_mutation_caught_in_a_deadlock_runs_again_and_succeeds(
    gql: GraphQLClient, runtime: Runtime, database_url: str
) -> None:
    wallet_id = await create_customer(gql, "acme")
    other = await asyncpg.connect(plain_url(database_url))
    try:
        # Another transaction holds the wallet; the grant claims its idempotency key, then
        # waits for the wallet; the other one then claims the same key: a deadlock, which
        # PostgreSQL breaks by undoing the grant's try (the other checks for deadlocks late).
        await other.execute("SET deadlock_timeout = '60s'")
        transaction = other.transaction()
        await transaction.start()
        await other.execute("SELECT 1 FROM wallets WHERE id = $1 FOR UPDATE", wallet_id)
        granted = asyncio.create_task(grant(gql, wallet_id, "100", "k"))
        await _waiting_for_a_lock(other, other.get_server_pid())
        await other.execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
            "VALUES ($1, 'k', 'other', now())",
            f"grant:{wallet_id}",
        )  # returns once the grant's try is undone (its key with it)
        await transaction.rollback()  # the grant's next try goes through
        result = await asyncio.wait_for(granted, 30)
    finally:
        await other.close()
    assert result["__typename"] == "LedgerEntryPayload", result
    assert result["wallet"]["balance"] == "100"
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.ledger_count == 1
