"""Sending one recorded email over SMTP (aiosmtplib), and telling lasting refusals apart.

A 5xx reply (no such mailbox, message refused) will not change on a retry; anything else —
a 4xx reply, a refused connection, a timeout — may, so the email is tried again later.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from app.config import Settings
from app.notifications.models import Email


class SendFailed(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def build_message(email: Email, sender: str, now: datetime) -> EmailMessage:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tally"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    # Stable per email: a receiver can tell a retried message from a new one.
    message["Message-ID"] = f"<email-{email.id}@{domain}>"
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


async def send(message: EmailMessage, settings: Settings) -> None:
    """Hand the message to the configured server, or raise ``SendFailed``."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            use_tls=settings.smtp_use_tls,
            start_tls=False if settings.smtp_use_tls else None,
            timeout=settings.smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as error:
        codes = [refusal.code for refusal in error.recipients]
        reasons = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
        raise SendFailed(f"recipient refused: {reasons}", min(codes) >= 500) from None
    except aiosmtplib.SMTPResponseException as error:
        raise SendFailed(f"SMTP {error.code} {error.message}", error.code >= 500) from None
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        raise SendFailed(f"{type(error).__name__}: {error}", False) from None
