"""Per-operation dataloader for webhook events, kept beside the operation's context.

The delivery log reads each delivery with its event (one join) and primes this loader with
the events, so ``WebhookDelivery.event`` reads nothing more; a delivery read alone (a replay)
has its event read here, by id, batched."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.webhooks.models import WebhookEvent
from graphql_schema.context import Context, Info
from graphql_schema.loaders import one_loader


async def _events(session: AsyncSession, ids: Sequence[int]) -> list[WebhookEvent]:
    statement = select(WebhookEvent).where(col(WebhookEvent.id).in_(ids))
    return list((await session.exec(statement)).all())


class WebhookLoaders:
    def __init__(self, context: Context) -> None:
        self.event: DataLoader[int, WebhookEvent | None] = one_loader(
            context, _events, lambda e: e.id
        )


def webhook_loaders(info: Info) -> WebhookLoaders:
    """The loaders of this operation (made on first use, gone with its context)."""
    return info.context.cached(WebhookLoaders)
