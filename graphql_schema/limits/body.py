"""The body-size limit of ``/graphql``: an HTTP body is read here, at most ``limit`` bytes,
before Strawberry sees the request (a declared ``Content-Length`` over the limit is refused
unread); a websocket message over the limit closes the connection with 1009 ("message too
big")."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import Message, Receive

from graphql_schema.limits.refusals import body_too_large

TOO_BIG = 1009  # RFC 6455: a message too big to process


@dataclass(frozen=True)
class Body:
    """The outcome of reading a body: ``receive`` replays it (None: over the limit or the
    client left)."""

    receive: Receive | None
    too_large: bool = False


def declared_too_large(content_length: str | None, limit: int) -> bool:
    """Whether the ``Content-Length`` header says the body is over ``limit`` bytes."""
    declared = content_length or ""
    return declared.isdigit() and int(declared) > limit


async def read_body(receive: Receive, limit: int) -> Body:
    """Read the whole body, at most ``limit`` bytes; replay it to whoever reads it next."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return Body(None)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return Body(None, too_large=True)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Body(replay)


def refused(limit: int) -> JSONResponse:
    """413, with the refusal as a GraphQL error."""
    return JSONResponse({"errors": [body_too_large(limit).formatted]}, status_code=413)


def message_too_large(text: str, limit: int) -> bool:
    """Whether a websocket text message is over ``limit`` bytes (UTF-8)."""
    return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)


def close_reason(limit: int) -> str:
    return f"BODY_TOO_LARGE: a message is at most {limit:,} bytes"
