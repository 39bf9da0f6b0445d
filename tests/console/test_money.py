"""Grant and void from the customer page: confirmation, second confirmation for large grants,
one grant per dialog however often Grant is clicked, errors that write nothing, viewers, and the
balance moving live when usage arrives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from nicegui import ui
from nicegui.testing import User

from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause, Usage
from app.wallets.models import CauseType
from tests.console.conftest import log_in
from tests.console.support import (
    balance,
    error_of,
    eventually_error,
    make_customer,
    rows,
    table_rows,
)


async def open_acme(user: User, runtime: Runtime, credits: str = "1000") -> int:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", credits)
    await user.open("/console/customers/acme")
    await user.should_see(marker="balance-sentence", retries=30)
    return wallet_id


def fill(user: User, verb: str, amount: str, reason: str) -> None:
    user.find(marker=verb).click()
    user.find(marker=f"{verb}-amount").type(amount)
    user.find(marker=f"{verb}-reason").type(reason)
    user.find(marker=f"{verb}-next").click()


async def test_grant_after_confirmation(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime)
    fill(user, "grant", "500", "goodwill")
    await user.should_see("Grant 500 credits (worth about 5.00 USD) to Acme Corp.", retries=30)
    assert await balance(runtime, wallet_id) == 1000  # nothing before the confirmation
    user.find(marker="grant-next").click()
    await user.should_see("Acme Corp has 1,500 credits left", retries=30)
    assert await balance(runtime, wallet_id) == 1500
    audit = await rows(runtime, "SELECT summary, reason FROM audit_log WHERE action='grantCredits'")
    assert [(a.summary, a.reason) for a in audit] == [
        ("admin@tally.test granted 500 credits to Acme Corp — reason: goodwill", "goodwill")
    ]
    cause = await rows(runtime, "SELECT cause_type, cause_id FROM ledger_entries ORDER BY id DESC")
    assert cause[0].cause_type == "operator" and cause[0].cause_id.startswith("operator:")
    assert table_rows(user, "ledger")[0]["change"] == "+500"


async def test_a_large_grant_asks_twice(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime)
    fill(user, "grant", "25,000", "enterprise deal")
    await user.should_see("Grant 25,000 credits", retries=30)
    user.find(marker="grant-next").click()
    await user.should_see(
        "This is a large amount: 25,000 credits (worth about 250.00 USD).", retries=30
    )
    assert await balance(runtime, wallet_id) == 1000
    user.find(marker="grant-next").click()
    await user.should_see("Acme Corp has 26,000 credits left", retries=30)


async def test_double_click_grants_once(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime)
    fill(user, "grant", "300", "refund")
    await user.should_see("Yes, grant 300 credits", retries=30)
    button = user.find(marker="grant-next")
    button.click()
    button.click()
    await user.should_see("Acme Corp has 1,300 credits left", retries=30)
    assert await balance(runtime, wallet_id) == 1300
    grants = await rows(runtime, "SELECT id FROM grants WHERE wallet_id = :w", w=wallet_id)
    assert len(grants) == 2  # the setup grant and one more
    audit = await rows(runtime, "SELECT id FROM audit_log WHERE action = 'grantCredits'")
    assert len(audit) == 1


async def test_a_non_numeric_amount_writes_nothing(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime)
    fill(user, "grant", "five hundred", "")
    assert await eventually_error(user, "grant-amount") == (
        "“five hundred” is not a number. Type digits only, like 500."
    )
    assert error_of(user, "grant-reason") == (
        "Say why, in a few words (for example: goodwill, refund)."
    )
    assert await balance(runtime, wallet_id) == 1000
    assert await rows(runtime, "SELECT id FROM audit_log WHERE action = 'grantCredits'") == []


async def test_voiding_more_than_the_balance_is_refused(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime, "200")
    fill(user, "void", "500", "cleanup")
    await user.should_see("Remove 500 credits from Acme Corp.", retries=30)
    user.find(marker="void-next").click()
    message = await eventually_error(user, "void-amount")
    assert message is not None and "200" in message, message
    assert await balance(runtime, wallet_id) == 200
    assert await rows(runtime, "SELECT id FROM audit_log WHERE action = 'voidCredits'") == []


async def test_void(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime, "200")
    fill(user, "void", "50", "duplicate grant")
    user.find(marker="void-next").click()
    await user.should_see("Acme Corp has 150 credits left", retries=30)
    assert await balance(runtime, wallet_id) == 150
    audit = await rows(runtime, "SELECT summary FROM audit_log WHERE action = 'voidCredits'")
    assert audit[0].summary == (
        "admin@tally.test voided 50 credits from Acme Corp — reason: duplicate grant"
    )


async def test_a_viewer_cannot_grant(user: User, viewer: tuple[str, str], runtime: Runtime) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "1000")
    await log_in(user, viewer, "/console/customers/acme")
    await user.should_see("Read only: ask an admin to grant or remove credits.", retries=30)
    await user.should_not_see(marker="grant")
    await user.should_not_see(marker="new-customer")


async def test_the_schema_refuses_a_viewer(runtime: Runtime) -> None:
    """The console's buttons are hidden from viewers; the schema itself refuses them too."""
    import console
    from console.api import Refused
    from console.login.auth import caller_of
    from console.wallets.credits import GRANT
    from graphql_schema.context import OperatorIdentity
    from tests.console.conftest import VIEWER, make_operator

    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    operator_id = await make_operator(runtime, *VIEWER, "viewer")
    app_console = console.setup(runtime)
    caller = caller_of(OperatorIdentity(operator_id, VIEWER[0], "viewer"))
    variables = {
        "input": {"walletId": str(wallet_id), "amount": "5", "idempotencyKey": "k", "reason": "x"}
    }
    try:
        await app_console.execute(caller, GRANT, variables)
    except Refused as refused:
        assert refused.message == (
            "Your role (viewer) can look but not change anything. Ask an admin to do this."
        )
    else:
        raise AssertionError("a viewer granted credits")
    assert await balance(runtime, wallet_id) == 1000


