"""Column helpers shared by every domain's models."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field

CREDITS = Numeric(24, 6, asdecimal=True)
RATE = Numeric(24, 12, asdecimal=True)


def id_field() -> Any:
    return Field(default=None, primary_key=True, sa_type=BigInteger)


def fk(target: str, *, index: bool = True, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        foreign_key=target,
        sa_type=BigInteger,
        index=index,
        nullable=nullable,
    )


def credits_field(default: Decimal | None = None, *, nullable: bool = False) -> Any:
    return Field(default=default, sa_type=CREDITS, nullable=nullable)


def timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_type=DateTime(timezone=True),
        nullable=nullable,
        index=index,
    )


def enum_field(enum: type[StrEnum], default: StrEnum | None = None) -> Any:
    """Stored as VARCHAR holding the enum's value (SQL functions write those values)."""
    column_type = SAEnum(
        enum,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
    return Field(default=default if default is not None else ..., sa_type=column_type)
