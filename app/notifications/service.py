"""Email use cases: write (render and record) and deliver with retries.

``write`` renders a template once per recipient and records each email in the caller's
transaction. With an SMTP server configured each email is ``queued`` and a
``notifications.deliver`` job is written to the outbox; without one it is ``recorded``: kept
and shown, never sent. A request that cannot be sent at all (the customer has no billing
email, the data does not fit the template) is recorded as ``failed`` with the reason.

``deliver`` makes one attempt. A refusal that may pass (4xx, connection trouble) schedules the
next attempt through the outbox with a delay (``RETRY_DELAYS``); a lasting one (5xx), or the
last attempt, marks the email ``failed``. Retries go through the outbox rather than Dramatiq's
own retries so that the next attempt is a committed row (it survives restarts and the
in-process broker), runs on Tally's clock, and ``next_attempt_at`` shows when it will be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox
from app.config import Settings
from app.customers import EMAIL, Customer
from app.errors import DomainError, NotFound, ValidationFailed
from app.notifications import repository, smtp
from app.notifications.models import Email, EmailStatus
from app.notifications.render import Rendered, render

DELIVER = "notifications.deliver"
CUSTOMER = "customer"
OPERATORS = "operators"
# Waits after attempts 1..5; the 6th attempt is the last (about 9 hours after the first).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@dataclass(frozen=True)
class Message:
    """What to send: ``to`` is "customer" (the billing email), "operators" or an address."""

    template: str
    to: str
    customer_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True)
class Recipient:
    address: str
    problem: str | None = None


async def write(
    session: AsyncSession, settings: Settings, message: Message, now: datetime
) -> list[Email]:
    """Record the email (one per recipient); queue delivery when SMTP is configured.

    Nothing is lost: a request that cannot be sent is recorded as ``failed`` with the reason.
    """
    customer = None
    if message.customer_id is not None:
        customer = await session.get(Customer, message.customer_id)
    try:
        if message.customer_id is not None and customer is None:
            raise NotFound("customer_id", f"no customer with id {message.customer_id}")
        recipients = _recipients(message.to, customer, settings)
        who = {"name": customer.name, "external_id": customer.external_id} if customer else None
        content: Rendered | str = render(message.template, message.data, who)
    except DomainError as error:
        reason = f"{error.field}: {error.message}" if error.field else error.message
        refused = Recipient(message.to.strip()[:320], reason)
        return [await _record(session, settings, message, customer, refused, reason, now)]
    return [
        await _record(session, settings, message, customer, recipient, content, now)
        for recipient in recipients
    ]


def _recipients(to: str, customer: Customer | None, settings: Settings) -> list[Recipient]:
    if to == CUSTOMER:
        if customer is None:
            raise ValidationFailed("customer_id", "is required to email the customer")
        if not customer.billing_email:
            return [Recipient("", f"{customer.external_id} has no billing email")]
        return [Recipient(customer.billing_email)]
    if to == OPERATORS:
        addresses = settings.operator_addresses
        if not addresses:
            return [Recipient("", "no operator addresses: set TALLY_OPERATOR_EMAILS")]
        return [Recipient(address) for address in addresses]
    if not EMAIL.match(to.strip()):
        raise ValidationFailed("to", f"'{to}' is not 'customer', 'operators' or an address")
    return [Recipient(to.strip())]


async def _record(
    session: AsyncSession,
    settings: Settings,
    message: Message,
    customer: Customer | None,
    recipient: Recipient,
    content: Rendered | str,
    now: datetime,
) -> Email:
    key = f"{message.key}:{recipient.address or '-'}" if message.key else None
    if key is not None and (earlier := await repository.by_key(session, key)) is not None:
        return earlier
    problem = recipient.problem or (content if isinstance(content, str) else None)
    status = EmailStatus.RECORDED if settings.smtp_host is None else EmailStatus.QUEUED
    email = Email(
        customer_id=customer.id if customer else None,
        to_address=recipient.address,
        subject=content.subject if isinstance(content, Rendered) else message.template,
        template=message.template,
        data=message.data,
        text_body=content.text if isinstance(content, Rendered) else "",
        html_body=content.html if isinstance(content, Rendered) else "",
        status=EmailStatus.FAILED if problem else status,
        last_error=problem,
        next_attempt_at=now if status is EmailStatus.QUEUED and not problem else None,
        key=key,
        created_at=now,
    )
    if key is not None:  # two jobs with one key at the same moment: the second adds nothing
        try:
            async with session.begin_nested():
                session.add(email)
                await session.flush()
        except IntegrityError:
            earlier = await repository.by_key(session, key)
            assert earlier is not None
            return earlier
    session.add(email)
    await session.flush()
    if email.status is EmailStatus.QUEUED:
        await outbox.enqueue(session, DELIVER, {"email_id": email.id}, now)
    return email


async def deliver(
    session: AsyncSession, settings: Settings, email_id: int, now: datetime
) -> Email | None:
    """One attempt at a queued email (idempotent: anything else is left alone)."""
    email = await repository.claim(session, email_id)
    if email is None or email.status is not EmailStatus.QUEUED:
        return None
    if email.next_attempt_at is not None and email.next_attempt_at > now:
        return None  # a duplicate of a job that is not due yet
    if settings.smtp_host is None:
        email.status, email.next_attempt_at = EmailStatus.RECORDED, None
        return await _save(session, email)
    try:
        await smtp.send(smtp.build_message(email, settings.smtp_from, now), settings)
    except smtp.SendFailed as failure:
        return await _failed(session, email, failure, now)
    email.attempts += 1
    email.status, email.sent_at, email.next_attempt_at = EmailStatus.SENT, now, None
    return await _save(session, email)


async def _failed(
    session: AsyncSession, email: Email, failure: smtp.SendFailed, now: datetime
) -> Email:
    email.attempts += 1
    email.last_error = failure.reason[:1000]
    if failure.permanent or email.attempts >= MAX_ATTEMPTS:
        email.status, email.next_attempt_at = EmailStatus.FAILED, None
        return await _save(session, email)
    delay = RETRY_DELAYS[email.attempts - 1]
    email.next_attempt_at = now + delay
    await outbox.enqueue(session, DELIVER, {"email_id": email.id}, now, delay=delay)
    return await _save(session, email)


async def _save(session: AsyncSession, email: Email) -> Email:
    session.add(email)
    await session.flush()
    return email
