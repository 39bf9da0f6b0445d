"""Secrets taken out of text before it is written to a log.

Applied to every rendered log line (``app.logs``), whoever logged it — Tally, uvicorn (its
access log keeps request paths), Dramatiq, NiceGUI — and to the exceptions and tracebacks in
it: API keys (``tly_…``), webhook and Stripe secrets, bearer credentials, customer tokens and
portal links (JWTs, ``/portal/<token>``), and the value of anything named like a password,
secret, token, ticket, API key, cookie or authorization (``password=…``, ``"token": "…"``).
"""

from __future__ import annotations

import re

HIDDEN = "[redacted]"

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # API keys and secrets by their prefix: tly_ (Tally), whsec_ (webhooks), sk_/rk_ (Stripe).
    (re.compile(r"\b(tly|tally|whsec|sk_live|sk_test|rk_live|rk_test)_[A-Za-z0-9_\-]{6,}"), r"\1_"),
    # A JWT: customer tokens and portal links.
    (re.compile(r"\beyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), ""),
    # The portal path's token, whatever its shape.
    (re.compile(r"/portal/[^\s?#\"'<>\\]+"), "/portal/"),
    # Credentials after an HTTP authorization scheme.
    (re.compile(r"(?i)\b(bearer|basic)(\s+)(?!\[redacted)[^\s\"',;\\)]+"), r"\1\2"),
)
_NAMED = re.compile(
    r"""(?ix)
    (?P<name>[\w\-]*(?:password|passwd|secret|token|ticket|api[_\-]?key|cookie|authorization)[\w\-]*)
    (?P<sep>["']?\s*[:=]\s*(?-i:b)?)
    (?: (?P<quote>["']) (?P<quoted>(?:(?!(?P=quote)).)*) (?P=quote)
      | (?P<bare>(?!\[redacted|(?:bearer|basic)\s)[^\s"',;&}\])(]+) )
    """
)


def _named(match: re.Match[str]) -> str:
    head = match.group("name") + match.group("sep")
    quote = match.group("quote")
    if quote is not None:
        return f"{head}{quote}{HIDDEN}{quote}"
    return head + HIDDEN


def redact(text: str) -> str:
    for pattern, kept in _SHAPES:
        text = pattern.sub(kept + HIDDEN, text)
    return _NAMED.sub(_named, text)
