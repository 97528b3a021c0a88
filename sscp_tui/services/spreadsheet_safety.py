"""Text that a spreadsheet would run as a formula is made to show as text instead."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767  # the most characters a spreadsheet cell holds


def neutralise(value: Any) -> Any:
    """Prefix a text cell that starts like a formula with an apostrophe (OWASP's advice).

    A text whose own apostrophes stand before formula-like text ("'=x", "''=x") gets one
    more too, so that the import, which takes off exactly the apostrophe added here, gives it
    back as it was. Numbers and dates pass through unchanged: only text can carry a formula.
    """
    if isinstance(value, str) and value and value.lstrip("'")[:1] in FORMULA_STARTS and value.lstrip("'"):
        return "'" + value
    return value


def restored(text: str) -> str:
    """A cell's text with the apostrophe :func:`neutralise` added taken off (and no other)."""
    return text[1:] if text[:1] == "'" and neutralise(text[1:]) == text else text
