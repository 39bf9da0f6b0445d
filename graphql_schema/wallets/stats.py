"""Figures for dashboards: daily consumption and what is outstanding per currency."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.access.models import Scope
from app.customers import repository as customers
from app.errors import ValidationFailed
from app.wallets import repository
from graphql_schema.context import Info
from graphql_schema.errors import Forbidden
from graphql_schema.fields import field
from graphql_schema.money import Money
from graphql_schema.permissions import CanRead, CanReadCustomer, require_visible
from graphql_schema.scalars import Credits

MAX_DAYS = 366


@strawberry.type(description="Credits consumed on one day (UTC).")
class DailyConsumption:
    day: date
    credits: Credits


@strawberry.type(description="What one customer consumed of one metric.")
class CustomerMetricUsage:
    metric_code: str
    unit_label: str | None
    units: Decimal
    credits: Credits


@strawberry.type(description="All wallets in one currency.")
class WalletTotals:
    currency: str
    wallets: int
    credits_outstanding: Credits = strawberry.field(
        description="Credits customers still hold (positive balances)."
    )
    debt: Credits = strawberry.field(description="Credits used beyond the grants.")
    value_outstanding: Money = strawberry.field(description="Money value of the credits held.")


@strawberry.type
class WalletStatsQueries:
    @field(
        permission_classes=[CanReadCustomer],
        description="Credits consumed per day over the last `days` days (today included), "
        "oldest first, zero-filled; all customers, or one (a customer token: only its own).",
    )
    async def consumption_by_day(
        self, info: Info, days: int = 30, customer_external_id: str | None = None
    ) -> list[DailyConsumption]:
        if not 1 <= days <= MAX_DAYS:
            raise ValidationFailed("days", f"`days` must be between 1 and {MAX_DAYS}")
        principal = info.context.principal
        if customer_external_id is None and (principal is None or not principal.can(Scope.READ)):
            raise Forbidden("pass customerExternalId: this caller sees only its own customer")
        today = info.context.now.date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, time.min, tzinfo=info.context.now.tzinfo)

        async def work(session: AsyncSession) -> list[DailyConsumption]:
            customer_id = None
            if customer_external_id is not None:
                customer = await customers.get_by_external_id(session, customer_external_id)
                assert customer.id is not None
                require_visible(info, customer.id, f"customer '{customer_external_id}'")
                customer_id = customer.id
            rows = await repository.consumption_by_day(session, since, customer_id)
            found = {r.day: Decimal(r.credits) for r in rows}
            return [
                DailyConsumption(day=d, credits=found.get(d, Decimal(0)))
                for d in (first + timedelta(days=n) for n in range(days))
            ]

        return await info.context.run(work)

    @field(
        permission_classes=[CanReadCustomer],
        description="A customer's consumption per metric over the last `days` days, most "
        "credits first (a customer token: only its own).",
    )
    async def usage_by_metric(
        self, info: Info, customer_external_id: str, days: int = 30
    ) -> list[CustomerMetricUsage]:
        if not 1 <= days <= MAX_DAYS:
            raise ValidationFailed("days", f"`days` must be between 1 and {MAX_DAYS}")
        since = info.context.now - timedelta(days=days)

        async def work(session: AsyncSession) -> list[CustomerMetricUsage]:
            customer = await customers.get_by_external_id(session, customer_external_id)
            assert customer.id is not None
            require_visible(info, customer.id, f"customer '{customer_external_id}'")
            rows = await repository.usage_by_metric(session, customer.id, since)
            return [
                CustomerMetricUsage(
                    metric_code=r.metric_code,
                    unit_label=r.unit_label,
                    units=Decimal(r.units),
                    credits=Decimal(r.credits),
                )
                for r in rows
            ]

        return await info.context.run(work)

    @field(
        permission_classes=[CanRead],
        description="Credits outstanding, debt and their value, per currency.",
    )
    async def wallet_totals(self, info: Info) -> list[WalletTotals]:
        now = info.context.now
        rows = await info.context.run(lambda s: repository.totals_by_currency(s, now))
        return [
            WalletTotals(
                currency=r.currency,
                wallets=int(r.wallets),
                credits_outstanding=Decimal(r.outstanding),
                debt=Decimal(r.debt),
                value_outstanding=Money.of(
                    money.to_minor_units(Decimal(r.value), r.currency), r.currency
                ),
            )
            for r in rows
        ]
