"""Invoice numbers are gapless, also when finalizations race and some roll back; line
amounts round half-up once per line."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app import invoices
from app.customers import service as customers
from app.customers.service import CustomerInput
from app.errors import Conflict
from app.invoices import numbering
from app.invoices.models import InvoiceType
from app.invoices.service import Draft, LineInput, Terms, line_amount
from app.runtime import Runtime
from tests.payments.support import rows

TERMS = Terms(prefix="TLY", net_days=7)


async def _customer(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        customer = await customers.create(
            session, CustomerInput("acme", "Acme", "USD"), runtime.clock.now()
        )
        assert customer.id is not None
        return customer.id


def _draft(customer_id: int, cents: int = 1000) -> Draft:
    line = LineInput("usage", Decimal(1), Decimal(cents) / 100)
    return Draft(customer_id, "USD", InvoiceType.PERIOD_END, [line])


class Abandon(Exception):
    pass


async def _issue(runtime: Runtime, customer_id: int, *, abandon: bool) -> None:
    async with runtime.db.transaction() as session:
        await invoices.issue(session, _draft(customer_id), TERMS, runtime.clock.now())
        await asyncio.sleep(0.01)  # hold the number a moment, so others queue behind it
        if abandon:
            raise Abandon


async def test_numbers_stay_gapless_when_finalizations_race_and_some_roll_back(
    runtime: Runtime,
) -> None:
    customer_id = await _customer(runtime)
    plan = [i % 3 == 0 for i in range(30)]  # every third transaction rolls back
    results = await asyncio.gather(
        *[_issue(runtime, customer_id, abandon=a) for a in plan], return_exceptions=True
    )
    assert sum(isinstance(r, Abandon) for r in results) == plan.count(True)
    assert all(r is None or isinstance(r, Abandon) for r in results)
    numbers = [r[0] for r in await rows(runtime.db, "SELECT number FROM invoices ORDER BY number")]
    committed = plan.count(False)
    assert numbers == [f"TLY-{n:06d}" for n in range(1, committed + 1)]


async def test_a_draft_has_no_number_until_finalized(runtime: Runtime) -> None:
    customer_id = await _customer(runtime)
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        draft = await invoices.create(session, _draft(customer_id), now)
        assert draft.number is None and draft.status.value == "draft"
        assert draft.id is not None
        final = await invoices.finalize(session, draft.id, TERMS, now)
        assert final.number == "TLY-000001"
        assert final.due_at is not None and (final.due_at - now).days == 7
        with pytest.raises(Conflict):
            await invoices.finalize(session, draft.id, TERMS, now)


async def test_series_are_numbered_apart(runtime: Runtime) -> None:
    async with runtime.db.transaction() as session:
        assert await numbering.next_number(session, "TLY") == "TLY-000001"
        assert await numbering.next_number(session, "inv") == "INV-000001"
        assert await numbering.next_number(session, "TLY") == "TLY-000002"


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "currency", "minor"),
    [
        ("5000", "0.01", "5", "USD", 4750),  # S4: 5,000 × 0.01 × 0.95
        ("13000", "0.01", "0", "USD", 13000),  # S5
        ("1234.5", "0.01", "0", "USD", 1235),  # 12.345 → 12.35 (half-up)
        ("1234.4", "0.01", "0", "USD", 1234),
        ("3", "0.333333", "0", "USD", 100),  # 0.999999 → 1.00
        ("1", "100.5", "0", "JPY", 101),  # no minor unit: 100.5 → 101
        ("1", "1.2345", "0", "KWD", 1235),  # three places: 1.2345 → 1.235
        ("7", "0.01", "12.5", "USD", 6),  # 0.06125 → 0.06
    ],
)
def test_a_line_rounds_half_up_once(
    quantity: str, price: str, discount: str, currency: str, minor: int
) -> None:
    line = LineInput("x", Decimal(quantity), Decimal(price), Decimal(discount))
    assert line_amount(line, currency) == minor
