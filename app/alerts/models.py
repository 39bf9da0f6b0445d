"""Spend-alert tables (their names keep the API's word, "thresholds"; the code says levels).

* ``alert_settings``: present when a wallet's levels were chosen by hand; a wallet without
  one uses the defaults (50, 25 and 10 % remaining), so new wallets need no rows at all.
* ``alert_thresholds`` (``AlertLevel``): the chosen percentages and absolute levels of such
  wallets.
* ``alert_states``: the levels that have fired and not re-armed (the balance is still below
  them). A row appears when a level fires and goes when the balance is above it again.
* ``alert_firings``: the history, one row per firing, with the figures at that moment.

"Depleted" (balance at or below zero) is a level every wallet has; it is never stored.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ARRAY, BigInteger, Index, Integer, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, credits_field, enum_field, fk, id_field, timestamp


class AlertKind(StrEnum):
    PERCENT = "percent"  # of the reference balance (right after the latest credit addition)
    ABSOLUTE = "absolute"  # a number of credits
    DEPLETED = "depleted"  # the balance reached zero


KIND_COLUMN = SAEnum(
    AlertKind,
    native_enum=False,
    length=24,
    values_callable=lambda members: [m.value for m in members],
    validate_strings=True,
)


class AlertSettings(SQLModel, table=True):
    __tablename__ = "alert_settings"

    wallet_id: int = Field(primary_key=True, foreign_key="wallets.id", sa_type=BigInteger)
    updated_at: datetime = timestamp()


class AlertLevel(SQLModel, table=True):
    __tablename__ = "alert_thresholds"
    __table_args__ = (UniqueConstraint("wallet_id", "kind", "value"),)

    id: int | None = id_field()
    wallet_id: int = fk("wallets.id", index=False)
    kind: AlertKind = enum_field(AlertKind)
    value: Decimal = Field(sa_type=CREDITS)
    created_at: datetime = timestamp()


class AlertState(SQLModel, table=True):
    __tablename__ = "alert_states"

    wallet_id: int = Field(primary_key=True, foreign_key="wallets.id", sa_type=BigInteger)
    kind: AlertKind = Field(primary_key=True, sa_type=KIND_COLUMN)
    value: Decimal = Field(primary_key=True, sa_type=CREDITS)
    fired_at: datetime = timestamp()


class AlertFiring(SQLModel, table=True):
    __tablename__ = "alert_firings"
    __table_args__ = (Index("ix_alert_firings_wallet_id_desc", "wallet_id", text("id DESC")),)

    id: int | None = id_field()
    wallet_id: int = fk("wallets.id", index=False)
    kind: AlertKind = enum_field(AlertKind)
    value: Decimal = Field(sa_type=CREDITS)  # the percentage or the credits it was set at
    level: Decimal = Field(sa_type=CREDITS)  # the balance it stood for when it fired
    balance: Decimal = Field(sa_type=CREDITS)
    reference_balance: Decimal = credits_field(Decimal(0))
    fired_at: datetime = timestamp()
    notified_at: datetime | None = timestamp(nullable=True)


class NoticeSettings(SQLModel, table=True):
    """A wallet's own expiry-notice lead times and runway alert terms (NULL: the global
    settings ``expiry_notice_days``, ``runway_threshold_days``, ``runway_window_days``)."""

    __tablename__ = "notice_settings"

    wallet_id: int = Field(primary_key=True, foreign_key="wallets.id", sa_type=BigInteger)
    expiry_lead_days: list[int] | None = Field(default=None, sa_type=ARRAY(Integer))
    runway_threshold_days: int | None = Field(default=None, sa_type=Integer)
    runway_window_days: int | None = Field(default=None, sa_type=Integer)
    updated_at: datetime = timestamp()


class ExpiryNotice(SQLModel, table=True):
    """One notice per grant and lead time: "500 credits expire in 7 days"."""

    __tablename__ = "expiry_notices"
    __table_args__ = (
        UniqueConstraint("grant_id", "lead_days"),
        Index("ix_expiry_notices_wallet_id", "wallet_id", text("id DESC")),
    )

    id: int | None = id_field()
    wallet_id: int = fk("wallets.id", index=False)
    grant_id: int = fk("grants.id", index=False)
    lead_days: int = Field(sa_type=Integer)
    credits: Decimal = Field(sa_type=CREDITS)
    expires_at: datetime = timestamp()
    sent_at: datetime = timestamp()


class RunwayState(SQLModel, table=True):
    """Present while a wallet's runway alert has fired and not re-armed (the runway is still
    below the threshold)."""

    __tablename__ = "runway_states"

    wallet_id: int = Field(primary_key=True, foreign_key="wallets.id", sa_type=BigInteger)
    days: Decimal = Field(sa_type=CREDITS)  # the runway when it fired
    daily_burn: Decimal = Field(sa_type=CREDITS)
    runs_out_at: datetime = timestamp()
    fired_at: datetime = timestamp()
