"""What the standard PDF fonts can write: Windows-1252 (their encoding in fpdf2)."""

from __future__ import annotations

import unicodedata

ENCODING = "cp1252"
# Spaces CLDR puts in numbers ("12 345,50 €"): written as a no-break space.
SPACES = {"\u202f": "\u00a0", "\u2009": " ", "\u2007": " "}


def spaced(text: str) -> str:
    return "".join(SPACES.get(c, c) for c in text)


def writable(text: str) -> bool:
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """The text with every character the fonts cannot write replaced: the spaces above, then
    the letter without its accent (NFKD: "ł" stays "?", "ő" → "o"), else "?"."""
    text = spaced(text)
    if writable(text):
        return text
    return "".join(c if writable(c) else _nearest(c) for c in text)


def _nearest(character: str) -> str:
    plain = unicodedata.normalize("NFKD", character)
    kept = "".join(c for c in plain if not unicodedata.combining(c) and writable(c))
    return kept or "?"
