"""Text that a spreadsheet would run as a formula is made to show as text instead."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767  # the most characters a spreadsheet cell holds


def neutralise(value: Any) -> Any:
    """Prefix a text cell that starts like a formula with an apostrophe (OWASP's advice).

    Numbers and dates pass through unchanged: only text can carry a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
