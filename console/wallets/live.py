"""Move a page as its wallet changes: the ``walletUpdated`` subscription, executed in-process
and fed by the live bus, until the page is closed."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, ui

from console.api import Api, operation

LIVE = operation(
    "subscription Live($id: ID!) { walletUpdated(walletId: $id, initial: false) { balance } }"
)


async def follow(api: Api, wallet_id: str, refresh: Callable[[], Awaitable[None]]) -> None:
    stream = await api.subscribe(LIVE, {"id": wallet_id})
    try:
        async for result in stream:
            if getattr(result, "errors", None):
                return
            await refresh()
    finally:
        with contextlib.suppress(Exception):
            await stream.aclose()


def watch(api: Api, wallet_id: str, refresh: Callable[[], Awaitable[None]]) -> None:
    """Follow the wallet in the background while this page's client is connected."""
    task = background_tasks.create(
        follow(api, wallet_id, refresh), name="live balance", context=ui.context.client
    )
    ui.context.client.on_delete(task.cancel)
