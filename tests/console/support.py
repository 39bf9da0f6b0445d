"""Helpers for console tests: set-up through the services, reads straight from the tables."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import text

from app.customers import service as customers
from app.customers.service import CustomerInput
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, DepletionPolicy, GrantKind, GrantSource
from app.wallets.service import GrantRequest

Shown = TypeVar("Shown", bound=ui.element)


async def make_customer(
    runtime: Runtime, external_id: str, name: str, credits: str | None = None
) -> int:
    """A customer with a USD wallet (1 credit = 0.01 USD), optionally with credits."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        customer = await customers.create(
            session, CustomerInput(external_id, name, "USD", f"{external_id}@example.com", {}), now
        )
        wallet = await wallets.create_wallet(
            session,
            customer,
            currency="USD",
            rate="0.01",
            policy=DepletionPolicy.ALLOW,
            overdraft_limit=None,
            now=now,
        )
        assert wallet.id is not None
        if credits is not None:
            await wallets.grant_credits(
                session,
                wallet.id,
                GrantRequest(
                    amount=credits, kind=GrantKind.FREE, source=GrantSource.MANUAL, reason="setup"
                ),
                cause=Cause(CauseType.SYSTEM, "test"),
                idempotency_key=f"setup-{external_id}",
                now=now,
            )
        return wallet.id


async def rows(runtime: Runtime, sql: str, **params: Any) -> list[Any]:
    async with runtime.db.engine.connect() as connection:
        return list((await connection.execute(text(sql), params)).all())


async def balance(runtime: Runtime, wallet_id: int) -> Decimal:
    found = await rows(runtime, "SELECT balance FROM wallets WHERE id = :id", id=wallet_id)
    return Decimal(found[0].balance)


def table_rows(user: User, marker: str) -> list[dict[str, Any]]:
    tables = [e for e in user.find(marker=marker).elements if isinstance(e, ui.table)]
    assert tables, f"no table marked {marker}"
    return list(tables[0].rows)


def the(user: User, marker: str, kind: type[Shown]) -> Shown:
    """The element marked ``marker``, which must be a ``kind``."""
    found = [e for e in user.find(marker=marker).elements if isinstance(e, kind)]
    assert found, f"no {kind.__name__} marked {marker}"
    return found[0]


def error_of(user: User, marker: str) -> str | None:
    """The message shown under the input marked ``marker``."""
    element = next(iter(user.find(marker=marker).elements))
    message: str | None = getattr(element, "error", None)
    return message


async def eventually_error(user: User, marker: str, seconds: float = 3.0) -> str | None:
    """The input's error message once the click's handler has run (None if none came)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        with contextlib.suppress(AssertionError):  # not on screen yet
            message = error_of(user, marker)
            if message:
                return message
        await asyncio.sleep(0.02)
    return None


async def eventually(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    """Whether ``check`` came true within ``seconds`` (handlers run while this waits)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        with contextlib.suppress(AssertionError, IndexError, KeyError):  # not on screen yet
            if check():
                return True
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
