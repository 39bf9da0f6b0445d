"""What every string and JSON value from outside must be before anything stores it: the checks
shared by every path in (``POST /v1/events``, ``ingestEvents``, every GraphQL argument).

PostgreSQL's ``text`` cannot hold NUL (U+0000), ``jsonb`` refuses ``\\u0000`` too, and a lone
surrogate (U+D800 to U+DFFF, which JSON can spell as ``\\ud800``) has no UTF-8 encoding at all:
any of them reaching a statement fails the whole transaction. So every string is checked here,
once, at the edge, and a bad one gets a ``ValidationFailed`` naming its field; the limits below
are documented in the README ("Input limits").

The checks are O(size) and cheap on the event hot path: a NUL test and, for non-ASCII text
only, a UTF-8 encode, both in C. JSON is walked once, without recursion, so no depth can
exhaust the stack.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import orjson

from app.errors import ValidationFailed

TEXT_MAX = 4096  # characters of any string argument (fields with a column have their own)
JSON_DEPTH_MAX = 16  # nesting of objects and arrays in a JSON value (event properties, metadata)
JSON_SIZE_MAX = 16384  # characters of a JSON value written as JSON
JSON_KEY_MAX = 255  # characters of an object key
JSON_STRING_MAX = 4096  # characters of a string in a JSON value
LIST_MAX = 1000  # items of any list argument
REPLACEMENT = "\ufffd"
SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Invalid:
    """A value a scalar could not read: the GraphQL layer turns it into a typed error naming
    the argument (``ValidationError`` for mutations), so a bad literal and a bad variable get
    the same answer."""

    message: str
    code: str = "invalid"


def unstorable(text: str) -> str | None:
    """What in ``text`` PostgreSQL cannot store (NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "a NUL character (U+0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "a lone surrogate (U+D800 to U+DFFF)"
    return None


def check_text(value: str, field: str, maximum: int = TEXT_MAX) -> str:
    """``value`` if it can be stored and is at most ``maximum`` characters long."""
    if len(value) > maximum:
        raise ValidationFailed(field, f"must be at most {maximum} characters", code="too_long")
    problem = unstorable(value)
    if problem is not None:
        raise ValidationFailed(field, f"must not contain {problem}", code="invalid_characters")
    return value


def printable(text: str) -> str:
    """``text`` with NUL and lone surrogates replaced by U+FFFD, to echo or keep safely."""
    if "\x00" in text:
        text = text.replace("\x00", REPLACEMENT)
    if text.isascii():
        return text
    return SURROGATES.sub(REPLACEMENT, text)


def _key_problem(key: object) -> tuple[str, str] | None:
    if not isinstance(key, str):
        return "invalid", "has a key that is not a string"
    if len(key) > JSON_KEY_MAX:
        return "too_long", f"has a key longer than {JSON_KEY_MAX} characters"
    problem = unstorable(key)
    return None if problem is None else ("invalid_characters", f"has a key with {problem}")


def _leaf_problem(value: object) -> tuple[str, str] | None:
    if isinstance(value, str):
        if len(value) > JSON_STRING_MAX:
            return "too_long", f"must be at most {JSON_STRING_MAX} characters"
        problem = unstorable(value)
        return None if problem is None else ("invalid_characters", f"must not contain {problem}")
    if isinstance(value, float) and not math.isfinite(value):
        return "not_a_number", "must be a finite number"
    return None


def _path(field: str, key: object) -> str:
    return f"{field}[{key}]" if isinstance(key, int) else f"{field}.{printable(str(key))}"


def check_json(value: object, field: str) -> None:
    """Raise ``ValidationFailed`` (naming the innermost field, e.g. ``properties.tags[2]``)
    unless ``value`` is JSON that PostgreSQL can store within the limits: depth, key and
    string lengths, storable text, finite numbers."""
    stack: list[tuple[object, str, int]] = [(value, field, 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, dict):
            items = node.items()
        elif isinstance(node, list):
            items = enumerate(node)  # type: ignore[assignment]
        else:
            found = _leaf_problem(node)
            if found is not None:
                raise ValidationFailed(where, found[1], code=found[0])
            continue
        if depth >= JSON_DEPTH_MAX:
            raise ValidationFailed(
                where, f"is nested more than {JSON_DEPTH_MAX} levels deep", code="too_deep"
            )
        for key, item in items:
            found = _key_problem(key) if isinstance(node, dict) else None
            if found is not None:
                raise ValidationFailed(where, found[1], code=found[0])
            if isinstance(item, (dict, list)):
                stack.append((item, _path(where, key), depth + 1))
            else:
                found = _leaf_problem(item)
                if found is not None:
                    raise ValidationFailed(_path(where, key), found[1], code=found[0])


_SHORT = min(JSON_KEY_MAX, JSON_STRING_MAX)


def json_text(value: object, field: str) -> str:
    """``value`` (a dict or a list) as the JSON text to store, or ``ValidationFailed``.

    The usual event's properties (a flat object shorter than any key limit) are checked on the
    text orjson writes anyway, in a few scans in C: orjson refuses lone surrogates and writes
    NUL as ``\\u0000``. Anything else is walked (``check_json``)."""
    try:
        text: str | None = orjson.dumps(value).decode()
    except TypeError:  # a number beyond 64 bits, a lone surrogate, a key that is no string
        text = None
    if (
        text is None
        or len(text) > _SHORT
        or "\\u0000" in text
        or "[" in text
        or text.rfind("{") > 0
    ):
        check_json(value, field)
        if text is None:
            raise ValidationFailed(field, "cannot be stored as JSON")
        if len(text) > JSON_SIZE_MAX:
            raise ValidationFailed(
                field, f"is over {JSON_SIZE_MAX:,} characters as JSON", code="too_large"
            )
    return text


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def loads(body: bytes | str) -> object:
    """A request body as JSON (``orjson.JSONDecodeError`` if it is not). orjson refuses a lone
    surrogate (``"\\ud800"``), which JSON's syntax allows: such a body is read again by the
    standard library, so that the check of the string that holds it rejects that one value
    (an event, an argument), not the whole request."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        refused = error
    if b"\\u" in body if isinstance(body, bytes) else "\\u" in body:
        try:
            return json.loads(body, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            pass
    raise refused
