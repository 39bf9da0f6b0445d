from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.access import tokens
from app.audit import words
from app.audit.service import Action, Actor
from app.customers import repository as customers
from app.customers.models import Customer as CustomerModel
from graphql_schema.audit.describe import register
from graphql_schema.context import Info
from graphql_schema.customers.types import Customer
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.permissions import IsAdmin

PORTAL_PATH = "/portal/"


@strawberry.type(description="A link that opens the customer portal for one customer.")
class PortalLink:
    url: str = strawberry.field(
        description="Anyone with the link sees this customer's balance and history, and can "
        "act for it, until it expires. Send it only to the customer."
    )
    expires_at: datetime
    customer: CustomerModel = strawberry.field(graphql_type=Customer)


PortalLinkResult: TypeAlias = Annotated[PortalLink | Failure, strawberry.union("PortalLinkResult")]


@strawberry.type
class PortalMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="A signed, expiring customer-portal link (default: 7 days, at most 30).",
    )
    async def create_portal_link(
        self, info: Info, customer_external_id: str, ttl_seconds: int | None = None
    ) -> PortalLinkResult:
        runtime = info.context.runtime
        seconds = ttl_seconds or runtime.settings.portal_link_ttl_seconds
        now = info.context.now

        async def work(session: AsyncSession) -> PortalLink:
            customer = await customers.get_by_external_id(session, customer_external_id)
            assert customer.id is not None
            token, expires = tokens.mint(
                runtime.settings.signing_secret(),
                customer.id,
                customer.external_id,
                now,
                timedelta(seconds=seconds),
            )
            url = runtime.settings.base_url + PORTAL_PATH + token
            return PortalLink(url=url, expires_at=expires, customer=customer)

        return await attempt(info, work)


async def _describe(
    session: AsyncSession, actor: Actor, args: dict[str, Any], link: PortalLink
) -> Action:
    customer = link.customer
    return Action(
        action="createPortalLink",
        summary=f"{actor.words()} created a portal link for {customer.name} "
        f"(valid until {words.moment(link.expires_at)})",
        customer_external_id=customer.external_id,
        details={"customerExternalId": customer.external_id, "ttlSeconds": args.get("ttlSeconds")},
    )


register("createPortalLink", _describe)
