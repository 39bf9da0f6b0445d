"""The load generator's HTTP client: one keep-alive HTTP/1.1 connection per client, requests
encoded before the clock starts.

The load generator shares the machine's two cores with what it measures, so every millisecond
it spends is taken from Tally. httpx spent ~0.8 ms of CPU per single-event request and ~3 ms
per batch of 1,000 here (its request and response models, header objects and state machine),
some 20 % of a single-event request's whole cost; this client writes prebuilt bytes and reads
the status line, the headers and ``Content-Length`` bytes, which is all a benchmark needs
(wrk does the same in C). It speaks only to our own server: no chunked bodies, no redirects,
no TLS.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol


class Response(Protocol):
    """What the checks read of a response (httpx's ``Response`` fits it too)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Reply:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


def request(host: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """A whole ``POST`` request, ready to write."""
    lines = [f"POST {path} HTTP/1.1", f"host: {host}", f"content-length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 24)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> Reply:
        """Write one prebuilt request and read its response."""
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"transfer-encoding":
                raise RuntimeError("a chunked response: this client reads Content-Length only")
        return Reply(status, await self.reader.readexactly(length))

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()
