"""Hand-offs to the notification and webhook engines, written to the outbox in the caller's
transaction (so nothing is announced for work that rolls back).

``emit``   a webhook event for the customer's endpoints: an outbox job for the actor
           ``"webhooks.emit"`` with the payload ``{"type": <event type>, "data": {...}}``.
``notify`` an email from a template: an outbox job for the actor ``"notifications.send"`` with
           the payload ``{"template", "to" ("customer" | "operators"), "customer_id", "data"}``.

Each hand-off carries a key made when it is written (``once()``), so the job that fans it out
is idempotent: a second run of the same outbox row (a job handed on again after its worker
died) adds no event and no email.

The webhooks and notifications domains own those actors; this module is the contract between
them and the domains that have something to announce (invoices, payments, recharges, alerts).
Event types in use: ``wallet.recharged``, ``invoice.created``, ``invoice.paid``,
``invoice.payment_failed``, ``subscription.terminated`` (and more; see ``EVENT_TYPES``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox

WEBHOOKS_EMIT = "webhooks.emit"
NOTIFICATIONS_SEND = "notifications.send"
Recipient = Literal["customer", "operators"]


def once() -> str:
    """A key for one hand-off: every run of its job carries the same one."""
    return f"once:{uuid.uuid4().hex}"


async def emit(session: AsyncSession, type: str, data: dict[str, Any], now: datetime) -> int:
    """Announce ``type`` (e.g. ``"invoice.paid"``) with ``data`` (JSON-ready) to webhooks."""
    payload = {"type": type, "data": data, "key": once()}
    return await outbox.enqueue(session, WEBHOOKS_EMIT, payload, now)


async def notify(
    session: AsyncSession,
    template: str,
    recipient: Recipient,
    customer_id: int,
    data: dict[str, Any],
    now: datetime,
) -> int:
    """Send the email ``template`` about ``customer_id`` to the customer or the operators."""
    payload = {
        "template": template,
        "to": recipient,
        "customer_id": customer_id,
        "data": data,
        "key": once(),
    }
    return await outbox.enqueue(session, NOTIFICATIONS_SEND, payload, now)
