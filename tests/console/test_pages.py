"""The other pages: dashboard, API keys, operators, audit log, and the API's pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

from nicegui import ui
from nicegui.testing import User

from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause, Usage
from app.wallets.models import CauseType
from tests.console.conftest import VIEWER, log_in
from tests.console.support import (
    eventually,
    eventually_error,
    make_customer,
    rows,
    table_rows,
    the,
)


async def burn(runtime: Runtime, wallet_id: int, credits: int) -> None:
    async with runtime.db.transaction() as session:
        await wallets.burn(
            session,
            wallet_id,
            Decimal(credits),
            description=f"−{credits} credits",
            cause=Cause(CauseType.EVENT_BATCH, f"burn-{credits}-{runtime.clock.now()}"),
            now=runtime.clock.now(),
            usage=Usage("api_call", Decimal(credits), "API calls"),
        )


async def test_dashboard_figures_and_pace(
    user: User, admin: tuple[str, str], runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "5000")
    for _ in range(7):
        await burn(runtime, wallet_id, 70)
        clock.advance(timedelta(days=1))
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    await user.should_see("4,510 credits", retries=30)
    await user.should_see("worth 45.10 USD, held by customers", retries=30)
    await user.should_see(
        "60 credits", retries=30
    )  # 7 × 70 = 490 over the last 7 days (one today: 0)
    await user.open("/console/customers/acme")
    await user.should_see(
        "Acme Corp has 4,510 credits left — about 75 days at the current pace", retries=30
    )


async def test_api_keys_are_shown_once_and_revoked(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    await user.open("/console/api-keys")
    user.find(marker="key-name").type("billing backend")
    user.find(marker="create-key").click()
    await user.should_see("Copy the key now", retries=30)
    secret = the(user, "new-secret", ui.input).value
    assert secret.startswith("tly_")
    assert await eventually(lambda: len(table_rows(user, "api-keys")) == 1)
    assert table_rows(user, "api-keys")[0]["status"] == "active"
    await user.open("/console/api-keys")
    assert secret not in str(table_rows(user, "api-keys"))
    choice = the(user, "revoke-choice", ui.select)
    assert isinstance(choice.options, dict)
    choice.value = next(k for k, v in choice.options.items() if v == "billing backend")
    user.find(marker="revoke").click()
    await user.should_see(marker="confirm-revoke", retries=20)
    user.find(marker="confirm-revoke").click()
    assert await eventually(lambda: "revoked" in table_rows(user, "api-keys")[0]["status"])
    audit = await rows(runtime, "SELECT summary FROM audit_log WHERE action LIKE '%ApiKey'")
    assert [a.summary for a in audit] == [
        "admin@tally.test created the API key “billing backend” (scopes: read)",
        "admin@tally.test revoked the API key “billing backend”",
    ]


async def test_operators_are_added_and_disabled(
    logged_in: User, runtime: Runtime, user: User
) -> None:
    await logged_in.open("/console/operators")
    logged_in.find(marker="operator-email").type("Sam@Tally.test")
    logged_in.find(marker="operator-password").type("short")
    logged_in.find(marker="create-operator").click()
    assert await eventually_error(logged_in, "operator-password") == ("Use at least 10 characters.")
    logged_in.find(marker="operator-password").clear().type("long-enough-pw")
    logged_in.find(marker="create-operator").click()
    assert await eventually(lambda: len(table_rows(logged_in, "operators")) == 2)
    assert table_rows(logged_in, "operators")[1]["email"] == "sam@tally.test"
    logged_in.find(marker="disable-sam@tally.test").click()
    assert await eventually(lambda: table_rows(logged_in, "operators")[1]["status"] == "disabled")
    found = await rows(runtime, "SELECT password_hash FROM operators WHERE email='sam@tally.test'")
    assert found[0].password_hash.startswith("$argon2id$")
    audit = await rows(runtime, "SELECT summary FROM audit_log WHERE action LIKE '%Operator'")
    assert [a.summary for a in audit] == [
        "admin@tally.test added the operator sam@tally.test as viewer",
        "admin@tally.test disabled the operator sam@tally.test",
    ]


async def test_the_last_admin_cannot_be_disabled(runtime: Runtime) -> None:
    from app.errors import Conflict
    from app.operators import service
    from tests.console.conftest import ADMIN, make_operator

    operator_id = await make_operator(runtime, *ADMIN, "admin")
    async with runtime.db.transaction() as session:
        try:
            await service.set_disabled(session, operator_id, True, runtime.clock.now())
        except Conflict as error:
            assert "last active admin" in error.message
        else:
            raise AssertionError("the last admin was disabled")


async def test_viewers_see_no_admin_pages(user: User, runtime: Runtime) -> None:
    from tests.console.conftest import make_operator

    await make_operator(runtime, *VIEWER, "viewer")
    await log_in(user, VIEWER)
    await user.should_see("Viewer (read only)", retries=30)
    await user.should_not_see("API keys")
    await user.open("/console/api-keys")
    await user.should_see("Your role (viewer) can look but not change anything", retries=30)


async def test_the_audit_log_pages(logged_in: User, runtime: Runtime) -> None:
    await make_customer(runtime, "acme", "Acme Corp")
    for n in range(55):
        async with runtime.db.transaction() as session:
            from app.audit import service
            from app.audit.models import ActorKind

            await service.record(
                session,
                service.Actor(ActorKind.SYSTEM, "system"),
                service.Action("test", f"line {n}", customer_external_id="acme"),
                runtime.clock.now(),
            )
    await logged_in.open("/console/audit")
    assert table_rows(logged_in, "audit")[0]["summary"] == "line 54"
    assert len(table_rows(logged_in, "audit")) == 50
    logged_in.find(marker="older").click()
    # 55 lines; the operator's login is hidden by default
    assert await eventually(lambda: len(table_rows(logged_in, "audit")) == 55)
    await logged_in.open("/console/audit?customer=acme")
    await logged_in.should_see("Audit log · acme", retries=30)


async def test_the_api_pages_render(logged_in: User, runtime: Runtime) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    for path, words in (
        ("/console/invoices", "No invoices yet"),
        ("/console/plans", "No plans yet."),
        ("/console/webhooks", "No endpoints yet"),
        ("/console/emails", "No emails yet."),
    ):
        await logged_in.open(path)
        await logged_in.should_see(words, retries=30)


async def test_live_updates_reach_the_dashboard_figures(
    logged_in: User, runtime: Runtime, publish: Callable[[], Awaitable[int]]
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "100")
    await burn(runtime, wallet_id, 30)
    await publish()
    await logged_in.open("/console")
    await logged_in.should_see("70 credits", retries=30)
