"""Documents: PDFs rendered in-process (fpdf2, the 14 standard PDF fonts: nothing embedded,
no separate service). Generic: a document is a header, parties, a table of lines, totals and a
footer; an invoice is one use (``app.flows.invoice_documents``), a wallet statement another.

The whole API::

    from app import documents

    pdf: bytes = documents.render(documents.Document(
        title="Invoice", reference="TLY-000042",
        facts=(("Issued", "7 Dec 2026"), ("Due", "14 Dec 2026")),
        parties=(documents.Party("From", ("Tally Inc.", "1 Main St")),
                 documents.Party("Bill to", ("Acme Corp", "billing@acme.test"))),
        columns=(documents.Column("Description", 4), documents.Column("Amount", 1, "R")),
        rows=(("Starter Pack", "50.00 USD"),),
        totals=(("Total", "50.00 USD"),),
        footer=("Questions? billing@tally.test",),
        watermark=None,                                   # or "DRAFT", "VOID"
    ))
    documents.money(5000, "USD", "en_US")   # "$50.00"   (minor units, the locale's format)
    documents.price(Decimal("0.0015"), "USD", "en_US")  # "$0.0015" (a unit price, major units)
    documents.number(Decimal("1500.5"), "de_DE")  # "1.500,5"
    documents.day(moment, "fr_FR")          # "7 déc. 2026"
    documents.sign(secret, "invoice:42", expires)  / documents.verify(...)  (signed links)

Every text is given already formatted: the renderer lays it out and knows nothing of money.
Text is written in Windows-1252 (the standard fonts' encoding: Western European letters, €,
£, ¥, curly quotes, dashes); any other character is written as its closest unaccented letter
(NFKD), else "?". A locale's currency symbol outside that set is replaced by the ISO code.
"""

from app.documents.layout import Column, Document, Party
from app.documents.links import LinkExpired, LinkForged, sign, verify
from app.documents.numbers import day, money, number, price
from app.documents.render import render

__all__ = [
    "Column",
    "Document",
    "LinkExpired",
    "LinkForged",
    "Party",
    "day",
    "money",
    "number",
    "price",
    "render",
    "sign",
    "verify",
]
