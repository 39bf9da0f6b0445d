from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db.types import enum_field, id_field, timestamp

EMAIL_MAX = 320


class Role(StrEnum):
    ADMIN = "admin"  # reads and acts
    VIEWER = "viewer"  # reads only


class Operator(SQLModel, table=True):
    """A console login. Only an argon2id hash of the password is stored."""

    __tablename__ = "operators"

    id: int | None = id_field()
    email: str = Field(max_length=EMAIL_MAX, unique=True)
    password_hash: str = Field(max_length=255)
    role: Role = enum_field(Role, Role.VIEWER)
    created_at: datetime = timestamp()
    last_login_at: datetime | None = timestamp(nullable=True)
    disabled_at: datetime | None = timestamp(nullable=True)

    @property
    def active(self) -> bool:
        return self.disabled_at is None


class LoginThrottle(SQLModel, table=True):
    """Console logins that failed in a row, for one email (``email:…``) or one client address
    (``address:…``), and until when the next attempt must wait."""

    __tablename__ = "login_throttles"

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    last_failure_at: datetime = timestamp()
    locked_until: datetime | None = timestamp(nullable=True)
