"""What imports and exports share: the error they raise, the progress callback they take, and a
spreadsheet's cells and rows as read. No database and no Textual here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

Cell = str | int | float | date | datetime | time | bool | None
Progress = Callable[[str, int, int], None]  # (stage, done, total; 0 when not yet known)


class TransferError(Exception):
    """An import or export cannot go ahead; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # as the spreadsheet shows it (1-based)
    cells: tuple[Cell, ...]
