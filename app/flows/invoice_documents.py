"""An invoice as a document (PDF), and the signed links that let a browser download it.

The rule for every invoice status: finalized and paid invoices render as they are; a draft
renders with a "DRAFT" watermark and "Draft" for its number (a preview, not a request for
payment); a void invoice renders with a "VOID" watermark and the reason (its number stays
taken, so its document stays available). An invoice that does not exist — or that belongs to
another customer than the caller's customer token — is ``NotFound`` (never "forbidden": a
token learns nothing about other customers' invoices).

Amounts and dates are written in the customer's locale (its metadata "locale", e.g. "de_DE")
or else ``TALLY_DOCUMENT_LOCALE``; the seller is ``TALLY_SELLER_*``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from app import documents, invoices
from app.config import Settings
from app.customers import Customer
from app.errors import NotFound
from app.invoices import Invoice, InvoiceLine, InvoiceStatus, InvoiceType

WATERMARKS = {InvoiceStatus.DRAFT: "DRAFT", InvoiceStatus.VOID: "VOID"}
TITLES = {
    InvoiceType.CREDIT_PURCHASE: "Invoice",
    InvoiceType.THRESHOLD: "Invoice (usage threshold)",
    InvoiceType.PERIOD_END: "Invoice",
}


async def invoice_pdf(
    session: AsyncSession, settings: Settings, invoice_id: int, customer_id: int | None = None
) -> tuple[Invoice, bytes]:
    """The invoice and its PDF; ``customer_id``: only if it is that customer's."""
    try:
        invoice = await invoices.get(session, invoice_id)
    except NotFound:
        raise _unknown() from None
    if customer_id is not None and invoice.customer_id != customer_id:
        raise _unknown()
    assert invoice.id is not None
    customer = await session.get(Customer, invoice.customer_id)
    assert customer is not None
    lines = await invoices.lines_for(session, [invoice.id])
    return invoice, documents.render(invoice_document(settings, invoice, lines, customer))


def _unknown() -> NotFound:
    return NotFound("invoiceId", "there is no such invoice")


def locale_for(settings: Settings, customer: Customer) -> str:
    chosen = customer.metadata_.get("locale") if customer.metadata_ else None
    return chosen if isinstance(chosen, str) and chosen else settings.document_locale


def invoice_document(
    settings: Settings, invoice: Invoice, lines: Sequence[InvoiceLine], customer: Customer
) -> documents.Document:
    locale = locale_for(settings, customer)
    discounted = any(line.discount_percent for line in lines)
    return documents.Document(
        title=TITLES[invoice.type],
        reference=invoice.number or "Draft",
        facts=_facts(invoice, locale),
        parties=(seller(settings), _bill_to(customer)),
        columns=_columns(discounted),
        rows=tuple(_row(line, invoice.currency, locale, discounted) for line in lines),
        totals=_totals(invoice, lines, locale),
        footer=_footer(settings, invoice, locale),
        watermark=WATERMARKS.get(invoice.status),
    )


def seller(settings: Settings) -> documents.Party:
    address = [part.strip() for part in re.split(r"\n|\|", settings.seller_address)]
    tax = [f"Tax ID: {settings.seller_tax_id}"] if settings.seller_tax_id else []
    email = seller_email(settings)
    lines = [settings.seller_name, *(a for a in address if a), *tax, *([email] if email else [])]
    return documents.Party("From", tuple(lines))


def seller_email(settings: Settings) -> str:
    return settings.seller_email or parseaddr(settings.smtp_from)[1]


def _bill_to(customer: Customer) -> documents.Party:
    email = [customer.billing_email] if customer.billing_email else []
    lines = (customer.name, *email, f"Customer ID: {customer.external_id}")
    return documents.Party("Bill to", lines)


def _facts(invoice: Invoice, locale: str) -> tuple[tuple[str, str], ...]:
    def day(moment: datetime | None) -> str:
        return documents.day(moment, locale) if moment else ""

    facts = [("Issued", day(invoice.finalized_at or invoice.created_at))]
    if invoice.period_start and invoice.period_end:
        facts.append(("Period", f"{day(invoice.period_start)} – {day(invoice.period_end)}"))
    facts += [("Due", day(invoice.due_at)), ("Paid", day(invoice.paid_at))]
    facts.append(("Void", day(invoice.voided_at)))
    return tuple((label, value) for label, value in facts if value)


def _columns(discounted: bool) -> tuple[documents.Column, ...]:
    discount = (documents.Column("Discount", 1.1, "R"),) if discounted else ()
    return (
        documents.Column("Description", 4.6),
        documents.Column("Quantity", 1.4, "R"),
        documents.Column("Unit price", 1.5, "R"),
        *discount,
        documents.Column("Amount", 1.6, "R"),
    )


def _row(line: InvoiceLine, currency: str, locale: str, discounted: bool) -> tuple[str, ...]:
    discount = (f"{documents.number(line.discount_percent, locale)} %",) if discounted else ()
    return (
        line.description,
        documents.number(line.quantity, locale),
        documents.price(line.unit_price, currency, locale),
        *discount,
        documents.money(line.amount_minor, currency, locale),
    )


def _totals(
    invoice: Invoice, lines: Sequence[InvoiceLine], locale: str
) -> tuple[tuple[str, str], ...]:
    def money(minor: int) -> str:
        return documents.money(minor, invoice.currency, locale)

    subtotal = sum(line.amount_minor for line in lines)
    rows = [("Subtotal", money(subtotal))] if subtotal != invoice.total_minor else []
    rows.append(("Total", money(invoice.total_minor)))
    if invoice.credits_paid:
        rows.append(("Paid with credits", documents.number(invoice.credits_paid, locale)))
    owed = invoice.total_minor if invoice.status is InvoiceStatus.FINALIZED else 0
    rows.append(("Amount due", money(owed)))
    return tuple(rows)


def _footer(settings: Settings, invoice: Invoice, locale: str) -> tuple[str, ...]:
    notes = []
    if invoice.status is InvoiceStatus.DRAFT:
        notes.append("Draft: not a request for payment. The number is given when it is issued.")
    if invoice.status is InvoiceStatus.VOID:
        notes.append(f"Void: {invoice.void_reason or 'cancelled'}. Nothing is owed.")
    if invoice.status is InvoiceStatus.FINALIZED and invoice.due_at:
        notes.append(f"Please pay by {documents.day(invoice.due_at, locale)}.")
    email = seller_email(settings)
    if email:
        notes.append(f"Questions about this invoice: {email}")
    return tuple(notes)


def pdf_path(invoice_id: int) -> str:
    return f"/v1/invoices/{invoice_id}/pdf"


def pdf_link(settings: Settings, invoice_id: int, now: datetime) -> str:
    """The invoice's PDF address, signed for ``document_link_ttl_seconds``."""
    expires = int(now.timestamp()) + settings.document_link_ttl_seconds
    signature = documents.sign(settings.signing_secret(), _subject(invoice_id), expires)
    query = urlencode({"expires": expires, "signature": signature})
    return f"{settings.base_url}{pdf_path(invoice_id)}?{query}"


def check_link(
    settings: Settings, invoice_id: int, expires: str, signature: str, now: datetime
) -> None:
    """Raise ``LinkForged`` or ``LinkExpired`` unless the link is the one ``pdf_link`` made."""
    secret = settings.signing_secret()
    documents.verify(secret, _subject(invoice_id), expires, signature, now)


def _subject(invoice_id: int) -> str:
    return f"invoice-pdf:{invoice_id}"
