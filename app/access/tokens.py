"""Customer tokens: short-lived signed JWTs (HS256) that let a browser act for one customer.

A token carries the customer's id and external id, an expiry, and what it may do: read the
customer's own data, subscribe to its own wallets, alerts and invoices, buy credits for it.
Nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from app.access.models import Scope
from app.access.service import Principal
from app.errors import Unauthorized, ValidationFailed

AUDIENCE = "tally:customer"
MAX_TTL = timedelta(days=30)


def mint(
    secret: str, customer_id: int, external_id: str, now: datetime, ttl: timedelta
) -> tuple[str, datetime]:
    if not timedelta(seconds=30) <= ttl <= MAX_TTL:
        raise ValidationFailed("ttlSeconds", "must be between 30 seconds and 30 days")
    expires = now + ttl
    claims = {
        "sub": external_id,
        "cid": customer_id,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm="HS256"), expires


def verify(secret: str, token: str, now: datetime) -> Principal:
    """The customer principal of a valid token, or Unauthorized saying why not."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "cid", "sub"], "verify_exp": False},
        )
    except jwt.InvalidTokenError as error:
        raise Unauthorized("token", f"invalid customer token ({error})") from None
    if int(claims["exp"]) <= now.timestamp():
        raise Unauthorized("token", "the customer token has expired", code="token_expired")
    return Principal(
        key_id=0,
        name=f"customer:{claims['sub']}",
        scopes=frozenset({Scope.READ}),
        customer_id=int(claims["cid"]),
        customer_external_id=str(claims["sub"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )
