"""The ``Tally-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The HMAC is computed with the endpoint's secret over ``f"{t}.{body}"`` (the raw request body,
byte for byte). A receiver recomputes it, compares in constant time, and rejects a timestamp
outside its tolerance, so a captured request cannot be replayed later. Several ``v1`` entries
may appear (one per secret, while a secret is being rotated); any match is enough.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Tally-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The header is missing or malformed, no signature matches, or it is too old or new."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str, header: str | None, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS
) -> int:
    """Check a received request; returns its timestamp or raises ``SignatureError``."""
    timestamp, candidates = _parse(header)
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp is {now - timestamp} s away; outside the tolerance")
    expected = signature(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("no signature matches the body and the secret")
    return timestamp


def _parse(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise SignatureError(f"no {HEADER} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError(f"malformed {HEADER} header")
    return timestamp, candidates
