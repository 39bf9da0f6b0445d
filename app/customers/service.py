"""Customer use cases. Services validate, flush and never commit (the edge does)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.customers import repository
from app.customers.errors import Conflict, ValidationFailed
from app.customers.models import EMAIL_MAX, EXTERNAL_ID_MAX, NAME_MAX, Customer
from app.errors import check_length

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UNSET: Any = object()


@dataclass
class CustomerInput:
    external_id: str
    name: str
    currency: str
    billing_email: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def _email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    text = check_length(value, "billingEmail", EMAIL_MAX)
    if not EMAIL.match(text):
        raise ValidationFailed("billingEmail", f"'{text}' is not an email address")
    return text


def _metadata(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("metadata", "must be a JSON object")
    return value


async def create(session: AsyncSession, data: CustomerInput, now: datetime) -> Customer:
    customer = Customer(
        external_id=check_length(data.external_id, "externalId", EXTERNAL_ID_MAX),
        name=check_length(data.name, "name", NAME_MAX),
        billing_email=_email(data.billing_email),
        currency=money.normalize_currency(data.currency),
        metadata_=_metadata(data.metadata),
        created_at=now,
        updated_at=now,
    )
    if await repository.by_external_id(session, customer.external_id) is not None:
        raise _duplicate(customer.external_id)
    try:
        async with session.begin_nested():
            session.add(customer)
            await session.flush()
    except IntegrityError:  # a concurrent create won the race for the unique key
        raise _duplicate(customer.external_id) from None
    return customer


def _duplicate(external_id: str) -> Conflict:
    return Conflict(
        "externalId", f"a customer with external id '{external_id}' exists", code="duplicate"
    )


async def update(
    session: AsyncSession,
    external_id: str,
    now: datetime,
    *,
    name: str | None = None,
    billing_email: str | None = UNSET,
    metadata: dict[str, Any] | None = None,
) -> Customer:
    customer = await repository.get_by_external_id(session, external_id, "externalId")
    if name is not None:
        customer.name = check_length(name, "name", NAME_MAX)
    if billing_email is not UNSET:
        customer.billing_email = _email(billing_email)
    if metadata is not None:
        customer.metadata_ = _metadata(metadata)
    customer.updated_at = now
    session.add(customer)
    await session.flush()
    return customer
