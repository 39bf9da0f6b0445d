"""What a document says, already in words: the renderer only lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Party:
    """A block of lines under a label: "From" (the seller), "Bill to" (the customer)."""

    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """A column of the lines table: its title, its share of the width, its alignment."""

    title: str
    weight: float = 1.0
    align: Literal["L", "R"] = "L"


@dataclass(frozen=True)
class Document:
    title: str  # "Invoice"
    reference: str  # "TLY-000042", or "Draft"
    facts: tuple[tuple[str, str], ...]  # ("Issued", "7 Dec 2026"), ("Due", …)
    parties: tuple[Party, ...]
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]  # one text per column
    totals: tuple[tuple[str, str], ...]  # ("Total", "$50.00"); the last one is in bold
    footer: tuple[str, ...] = ()
    watermark: str | None = None  # "DRAFT", "VOID": across every page

    def __post_init__(self) -> None:
        if any(len(row) != len(self.columns) for row in self.rows):
            raise ValueError("every row has one text per column")