async def test_the_balance_moves_live(
    logged_in: User, runtime: Runtime, publish: Callable[[], Awaitable[int]]
) -> None:
    user = logged_in
    wallet_id = await open_acme(user, runtime)
    await user.should_see("Acme Corp has 1,000 credits left", retries=30)
    async with runtime.db.transaction() as session:
        await wallets.burn(
            session,
            wallet_id,
            Decimal(250),
            description="−250 credits · 5 reports generated",
            cause=Cause(CauseType.EVENT_BATCH, "live-test"),
            now=runtime.clock.now(),
            usage=Usage("report", Decimal(5), "reports generated"),
        )
    assert await publish() >= 1
    await user.should_see("Acme Corp has 750 credits left", retries=30)
    assert table_rows(user, "ledger")[0]["detail"] == "−250 credits · 5 reports generated"


async def test_alerts_and_auto_recharge_on_the_customer_page(
    logged_in: User, runtime: Runtime
) -> None:
    user = logged_in
    await open_acme(user, runtime)
    await user.should_see("The standard alerts: at 50 %, 25 % and 10 % left", retries=30)
    user.find(marker="alert-value").type("twenty")
    user.find(marker="add-alert").click()
    assert await eventually_error(user, "alert-value") == "Type a number, like 20."
    user.find(marker="alert-value").clear().type("20")
    user.find(marker="add-alert").click()
    await user.should_see("Alert added.", retries=30)
    labels = [e.text for e in user.find(marker="alert").elements if isinstance(e, ui.label)]
    assert any("20" in label for label in labels), labels
    await user.should_see("Off: credits are only bought by hand.", retries=30)
    audit = await rows(runtime, "SELECT summary FROM audit_log WHERE action='addAlertThreshold'")
    assert audit[0].summary == (
        "admin@tally.test changed the spend alerts of Acme Corp — spend alerts: 50 %, 25 %, 10 %"
        " → 50 %, 25 %, 20 %, 10 %"
    )
