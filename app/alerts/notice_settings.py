"""A wallet's own expiry-notice lead times and runway alert terms (None: the global setting).
Changed under the wallet's row lock, as the spend-alert levels are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app import wallets
from app.alerts.models import NoticeSettings
from app.errors import NotFound, ValidationFailed

MAX_DAYS = 365
MAX_LEADS = 10
MAX_WINDOW = 90


def _days(value: int | None, field: str, top: int) -> int | None:
    if value is not None and not 1 <= value <= top:
        raise ValidationFailed(field, f"must be between 1 and {top} days")
    return value


def _leads(values: Sequence[int] | None) -> list[int] | None:
    if values is None:
        return None
    if len(values) > MAX_LEADS:
        raise ValidationFailed("expiryLeadDays", f"at most {MAX_LEADS} lead times")
    for value in values:
        _days(value, "expiryLeadDays", MAX_DAYS)
    if len(set(values)) != len(values):
        raise ValidationFailed("expiryLeadDays", "lists a lead time twice")
    return sorted(values, reverse=True)


async def set_notices(
    session: AsyncSession,
    wallet_id: int,
    *,
    expiry_lead_days: Sequence[int] | None,
    runway_threshold_days: int | None,
    runway_window_days: int | None,
    now: datetime,
) -> NoticeSettings:
    row = NoticeSettings(
        wallet_id=wallet_id,
        expiry_lead_days=_leads(expiry_lead_days),
        runway_threshold_days=_days(runway_threshold_days, "runwayThresholdDays", MAX_DAYS),
        runway_window_days=_days(runway_window_days, "runwayWindowDays", MAX_WINDOW),
        updated_at=now,
    )
    if await wallets.lock_wallet(session, wallet_id) is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    return await session.merge(row)
