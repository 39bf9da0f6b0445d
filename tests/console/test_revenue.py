"""The revenue page: the months' figures at the cost basis, a chart, and the CSV."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from app.runtime import Runtime
from tests.console.support import eventually, table_rows
from tests.console.test_refunds import paid_purchase


async def test_the_revenue_page_shows_the_months_and_offers_the_csv(
    logged_in: User, runtime: Runtime
) -> None:
    user = logged_in
    await paid_purchase(runtime)  # 1,000 credits for 10.00 USD, in January 2026
    await user.open("/console/revenue?start=2026-01&end=2026-02")
    assert await eventually(lambda: len(table_rows(user, "revenue")) == 2)
    january, february = table_rows(user, "revenue")
    assert january["month"] == "2026-01 USD"
    assert january["sold"] == "10.00 USD"
    assert january["recognized"] == "0.00 USD"
    assert january["deferred"] == "10.00 USD"
    assert february["sold"] == "0.00 USD" and february["deferred"] == "10.00 USD"
    assert [e for e in user.find(marker="revenue-chart").elements if isinstance(e, ui.echart)]
    user.find(marker="revenue-csv").click()
    await user.should_see("Revenue")
