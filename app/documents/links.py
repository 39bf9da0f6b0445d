"""Signed links: a path that works without credentials until it expires (HMAC-SHA256 of the
subject and the expiry with the process's signing secret). For browsers that cannot send an
``Authorization`` header with a link ("Download PDF")."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from app.errors import Unauthorized


class LinkForged(Unauthorized):
    def __init__(self) -> None:
        super().__init__("signature", "the link's signature is not valid", code="link_forged")


class LinkExpired(Unauthorized):
    def __init__(self) -> None:
        super().__init__("expires", "the link has expired: ask for a new one", code="link_expired")


def sign(secret: str, subject: str, expires: int) -> str:
    """The signature of ``subject`` (e.g. "invoice-pdf:42") until ``expires`` (Unix seconds)."""
    message = f"{subject}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, subject: str, expires: str, signature: str, now: datetime) -> None:
    """Raise LinkForged unless ``signature`` signs exactly this subject and expiry, then
    LinkExpired when the expiry has passed (checked after: a forged link learns nothing)."""
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12):
        raise LinkForged
    if not hmac.compare_digest(sign(secret, subject, int(expires)), signature):
        raise LinkForged
    if int(expires) <= now.timestamp():
        raise LinkExpired
