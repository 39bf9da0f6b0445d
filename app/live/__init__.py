"""Live messages to subscribers: the bus between processes (``bus``), each process's hub of
subscribers (``hub``), and one module per channel: ``wallets`` (``wallet.updated``) and
``invoices`` (``invoice.updated``); ``alert.triggered`` rides the wallet channel."""

from app.live.bus import Bus, InMemoryBus, build_bus
from app.live.invoices import InvoiceChange, publish_invoice_update, publish_invoice_updates
from app.live.wallet_reaction import WALLET_REACTION

__all__ = [
    "WALLET_REACTION",
    "Bus",
    "InMemoryBus",
    "InvoiceChange",
    "build_bus",
    "publish_invoice_update",
    "publish_invoice_updates",
]
