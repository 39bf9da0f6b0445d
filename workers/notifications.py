"""Email jobs.

``notifications.send`` — payload ``{"template", "to", "customer_id", "data"}`` and optionally
``"key"`` (a repeated key adds no email): ``to`` is ``"customer"`` (the billing email),
``"operators"`` (``TALLY_OPERATOR_EMAILS``) or an address. See ``app.notifications.render``
for each template's data.

``notifications.deliver`` — one SMTP attempt at a recorded email; retries are rescheduled
through the outbox by the service, so this actor raises only on unexpected errors.
"""

from __future__ import annotations

from typing import Any

from app import notifications
from app.notifications import Message
from app.runtime import Runtime
from workers.broker import DELIVERIES
from workers.registry import ActorSpec


async def send(
    runtime: Runtime,
    template: str,
    to: str,
    data: dict[str, Any],
    customer_id: int | None = None,
    key: str | None = None,
) -> None:
    message = Message(template=template, to=to, customer_id=customer_id, data=data, key=key)
    async with runtime.db.transaction() as session:
        await notifications.write(session, runtime.settings, message, runtime.clock.now())


async def deliver(runtime: Runtime, email_id: int) -> None:
    async with runtime.db.transaction() as session:
        await notifications.deliver(session, runtime.settings, email_id, runtime.clock.now())


ACTORS = [
    ActorSpec("notifications.send", send),
    ActorSpec("notifications.deliver", deliver, queue=DELIVERIES),  # waits on SMTP
]
