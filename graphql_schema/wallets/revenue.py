"""The revenue report of prepaid credits (``revenueReport``): per month and currency, paid
credits sold, recognized, expired (breakage), refunded, voided and deferred, at their cost
basis; free credits apart. Rules: ``app/wallets/revenue.py``."""

from __future__ import annotations

from datetime import date

import strawberry

from app.wallets import revenue
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.money import Money
from graphql_schema.permissions import CanRead
from graphql_schema.scalars import Credits


@strawberry.type(description="Paid credits and what they are worth at their cost basis.")
class PaidFigure:
    credits: Credits
    amount: Money


@strawberry.type(description="Free credits (they carry no money).")
class FreeCredits:
    granted: Credits
    consumed: Credits
    expired: Credits
    voided: Credits = strawberry.field(description="Voided, refunded with a purchase, rolled.")
    outstanding: Credits = strawberry.field(description="Held at the month's end.")


@strawberry.type(
    description="One month (UTC) of one currency: opening deferred + sold + rolled in − "
    "recognized − breakage − refunded − voided − rolled out = closing deferred, exactly."
)
class RevenueMonth:
    month: str = strawberry.field(description='"2026-03"')
    currency: str
    opening_deferred: PaidFigure
    sold: PaidFigure
    recognized: PaidFigure = strawberry.field(description="Paid credits consumed.")
    breakage: PaidFigure = strawberry.field(description="Paid credits expired.")
    refunded: PaidFigure
    voided: PaidFigure
    rolled_in: PaidFigure
    rolled_out: PaidFigure
    closing_deferred: PaidFigure = strawberry.field(description="Paid credits not yet used.")
    free: FreeCredits


@strawberry.type
class RevenueReport:
    months: list[RevenueMonth]
    csv: str = strawberry.field(description="The same figures as CSV (money in major units).")


def _figure(paid: revenue.Paid, currency: str) -> PaidFigure:
    return PaidFigure(credits=paid.credits, amount=Money.of(paid.minor, currency))


def _month(row: revenue.RevenueMonth) -> RevenueMonth:
    c = row.currency
    return RevenueMonth(
        month=row.month.strftime("%Y-%m"),
        currency=c,
        opening_deferred=_figure(row.opening_deferred, c),
        sold=_figure(row.figure("sold"), c),
        recognized=_figure(row.figure("recognized"), c),
        breakage=_figure(row.figure("breakage"), c),
        refunded=_figure(row.figure("refunded"), c),
        voided=_figure(row.figure("voided"), c),
        rolled_in=_figure(row.figure("rolled_in"), c),
        rolled_out=_figure(row.figure("rolled_out"), c),
        closing_deferred=_figure(row.closing_deferred, c),
        free=FreeCredits(
            granted=row.free_figure("granted"),
            consumed=row.free_figure("consumed"),
            expired=row.free_figure("expired"),
            voided=row.free_figure("voided"),
            outstanding=row.free_closing,
        ),
    )


def months(start: str, end: str) -> list[date]:
    return revenue.check_range(
        revenue.parse_month(start, "fromMonth"),
        revenue.parse_month(end, "toMonth"),
        last_field="toMonth",
    )


@strawberry.type
class RevenueQueries:
    @field(
        permission_classes=[CanRead],
        description="Deferred, recognized, breakage, refunded revenue of prepaid credits per "
        "month (UTC) and currency, from `fromMonth` to `toMonth` (months like 2026-03, at "
        "most 120).",
    )
    async def revenue_report(
        self,
        info: Info,
        from_month: str,
        to_month: str,
        currency: str | None = None,
    ) -> RevenueReport:
        wanted = months(from_month, to_month)
        code = None if currency is None else currency.strip().upper()
        now = info.context.now
        rows = await info.context.run(lambda s: revenue.report(s, wanted, code, now))
        return RevenueReport(months=[_month(r) for r in rows], csv=revenue.to_csv(rows))
