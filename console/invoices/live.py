"""Keep an invoice's page current: the ``invoiceUpdated`` subscription on its customer's channel
(finalized, paid, payment failed, voided, overdue), until the page is closed."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, ui

from console.api import Api, operation

LIVE = operation(
    "subscription LiveInvoice($id: ID!) { invoiceUpdated(customerId: $id) { invoice { id } } }"
)


async def follow(
    api: Api, customer_id: str, invoice_id: str, refresh: Callable[[], Awaitable[None]]
) -> None:
    stream = await api.subscribe(LIVE, {"id": customer_id})
    try:
        async for result in stream:
            if getattr(result, "errors", None):
                return
            data = getattr(result, "data", None) or {}
            if data.get("invoiceUpdated", {}).get("invoice", {}).get("id") == invoice_id:
                await refresh()
    finally:
        with contextlib.suppress(Exception):
            await stream.aclose()


def watch(
    api: Api, customer_id: str, invoice_id: str, refresh: Callable[[], Awaitable[None]]
) -> None:
    """Refresh the page whenever this invoice changes, while its client is connected."""
    task = background_tasks.create(
        follow(api, customer_id, invoice_id, refresh),
        name="live invoice",
        context=ui.context.client,
    )
    ui.context.client.on_delete(task.cancel)
