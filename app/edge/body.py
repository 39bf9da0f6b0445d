"""A request body read no further than a limit: a body sent without a ``Content-Length``
(chunked) is given up as soon as it passes the limit, not buffered to its last byte."""

from __future__ import annotations

from starlette.requests import Request


async def read_at_most(request: Request, limit: int) -> bytes | None:
    """The whole body, or None once it is over ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
