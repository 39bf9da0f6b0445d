"""Lay a document out on A4 pages with fpdf2: the title and facts, the parties side by side,
the lines table (its header repeated on every page), the totals right-aligned, the footer;
a watermark across every page and "Page 1 of 2" at the bottom."""

from __future__ import annotations

from fpdf import FPDF

from app.documents.layout import Document, Party
from app.documents.text import ENCODING, printable

FONT = "helvetica"
INK, MUTED, RULE, SHADE = (33, 33, 33), (110, 110, 110), (210, 210, 210), (243, 244, 246)
LINE, PAD = 4.5, 1.5  # mm: a line of the table's text, and the padding around a cell


class Pages(FPDF):
    """FPDF with the document's watermark and page numbers on every page."""

    def __init__(self, watermark: str | None) -> None:
        super().__init__(format="A4", unit="mm")
        self.watermark = printable(watermark) if watermark else None
        self.core_fonts_encoding = ENCODING
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=20)

    def header(self) -> None:
        if not self.watermark:
            return
        self.set_font(FONT, "B", 96)
        self.set_text_color(235, 200, 200)
        with self.rotation(45, self.w / 2, self.h / 2):
            width = self.get_string_width(self.watermark)
            self.text(self.w / 2 - width / 2, self.h / 2 + 12, self.watermark)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def render(document: Document) -> bytes:
    """The PDF of ``document``."""
    pdf = Pages(document.watermark)
    pdf.set_title(printable(f"{document.title} {document.reference}"))
    pdf.set_creator("Tally")
    pdf.add_page()
    _heading(pdf, document)
    _parties(pdf, document.parties)
    _lines(pdf, document)
    _totals(pdf, document.totals)
    _footer(pdf, document.footer)
    return bytes(pdf.output())


def _heading(pdf: FPDF, document: Document) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 22)
    pdf.cell(90, 10, printable(document.title))
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 10, printable(document.reference), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for label, value in document.facts:
        pdf.cell(0, 5, printable(f"{label}: {value}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _parties(pdf: FPDF, parties: tuple[Party, ...]) -> None:
    if not parties:
        return
    top, width = pdf.get_y(), pdf.epw / len(parties)
    bottom = top
    for n, party in enumerate(parties):
        pdf.set_xy(pdf.l_margin + n * width, top)
        pdf.set_font(FONT, "B", 8)
        pdf.set_text_color(*MUTED)
        pdf.cell(width, 5, printable(party.label.upper()), new_x="LEFT", new_y="NEXT")
        pdf.set_text_color(*INK)
        for number, line in enumerate(party.lines):
            pdf.set_font(FONT, "B" if number == 0 else "", 10)
            pdf.multi_cell(width - 4, 5, printable(line), new_x="LEFT", new_y="NEXT")
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 8)


def _lines(pdf: FPDF, document: Document) -> None:
    """The table, drawn text by text (fpdf2's own tables lay every cell out twice: 3x slower);
    long texts wrap at spaces, and a row that does not fit starts a page under the header."""
    total = sum(column.weight for column in document.columns)
    widths = [pdf.epw * column.weight / total for column in document.columns]
    _titles(pdf, document, widths)
    for values in document.rows:
        cells = [_wrap(pdf, printable(v), w - 2 * PAD) for v, w in zip(values, widths, strict=True)]
        if pdf.get_y() + LINE * max(len(c) for c in cells) + 2 * PAD > pdf.page_break_trigger:
            pdf.add_page()
            _titles(pdf, document, widths)
        _draw(pdf, document, widths, cells)
    pdf.ln(4)


def _titles(pdf: FPDF, document: Document, widths: list[float]) -> None:
    """The columns' titles in bold on a shaded band; the rows' font after."""
    pdf.set_font(FONT, "B", 9)
    pdf.set_fill_color(*SHADE)
    pdf.rect(pdf.l_margin, pdf.get_y(), pdf.epw, LINE + 2 * PAD, style="F")
    titles = [printable(column.title) for column in document.columns]
    _draw(pdf, document, widths, [[title] for title in titles])
    pdf.set_font(FONT, "", 9)


def _draw(pdf: FPDF, document: Document, widths: list[float], cells: list[list[str]]) -> None:
    top, x = pdf.get_y(), pdf.l_margin
    for column, width, lines in zip(document.columns, widths, cells, strict=True):
        for n, line in enumerate(lines):
            left = x + PAD
            if column.align == "R":
                left = x + width - PAD - _width(pdf, line)
            pdf.text(left, top + PAD + LINE * n + LINE * 0.7, line)
        x += width
    bottom = top + LINE * max(len(lines) for lines in cells) + 2 * PAD
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + pdf.epw, bottom)
    pdf.set_y(bottom)


def _width(pdf: FPDF, text: str) -> float:
    """The text's width in mm (FPDF.get_string_width copies the graphics state per call: a
    third of a 50-line invoice's time)."""
    font = pdf.current_font
    assert font is not None
    return font.get_text_width(pdf.normalize_text(text), pdf.font_size_pt, None)[1] / pdf.k


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """The text in lines no wider than ``width``, broken at spaces (a longer word alone)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and _width(pdf, candidate) > width:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    return lines


def _totals(pdf: FPDF, totals: tuple[tuple[str, str], ...]) -> None:
    for n, (label, value) in enumerate(totals):
        last = n == len(totals) - 1
        pdf.set_font(FONT, "B" if last else "", 11 if last else 9)
        pdf.set_x(pdf.l_margin + pdf.epw * 0.5)
        pdf.cell(pdf.epw * 0.3, 6, printable(label), align="R")
        pdf.cell(pdf.epw * 0.2, 6, printable(value), align="R", new_x="LMARGIN", new_y="NEXT")


def _footer(pdf: FPDF, lines: tuple[str, ...]) -> None:
    if not lines:
        return
    pdf.ln(8)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    for line in lines:
        pdf.multi_cell(0, 4, printable(line), new_x="LMARGIN", new_y="NEXT")
