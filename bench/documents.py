"""How long an invoice PDF takes to render in-process (fpdf2, ``app.documents``).

    .venv/bin/python -m bench.documents            # options: --lines 50 --runs 50

Builds a finalized period-end invoice of ``--lines`` lines (descriptions that wrap, quantities,
fractional unit prices, a discount column) for a customer in de_DE, renders it ``--runs``
times after one warm-up, and checks every line's amount is in the PDF's text (pypdf). The
whole path the endpoint takes after its one database read: the document is built from the
rows (``invoice_document``) and rendered (``documents.render``). The last line:

    invoice_pdf_ms_median=… p95=… cpu_ms_median=… lines=… pages=… bytes=…

(wall-clock and CPU time: on a shared machine the CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pypdf

from app import documents
from app.config import Settings
from app.customers import Customer
from app.flows.invoice_documents import invoice_document
from app.invoices import Invoice, InvoiceLine, InvoiceStatus, InvoiceType

ISSUED = datetime(2026, 3, 2, tzinfo=UTC)


def _invoice(count: int) -> tuple[Invoice, list[InvoiceLine]]:
    lines = [
        InvoiceLine(
            invoice_id=1,
            position=n,
            description=f"Metric {n}: API calls to the reporting endpoints, region eu-west-{n % 3}",
            quantity=Decimal(1000 + 37 * n),
            unit_price=Decimal("0.0125"),
            discount_percent=Decimal(5 if n % 4 == 0 else 0),
            amount_minor=(1000 + 37 * n) * 125 // 100,
        )
        for n in range(count)
    ]
    invoice = Invoice.model_validate(
        {
            "id": 1,
            "number": "TLY-000042",
            "customer_id": 1,
            "type": InvoiceType.PERIOD_END,
            "status": InvoiceStatus.FINALIZED,
            "currency": "EUR",
            "total_minor": sum(line.amount_minor for line in lines),
            "finalized_at": ISSUED,
            "due_at": ISSUED + timedelta(days=7),
            "period_start": ISSUED - timedelta(days=28),
            "period_end": ISSUED,
            "created_at": ISSUED,
            "updated_at": ISSUED,
        }
    )
    return invoice, lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    settings = Settings(
        environment="bench",
        secret_key="bench-secret-key-0123456789abcdef",
        seller_name="Tally Billing GmbH",
        seller_address="Hauptstraße 5 | 10115 Berlin",
        seller_tax_id="DE123456789",
    )
    customer = Customer(
        id=1, external_id="acme", name="Acme Corp", currency="EUR", metadata_={"locale": "de_DE"}
    )
    invoice, lines = _invoice(args.lines)
    pdf = documents.render(invoice_document(settings, invoice, lines, customer))  # warm-up
    timings, cpu = [], []
    for _ in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = documents.render(invoice_document(settings, invoice, lines, customer))
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")
    missing = [n for n, line in enumerate(lines) if f"Metric {n}:" not in text]
    assert not missing, f"lines missing from the PDF: {missing}"
    median, p95 = statistics.median(timings), sorted(timings)[int(len(timings) * 0.95) - 1]
    print(f"rendered {args.runs} times a {args.lines}-line invoice ({len(reader.pages)} pages)")
    print(
        f"invoice_pdf_ms_median={median:.1f} p95={p95:.1f} "
        f"cpu_ms_median={statistics.median(cpu):.1f} lines={args.lines} "
        f"pages={len(reader.pages)} bytes={len(pdf)}"
    )


if __name__ == "__main__":
    main()
