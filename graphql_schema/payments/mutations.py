from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.customers import repository as customers
from app.errors import NotFound
from app.payments import methods
from app.payments.methods import MethodInput
from app.payments.models import PaymentMethod as MethodModel
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.pagination import row_id
from graphql_schema.payments.types import PaymentMethod, PaymentProvider
from graphql_schema.permissions import IsAdminOrCustomer, require_visible


@strawberry.input
class AddPaymentMethodInput:
    customer_external_id: str
    reference: str = strawberry.field(
        description='The provider\'s id: "pm_sandbox_ok", "pm_sandbox_decline", '
        '"pm_sandbox_late_fail" in the sandbox; a Stripe PaymentMethod id ("pm_…").'
    )
    provider: PaymentProvider | None = strawberry.field(
        default=None, description="Default: the configured provider (TALLY_PAYMENT_PROVIDER)."
    )
    provider_customer: str | None = strawberry.field(
        default=None, description='Stripe: the Customer the method is attached to ("cus_…").'
    )
    label: str = ""
    make_default: bool = strawberry.field(
        default=False, description="The customer's first method is the default anyway."
    )


@strawberry.input
class SetDefaultPaymentMethodInput:
    customer_external_id: str
    payment_method_id: strawberry.ID


@strawberry.type
class PaymentMethodPayload:
    payment_method: MethodModel = strawberry.field(graphql_type=PaymentMethod)


PaymentMethodResult: TypeAlias = Annotated[
    PaymentMethodPayload | Failure, strawberry.union("PaymentMethodResult")
]


def method_id(value: strawberry.ID | None, field: str = "paymentMethodId") -> int | None:
    if value is None:
        return None
    found = row_id(value)
    if found is None:
        raise NotFound(field, f"no payment method {value}")
    return found


@strawberry.type
class PaymentMutations:
    @mutation(
        permission_classes=[IsAdminOrCustomer],
        description="Put a payment method on file (an admin key, or a customer token for "
        "its own customer).",
    )
    async def add_payment_method(
        self, info: Info, input: AddPaymentMethodInput
    ) -> PaymentMethodResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> PaymentMethodPayload:
            customer = await customers.get_by_external_id(session, input.customer_external_id)
            assert customer.id is not None
            require_visible(info, customer.id, f"customer {input.customer_external_id}")
            data = MethodInput(
                customer_id=customer.id,
                reference=input.reference,
                provider=input.provider.value if input.provider else None,
                provider_customer=input.provider_customer,
                label=input.label,
                make_default=input.make_default,
            )
            method = await methods.add(session, data, settings, now)
            return PaymentMethodPayload(payment_method=method)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdminOrCustomer],
        description="The method top-ups and recharges charge (an admin key, or a customer "
        "token for its own customer).",
    )
    async def set_default_payment_method(
        self, info: Info, input: SetDefaultPaymentMethodInput
    ) -> PaymentMethodResult:
        async def work(session: AsyncSession) -> PaymentMethodPayload:
            customer = await customers.get_by_external_id(session, input.customer_external_id)
            assert customer.id is not None
            require_visible(info, customer.id, f"customer {input.customer_external_id}")
            chosen = method_id(input.payment_method_id)
            assert chosen is not None
            method = await methods.set_default(session, customer.id, chosen)
            return PaymentMethodPayload(payment_method=method)

        return await attempt(info, work)
