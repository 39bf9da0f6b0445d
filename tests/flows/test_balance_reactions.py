"""Balance reactions run once per committed transaction that changed balances, on every path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.customers import service as customers
from app.customers.service import CustomerInput
from app.db.engine import driver
from app.flows.balance_reactions import balance_reactions
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, DepletionPolicy
from app.wallets.service import GrantRequest
from tests.conftest import GraphQLClient


class Recorder:
    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    async def __call__(
        self, session: AsyncSession, wallet_ids: Sequence[int], now: datetime
    ) -> None:
        self.calls.append(list(wallet_ids))


@pytest.fixture
def recorder(runtime: Runtime) -> Recorder:
    recording = Recorder()
    runtime.db.before_commit["balance_reactions"] = balance_reactions(runtime.clock, [recording])
    return recording


async def _two_wallets(runtime: Runtime) -> list[int]:
    ids = []
    async with runtime.db.transaction() as session:
        for name in ("a", "b"):
            customer = await customers.create(
                session, CustomerInput(name, name.upper(), "USD"), runtime.clock.now()
            )
            wallet = await wallets.create_wallet(
                session,
                customer,
                currency=None,
                rate="0.01",
                policy=DepletionPolicy.ALLOW,
                overdraft_limit=None,
                now=runtime.clock.now(),
            )
            assert wallet.id is not None
            ids.append(wallet.id)
    return ids


async def test_one_call_per_transaction_with_every_wallet_changed(
    runtime: Runtime, recorder: Recorder
) -> None:
    first, second = await _two_wallets(runtime)
    assert recorder.calls == []  # creating wallets moves no balance (no signup bonus set)
    async with runtime.db.transaction() as session:
        for wallet_id in (second, first):
            await wallets.grant_credits(
                session,
                wallet_id,
                GrantRequest(amount="100"),
                cause=Cause(CauseType.OPERATOR),
                idempotency_key=f"k{wallet_id}",
                now=runtime.clock.now(),
            )
        await wallets.burn(
            session,
            first,
            Decimal(5),
            description="use",
            cause=Cause(CauseType.SYSTEM),
            now=runtime.clock.now(),
        )
    assert recorder.calls == [[first, second]]


async def test_a_rolled_back_change_reacts_to_nothing(runtime: Runtime, recorder: Recorder) -> None:
    [wallet_id, _] = await _two_wallets(runtime)
    with pytest.raises(RuntimeError):
        async with runtime.db.transaction() as session:
            await wallets.burn(
                session,
                wallet_id,
                Decimal(5),
                description="use",
                cause=Cause(CauseType.SYSTEM),
                now=runtime.clock.now(),
            )
            raise RuntimeError("abandon")
    assert recorder.calls == []


async def test_graphql_mutations_react_too(
    runtime: Runtime, recorder: Recorder, gql: GraphQLClient
) -> None:
    [wallet_id, _] = await _two_wallets(runtime)
    await gql(
        """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { __typename } }""",
        input={"walletId": str(wallet_id), "amount": "10", "idempotencyKey": "x"},
    )
    assert recorder.calls == [[wallet_id]]


def _driver_introspection(query: str) -> bool:
    return "typeinfo_tree" in query or "set_config('jit'" in query or "'jit', 'off'" in query


async def test_every_reaction_costs_one_statement_when_nothing_crosses(runtime: Runtime) -> None:
    """With the domains' reactions (not a recorder): after the last change, the transaction
    sends one statement for live updates, alerts, auto-recharge and webhooks, then commits."""
    first, second = await _two_wallets(runtime)
    sent: list[str] = []
    async with runtime.db.transaction() as session:
        connection = await driver(session)
        connection.add_query_logger(lambda record: sent.append(" ".join(record.query.split())))
        for wallet_id in (first, second):
            await wallets.grant_credits(
                session,
                wallet_id,
                GrantRequest(amount="100"),
                cause=Cause(CauseType.OPERATOR),
                idempotency_key=f"g{wallet_id}",
                now=runtime.clock.now(),
            )
        marker = len(sent)
    reacting = [
        q
        for q in sent[marker:]
        if not q.upper().startswith(("COMMIT", "RELEASE"))
        and not _driver_introspection(q)  # asyncpg learns a new statement's types, once
    ]
    assert len(reacting) == 1, reacting
    assert reacting[0].startswith("WITH live_changed AS"), reacting[0][:80]
    async with runtime.db.transaction() as session:
        rows = await (await driver(session)).fetch(
            "SELECT topic, payload FROM outbox WHERE kind = 'live' ORDER BY id DESC LIMIT 1"
        )
    assert rows[0]["topic"] == "*"
    messages = rows[0]["payload"]["messages"]
    assert [channel for channel, _ in messages] == [f"wallet:{first}", f"wallet:{second}"]
    assert [Decimal(m["balance"]) for _, m in messages] == [100, 100]
