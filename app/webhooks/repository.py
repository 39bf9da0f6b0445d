from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent


async def endpoint(session: AsyncSession, endpoint_id: int, field: str = "id") -> WebhookEndpoint:
    found = await session.get(WebhookEndpoint, endpoint_id)
    if found is None:
        raise NotFound(field, f"no webhook endpoint with id {endpoint_id}")
    return found


async def endpoints(session: AsyncSession) -> list[WebhookEndpoint]:
    statement = select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))
    return list((await session.exec(statement)).all())


async def subscribed(session: AsyncSession, event_type: str) -> list[WebhookEndpoint]:
    """Active endpoints that listen to ``event_type``, in id order."""
    statement = (
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.active).is_(True))
        .where(col(WebhookEndpoint.event_types).contains([event_type]))
        .order_by(col(WebhookEndpoint.id))
    )
    return list((await session.exec(statement)).all())


async def event_by_key(session: AsyncSession, key: str) -> WebhookEvent | None:
    return (await session.exec(select(WebhookEvent).where(WebhookEvent.key == key))).one_or_none()


async def delivery(session: AsyncSession, delivery_id: int, field: str = "id") -> WebhookDelivery:
    found = await session.get(WebhookDelivery, delivery_id)
    if found is None:
        raise NotFound(field, f"no webhook delivery with id {delivery_id}")
    return found


async def claim(session: AsyncSession, delivery_id: int) -> WebhookDelivery | None:
    """Lock a delivery for one attempt; ``None`` if it is gone or another worker has it."""
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


DeliveryRow = tuple[WebhookDelivery, WebhookEvent]


async def deliveries_page(
    session: AsyncSession,
    *,
    before_id: int | None,
    limit: int,
    endpoint_id: int | None,
    status: DeliveryStatus | None,
) -> list[DeliveryRow]:
    """The delivery log, newest first, each with its event."""
    statement = (
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_id))
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(col(WebhookDelivery.id) < before_id)
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return [(d, e) for d, e in (await session.exec(statement)).all()]
