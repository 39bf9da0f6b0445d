"""Refunding credits from a credit purchase's page: the admin's action, the confirmation, the
credit note listed, and a typed error under the input it names."""

from __future__ import annotations

from decimal import Decimal

from nicegui.testing import User

from app.flows import settlement
from app.payments.methods import MethodInput, add
from app.recharge.topups import TopUpRequest, top_up
from app.runtime import Runtime
from tests.console.support import (
    balance,
    eventually,
    eventually_error,
    make_customer,
    rows,
    table_rows,
)


async def paid_purchase(runtime: Runtime) -> tuple[int, int]:
    """Acme bought 1,000 credits (10.00 USD) and paid outside the provider: (wallet, invoice)."""
    wallet_id = await make_customer(runtime, "acme", "Acme Corp")
    now, settings = runtime.clock.now(), runtime.settings
    found = await rows(runtime, "SELECT id FROM customers WHERE external_id = 'acme'")
    async with runtime.db.transaction() as session:
        await add(session, MethodInput(found[0].id, "pm_sandbox_ok"), settings, now)
        recharge = await top_up(session, TopUpRequest(wallet_id, "buy", "1000"), settings, now)
        assert recharge.invoice_id is not None
        await settlement.mark_paid(session, recharge.invoice_id, settings, now)
    return wallet_id, recharge.invoice_id


async def test_refund_credits_from_the_invoice_page(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id, invoice_id = await paid_purchase(runtime)
    await user.open(f"/console/invoices/{invoice_id}")
    await user.should_see("TLY-000001 ·", retries=30)

    user.find(marker="refund").click()
    user.find(marker="refund-credits").type("1500")
    user.find(marker="refund-next").click()
    await user.should_see("Refund 1,500 credits of TLY-000001?", retries=20)
    user.find(marker="refund-next").click()
    message = await eventually_error(user, "refund-credits")
    assert (
        message
        == "Only 1,000 unused credits of this purchase can be refunded. Enter a smaller amount."
    )
    assert await rows(runtime, "SELECT id FROM refunds") == []

    user.find(marker="refund-credits").clear()
    user.find(marker="refund-credits").type("400")
    user.find(marker="refund-reason").type("bought too many")
    user.find(marker="refund-next").click()
    user.find(marker="refund-next").click()
    assert await eventually(lambda: table_rows(user, "refund-rows")[0]["number"] == "CN-000001")
    [row] = table_rows(user, "refund-rows")
    assert row["credits"] == "400"
    assert row["amount"] == "4.00 USD"
    assert row["status"] == "to return outside Tally"
    assert row["reason"] == "bought too many"
    assert await balance(runtime, wallet_id) == Decimal(600)
