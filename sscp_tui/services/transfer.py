"""What imports and exports share: the error they raise, the progress callback they take, and a
spreadsheet's cells and rows as read. No database and no Textual here."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


@contextmanager
def few_collections() -> Iterator[None]:
    """Around reading or writing a large file: the garbage collector's youngest generation is
    collected every 50,000 new objects instead of every 700. An import makes a few objects a
    cell and frees none of them until it ends, so each collection found nothing and, as the
    rows piled up, took longer (a tenth of a 10,000-row import's time). Set back afterwards;
    nothing an import makes refers to itself, so nothing waits longer to be freed."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
