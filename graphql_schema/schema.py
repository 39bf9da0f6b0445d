"""The schema: every domain's queries and mutations, with the operation-level extensions."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from app.logs import REQUEST_ID
from graphql_schema.access.mutations import AccessMutations
from graphql_schema.access.queries import AccessQueries
from graphql_schema.alerts.mutations import AlertMutations
from graphql_schema.alerts.queries import AlertQueries
from graphql_schema.alerts.runway import CreditNoticeMutations
from graphql_schema.audit.queries import AuditQueries
from graphql_schema.audit.trail import AuditTrail
from graphql_schema.billing.mutations import BillingMutations
from graphql_schema.billing.switches import SwitchMutations, SwitchQueries
from graphql_schema.context import Context
from graphql_schema.customers.mutations import CustomerMutations
from graphql_schema.customers.queries import CustomerQueries
from graphql_schema.errors import ERROR_TYPES, MaskUnexpected, should_mask
from graphql_schema.inputs import EdgeChecks
from graphql_schema.invoices.mutations import InvoiceMutations
from graphql_schema.invoices.queries import InvoiceQueries
from graphql_schema.limits import Limits, Memo, OperationLimits
from graphql_schema.live.alerts import AlertSubscriptions
from graphql_schema.live.invoices import InvoiceSubscriptions
from graphql_schema.live.notices import NoticeSubscriptions
from graphql_schema.live.sharing import SharingExecutionContext
from graphql_schema.live.wallets import WalletSubscriptions
from graphql_schema.metering.mutations import MeteringMutations
from graphql_schema.metering.queries import MeteringQueries
from graphql_schema.notifications.queries import NotificationQueries
from graphql_schema.operators.mutations import OperatorMutations
from graphql_schema.operators.queries import OperatorQueries
from graphql_schema.payments.mutations import PaymentMutations
from graphql_schema.payments.queries import PaymentQueries
from graphql_schema.plans.mutations import PlanMutations
from graphql_schema.plans.queries import PlanQueries
from graphql_schema.portal.mutations import PortalMutations
from graphql_schema.recharge.mutations import RechargeMutations
from graphql_schema.recharge.queries import RechargeQueries
from graphql_schema.recharge.refunds import RefundMutations, RefundQueries
from graphql_schema.scalars import SCALARS
from graphql_schema.wallets.mutations import WalletMutations
from graphql_schema.wallets.queries import WalletQueries
from graphql_schema.wallets.revenue import RevenueQueries
from graphql_schema.wallets.statements import StatementQueries
from graphql_schema.wallets.stats import WalletStatsQueries
from graphql_schema.webhooks.mutations import WebhookMutations
from graphql_schema.webhooks.queries import WebhookQueries

log = logging.getLogger("tally.graphql")

Query = merge_types(
    "Query",
    (
        CustomerQueries,
        WalletQueries,
        AccessQueries,
        MeteringQueries,
        PlanQueries,
        SwitchQueries,
        AlertQueries,
        NotificationQueries,
        WebhookQueries,
        WalletStatsQueries,
        OperatorQueries,
        AuditQueries,
        InvoiceQueries,
        PaymentQueries,
        RechargeQueries,
        RefundQueries,
        RevenueQueries,
        StatementQueries,
    ),
)
Subscription = merge_types(
    "Subscription",
    (WalletSubscriptions, AlertSubscriptions, InvoiceSubscriptions, NoticeSubscriptions),
)
Mutation = merge_types(
    "Mutation",
    (
        CustomerMutations,
        WalletMutations,
        AccessMutations,
        MeteringMutations,
        PlanMutations,
        BillingMutations,
        SwitchMutations,
        AlertMutations,
        CreditNoticeMutations,
        WebhookMutations,
        OperatorMutations,
        PortalMutations,
        InvoiceMutations,
        PaymentMutations,
        RechargeMutations,
        RefundMutations,
    ),
)


class UnitOfWork(SchemaExtension):
    """One operation, one transaction: commit when it succeeded, roll back otherwise."""

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.begin()
        yield
        if isinstance(context, Context):
            result = self.execution_context.result
            failed = result is None or bool(getattr(result, "errors", None))
            await context.finish(success=not failed)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors once, with the request id; expected ones at debug level."""
        for error in errors:
            if should_mask(error):
                request_id = _request_id(execution_context)
                log.error(
                    "unexpected error in GraphQL operation (request %s)",
                    request_id,
                    exc_info=error.original_error,
                )
            else:
                log.debug("GraphQL error: %s", error.message)


def _request_id(execution_context: ExecutionContext | None) -> str:
    """The HTTP request's or websocket's id (``app.edge.request_id``); a new one for an
    operation run in-process (the console)."""
    return REQUEST_ID.get() or uuid.uuid4().hex


def build_schema(limits: Limits | None = None) -> Schema:
    """The schema with its extensions; ``limits``: the settings' (default: the documented
    defaults)."""
    bounds = limits or Limits.defaults()
    memo = Memo()
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(ERROR_TYPES),
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=SharingExecutionContext,
        extensions=[
            # Each query text is parsed (the parser stops at the token limit), measured
            # against the limits and validated once, and remembered by text: the hot path's
            # ingestEvents, the console's and the portal's queries repeat (graphql_schema/limits).
            lambda: MaxTokensLimiter(max_token_count=bounds.max_tokens),
            lambda: OperationLimits(bounds, memo),
            MaskUnexpected,
            UnitOfWork,
            # The audit trail reads what a mutation changes before it runs: it wraps the edge
            # checks (a later extension wraps an earlier one), so that read never sees an
            # argument the checks refuse (a NUL in a customer's id reached PostgreSQL).
            AuditTrail,
            # Every argument checked before its resolver; ingestEvents checks each event.
            lambda: EdgeChecks(checked_later={"EventInput"}),
        ],
    )


def sdl() -> str:
    return build_schema().as_str() + "\n"
