"""An invoice's document, built and rendered without a database: its text read back from the
PDF (pypdf) — numbers, money in the customer's locale, the seller, watermarks."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pypdf

from app import documents
from app.config import Settings
from app.customers import Customer
from app.flows.invoice_documents import invoice_document
from app.invoices import Invoice, InvoiceLine, InvoiceStatus, InvoiceType

ISSUED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SELLER = {
    "seller_name": "Tally Billing GmbH",
    "seller_address": "Hauptstraße 5 | 10115 Berlin | Germany",
    "seller_tax_id": "DE123456789",
    "seller_email": "invoices@tally.example",
}


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ")  # CLDR's no-break spaces, as plain ones


def _settings(**extra: str) -> Settings:
    return Settings(environment="test", secret_key="test-secret-key-0123456789abcdef", **extra)


def _invoice(status: InvoiceStatus = InvoiceStatus.FINALIZED, **extra: object) -> Invoice:
    values: dict[str, object] = {
        "id": 7,
        "number": "TLY-000042" if status is not InvoiceStatus.DRAFT else None,
        "customer_id": 1,
        "type": InvoiceType.PERIOD_END,
        "status": status,
        "currency": "EUR",
        "total_minor": 123_456_78,
        "finalized_at": ISSUED,
        "due_at": ISSUED + timedelta(days=7),
        "period_start": datetime(2026, 2, 1, tzinfo=UTC),
        "period_end": datetime(2026, 3, 1, tzinfo=UTC),
        "created_at": ISSUED,
        "updated_at": ISSUED,
    }
    return Invoice.model_validate(values | extra)


LINES = [
    InvoiceLine(
        invoice_id=7,
        position=0,
        description="API calls",
        quantity=Decimal("1234567"),
        unit_price=Decimal("0.0015"),
        amount_minor=1_851_85,
    ),
    InvoiceLine(
        invoice_id=7,
        position=1,
        description="Base fee",
        quantity=Decimal(1),
        unit_price=Decimal("1250"),
        discount_percent=Decimal("10"),
        amount_minor=1_125_00,
    ),
]


def _customer(locale: str | None) -> Customer:
    return Customer(
        id=1,
        external_id="acme",
        name="Acme Corp",
        billing_email="billing@acme.test",
        currency="EUR",
        metadata_={"locale": locale} if locale else {},
    )


def test_an_invoice_reads_in_the_customers_locale_with_the_sellers_details() -> None:
    settings = _settings(**SELLER)
    document = invoice_document(settings, _invoice(), LINES, _customer("de_DE"))
    text = text_of(documents.render(document))
    for words in (
        "Invoice",
        "TLY-000042",
        "Tally Billing GmbH",
        "Hauptstraße 5",
        "10115 Berlin",
        "Tax ID: DE123456789",
        "invoices@tally.example",
        "Acme Corp",
        "billing@acme.test",
        "Customer ID: acme",
        "1.234.567",  # quantity, German grouping
        "0,0015 €",  # a unit price keeps its digits
        "1.250,00 €",
        "10 %",  # the discount column, shown because a line has one
        "1.851,85 €",
        "1.125,00 €",
        "Subtotal 2.976,85 €",  # the lines do not add up to the total: both shown
        "Total 123.456,78 €",
        "Amount due 123.456,78 €",
        "Issued: 02.03.2026",
        "Period: 01.02.2026 – 01.03.2026",
        "Due: 09.03.2026",
        "Please pay by 09.03.2026.",
        "Questions about this invoice: invoices@tally.example",
    ):
        assert words in text, (words, text)
    assert "DRAFT" not in text and "VOID" not in text


def test_the_default_locale_and_seller_and_what_a_draft_and_a_void_invoice_say() -> None:
    settings = _settings(document_locale="en_US")
    lines = LINES[:1]
    draft = invoice_document(
        settings, _invoice(InvoiceStatus.DRAFT, total_minor=1_851_85), lines, _customer(None)
    )
    text = text_of(documents.render(draft))
    assert "DRAFT" in text and "Draft" in text and "TLY-" not in text
    assert "Draft: not a request for payment." in text
    assert "€1,851.85" in text and "€0.0015" in text and "1,234,567" in text
    assert "Tally\n" in text and "billing@localhost" in text  # defaults: TALLY_SMTP_FROM's
    assert "Subtotal" not in text and "Tax ID" not in text

    void = _invoice(InvoiceStatus.VOID, voided_at=ISSUED, void_reason="ordered by mistake")
    text = text_of(documents.render(invoice_document(settings, void, lines, _customer("xx"))))
    assert "VOID" in text and "Void: ordered by mistake. Nothing is owed." in text
    assert "Amount due €0.00" in text and "Please pay" not in text  # "xx": the default locale


def test_fifty_lines_run_over_pages_with_the_header_on_each() -> None:
    settings = _settings()
    many = [
        LINES[0].model_copy(update={"position": n, "description": f"Line {n} " + "word " * 12})
        for n in range(50)
    ]
    text = text_of(documents.render(invoice_document(settings, _invoice(), many, _customer(None))))
    assert all(f"Line {n} " in text for n in range(50))
    assert text.count("Description Quantity Unit price Amount") >= 2
    assert "Page 1 of " in text


def test_characters_the_fonts_cannot_write_and_symbols_they_lack() -> None:
    assert documents.money(10_000_000, "INR", "hi_IN") == "INR\u00a01,00,000.00"  # no ₹ in the font
    assert documents.money(123456, "EUR", "fr_FR") == "1\u00a0234,56\u00a0€"
    assert documents.money(500, "JPY", "en_US") == "¥500"
    assert documents.money(500, "JPY", "ja_JP") == "JPY\u00a0500"  # the font has no "￥"
    assert documents.number(Decimal("1500.500000"), "en_US") == "1,500.5"
    document = documents.Document(
        title="Statement",
        reference="Łódź — Ωmega",
        facts=(),
        parties=(documents.Party("To", ("Zoë Ørsted",)),),
        columns=(documents.Column("What"),),
        rows=(("naïve café",),),
        totals=(("Total", "1"),),
    )
    text = text_of(documents.render(document))
    assert "?ódz — ?mega" in text and "Zoë Ørsted" in text and "naïve café" in text
