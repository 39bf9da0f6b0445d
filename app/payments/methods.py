"""Payment methods on file: add (the first becomes the default), choose the default, resolve.

Changes to one customer's methods hold the customer's row lock, so two requests cannot both
make a default (a partial unique index also refuses a second default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.errors import check_length
from app.payments import providers, repository
from app.payments.errors import Conflict, NotFound, ValidationFailed
from app.payments.models import PaymentMethod


@dataclass(frozen=True)
class MethodInput:
    customer_id: int
    reference: str
    provider: str | None = None  # default: the configured provider
    provider_customer: str | None = None  # Stripe's customer id ("cus_…")
    label: str = ""
    make_default: bool = False


async def add(
    session: AsyncSession, data: MethodInput, settings: Settings, now: datetime
) -> PaymentMethod:
    name = (data.provider or settings.payment_provider).strip().lower()
    provider = providers.build(name, settings)
    reference = check_length(data.reference, "reference", 255)
    problem = provider.check_method(reference)
    if problem is not None:
        raise ValidationFailed("reference", problem, code="unknown_payment_method")
    existing = await _lock_methods(session, data.customer_id)
    if any(m.provider == name and m.reference == reference for m in existing):
        raise Conflict("reference", f"{reference} is already on file", code="duplicate")
    method = PaymentMethod(
        customer_id=data.customer_id,
        provider=name,
        reference=reference,
        provider_customer=_optional(data.provider_customer, "providerCustomer"),
        label=check_length(data.label, "label", 255, required=False),
        created_at=now,
    )
    session.add(method)
    await session.flush()
    if data.make_default or not existing:
        await _make_default(session, method, existing)
    return method


async def set_default(session: AsyncSession, customer_id: int, method_id: int) -> PaymentMethod:
    methods = await _lock_methods(session, customer_id)
    method = next((m for m in methods if m.id == method_id), None)
    if method is None:
        raise NotFound("paymentMethodId", f"the customer has no payment method {method_id}")
    await _make_default(session, method, methods)
    return method


async def resolve(
    session: AsyncSession, customer_id: int, method_id: int | None, field: str
) -> PaymentMethod:
    """The method to charge: the one named (it must be the customer's), else the default."""
    methods = await repository.methods_of(session, customer_id)
    if method_id is not None:
        chosen = next((m for m in methods if m.id == method_id), None)
        if chosen is None:
            raise NotFound(field, f"the customer has no payment method {method_id}")
        return chosen
    default = next((m for m in methods if m.is_default), None)
    if default is None:
        raise ValidationFailed(
            field, "the customer has no default payment method", code="no_payment_method"
        )
    return default


async def _lock_methods(session: AsyncSession, customer_id: int) -> list[PaymentMethod]:
    found = await (await session.connection()).execute(
        text("SELECT id FROM customers WHERE id = :c FOR UPDATE"), {"c": customer_id}
    )
    if found.first() is None:
        raise NotFound("customerExternalId", f"no customer with id {customer_id}")
    return await repository.methods_of(session, customer_id)


async def _make_default(
    session: AsyncSession, method: PaymentMethod, methods: list[PaymentMethod]
) -> None:
    """Clear the old default first (flushed), then set the new one: the index allows one."""
    for other in methods:
        if other.is_default and other is not method:
            other.is_default = False
            session.add(other)
    await session.flush()
    method.is_default = True
    session.add(method)
    await session.flush()


def _optional(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    return check_length(value, field, 255)
