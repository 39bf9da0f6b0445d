from __future__ import annotations

import strawberry

from app.customers import repository as customers
from app.payments import repository
from app.payments.models import PaymentMethod as MethodModel
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.payments.types import PaymentMethod
from graphql_schema.permissions import CanReadCustomer, require_visible


@strawberry.type
class PaymentQueries:
    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=list[PaymentMethod],
        description="A customer's payment methods on file.",
    )
    async def payment_methods(self, info: Info, customer_external_id: str) -> list[MethodModel]:
        customer = await info.context.run(
            lambda s: customers.get_by_external_id(s, customer_external_id)
        )
        assert customer.id is not None
        customer_id = customer.id
        require_visible(info, customer_id, f"customer {customer_external_id}")
        return await info.context.run(lambda s: repository.methods_of(s, customer_id))
