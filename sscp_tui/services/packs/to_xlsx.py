"""The pack as a workbook: a Summary sheet and the Log sheet, one row per item.

The log sheet has its header row frozen (and repeated when printed) and an autofilter;
rating cells are filled in the rating's colour and carry its name; due dates are real dates.
Every text is stored as text — never as a formula — and any text that a spreadsheet would
run as a formula once retyped or exported is written so that it shows instead
(``spreadsheet_safety.neutralise``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from sscp_tui.db.models import Rating
from sscp_tui.services.packs.layout import (
    RatingCell,
    Table,
    alert_names,
    alerts_table,
    cell_text,
    cover_facts,
    summary_table,
)
from sscp_tui.services.packs.model import Pack, PackItem, Progress, long_date
from sscp_tui.services.packs.output import write_bytes
from sscp_tui.services.packs.xlsx_writer import Sheet, Styled, Value, safe_text, save
from sscp_tui.services.records import rating_label

_NUMBER = re.compile(r"[+\-\u2212]?\d+")
# Widths (in characters) that print one page wide on A4 landscape at a legible size: long
# texts wrap within their columns rather than running past the page.
LOG_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Review or plan", 18),
    ("Kind", 16),
    ("Ref", 7),
    ("Recommendation or action", 40),
    ("Lead agency", 9),
    ("Timescale", 12),
    ("Due", 11),
    ("Rating", 9),
    ("Rating at previous meeting", 10),
    ("Since last meeting", 13),
    ("Alerts", 13),
    ("Exceptions", 14),
    ("Latest update on", 11),
    ("Latest update by", 14),
    ("Latest progress update", 40),
    ("Illustrative", 10),  # "Yes" for an item that is not a real record, as the tracker's export says
)


_RATING_CELLS = {
    rating: Styled(rating_label(rating), f"rating-{rating.value if rating else 'unrated'}")
    for rating in (*Rating, None)
}


def rating_cell(rating: Rating | None) -> Styled:
    return _RATING_CELLS[rating]


def header(text: str) -> Styled:
    return Styled(safe_text(text), "header")


def _count(text: str) -> Value:
    """A count or a change ("12", "+3", "-2") as a number; anything else as text."""
    return int(text.replace("\u2212", "-")) if _NUMBER.fullmatch(text) else safe_text(text)


def _table_rows(table: Table) -> Iterable[list[Value]]:
    """A summary table (counts, not references): numbers are written as numbers."""
    yield [header(h) for h in table.headers]
    for row in table.rows:
        yield [rating_cell(c.rating) if isinstance(c, RatingCell) else _count(cell_text(c)) for c in row]


def _summary_sheet(pack: Pack) -> Sheet:
    cover = pack.cover
    rows: list[list[Value]] = [[Styled(safe_text(cover.title), "title")]]
    for label, value in cover_facts(pack).rows:
        rows.append([header(label), safe_text(value)])
    for note in (*cover.notes, pack.summary.comparison, pack.check_note):
        rows.append([None, safe_text(note)])
    rows.append([])
    for number, row in enumerate(_table_rows(summary_table(pack))):
        if number and isinstance(row[3], int):  # the change since the last meeting: +1, −2
            row[3] = Styled(row[3], "change")
        rows.append(row)
    rows.append([])
    if pack.summary.movements:
        rows.append([header("From"), header("To"), header("Items")])
        for move in pack.summary.movements:
            rows.append([rating_cell(move.before), rating_cell(move.after), move.count])
        rows.append([])
    rows += _table_rows(alerts_table(pack))
    rows.append([])
    rows.append([header("Exception"), header("Items")])
    for exceptions in pack.exceptions:
        rows.append([safe_text(exceptions.title), len(exceptions.entries)])
    sheet = Sheet(
        "Summary",
        widths=_fitted(rows[1:], (60, 60, 40, 16)),  # the title runs on across the columns
        header_text=cover.protective_marking,
        footer_text=f"{cover.group}, {long_date(cover.meeting_on)}: summary",
        wrap=True,
    )
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append(row)
    return sheet


def _fitted(rows: Sequence[Sequence[Value]], most: Sequence[float]) -> tuple[float, ...]:
    """Column widths (in characters) that fit each column's longest text, bold headings a
    little wider, each at most its ``most`` (a longer text wraps onto more lines)."""
    widths = [8.0] * len(most)
    for row in rows:
        for column, value in enumerate(row[: len(most)]):
            text, bold = (
                (value.value, value.style == "header") if isinstance(value, Styled) else (value, False)
            )
            if isinstance(text, str):
                longest = max((len(line) for line in text.splitlines()), default=0)
                widths[column] = max(widths[column], min(most[column], longest * (1.15 if bold else 1.0) + 2))
    return tuple(round(width, 1) for width in widths)


def _exceptions_by_item(pack: Pack) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for exceptions in pack.exceptions:
        for entry in exceptions.entries:
            found.setdefault(entry.item.id, []).append(exceptions.kind.value)
    return found


def _log_row(
    item: PackItem,
    exceptions: Sequence[str],
    repeated: Callable[[str], str],
) -> list[Value]:
    base = item.baseline
    note = item.latest_update
    return [
        repeated(item.source),
        item.kind.value,
        repeated(item.reference),
        safe_text(item.text),
        repeated(item.lead_agency or ""),
        repeated(item.timescale),
        item.due_on,
        rating_cell(item.rating),
        rating_label(base.rating) if base is not None and base.existed else "",
        item.movement,
        alert_names(item.alerts),
        ", ".join(exceptions),
        note.written_on if note else None,
        repeated(note.author) if note else None,
        safe_text(note.text) if note else None,
        "Yes" if item.illustrative else "",
    ]


def _log_sheet(pack: Pack) -> Sheet:
    cover = pack.cover
    sheet = Sheet(
        "Log",
        widths=tuple(width for _name, width in LOG_COLUMNS),
        freeze_header=True,
        autofilter=True,
        header_text=cover.protective_marking,
        footer_text=f"{cover.group}, {long_date(cover.meeting_on)}: the log",
        wrap=True,
    )
    sheet.append([header(name) for name, _width in LOG_COLUMNS])
    exceptions = _exceptions_by_item(pack)
    # safe_text() once per distinct text: the reviews, agencies, timescales and authors of a log
    # of 10,000 items are a few hundred texts, repeated.
    repeated = lru_cache(maxsize=None)(safe_text)
    rows = (_log_row(item, exceptions.get(item.id, ()), repeated) for item in pack.items)
    sheet.stream(rows, len(pack.items), len(LOG_COLUMNS))
    return sheet


def render(pack: Pack, path: Path, progress: Progress | None = None) -> None:
    """Write the pack to ``path`` as an .xlsx workbook, atomically, readable only by you."""
    sheets = [_summary_sheet(pack), _log_sheet(pack)]
    if progress:
        progress("Saving the spreadsheet", 0.9)
    write_bytes(
        path, lambda handle: save(handle, sheets, f"{pack.cover.title}, {long_date(pack.cover.meeting_on)}")
    )
    if progress:
        progress("Spreadsheet written", 1.0)
