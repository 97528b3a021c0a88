"""The pack as a workbook: a Summary sheet and the Log sheet, one row per item.

The log sheet has its header row frozen and an autofilter, rating cells filled in the rating's
colour with its name, and due dates as real dates. Every text that a spreadsheet would run
as a formula is written so that it shows instead (``spreadsheet_safety.neutralise``), and is
stored as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from sscp_tui.db.models import Rating
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.packs.layout import (
    RatingCell,
    Table,
    alerts_table,
    cell_text,
    cover_facts,
    summary_table,
)
from sscp_tui.services.packs.model import RATING_COLOURS, Pack, PackItem, Progress, long_date
from sscp_tui.services.packs.output import clean, write_bytes
from sscp_tui.services.records import rating_label
from sscp_tui.services.spreadsheet_safety import neutralise

EXCEL_CELL_LIMIT = 32_767
LOG_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Review or plan", 30),
    ("Kind", 14),
    ("Ref", 8),
    ("Recommendation or action", 70),
    ("Lead agency", 12),
    ("Timescale", 16),
    ("Due", 12),
    ("Rating", 10),
    ("Rating at previous meeting", 12),
    ("Since last meeting", 22),
    ("Alerts", 24),
    ("Exceptions", 30),
    ("Latest update on", 12),
    ("Latest update by", 20),
    ("Latest progress update", 70),
)


def safe_text(value: str) -> str:
    """Text that shows as written: no formula, no character Excel refuses, within its limit."""
    text = clean(value)
    if len(text) > EXCEL_CELL_LIMIT - 20:
        text = text[: EXCEL_CELL_LIMIT - 20] + " [cut short here]"
    result: str = neutralise(text)
    return result


class _Styles:
    """The few styled cells, made once per rating so openpyxl shares their style."""

    def __init__(self) -> None:
        self.fills = {
            rating: (PatternFill("solid", fgColor=fill), Font(bold=True, color=ink))
            for rating, (fill, ink) in RATING_COLOURS.items()
        }
        self.bold = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="E8E8E8")

    def rating(self, ws: Any, rating: Rating | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=rating_label(rating))
        cell.fill, cell.font = self.fills[rating]
        return cell

    def header(self, ws: Any, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.font = self.bold
        cell.fill = self.header_fill
        return cell

    def day(self, ws: Any, value: date | None) -> WriteOnlyCell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell


def _text_cell(ws: Any, value: str) -> WriteOnlyCell | str:
    text = safe_text(value)
    if text.startswith("'"):  # neutralised: make sure openpyxl stores it as text
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        return cell
    return text


def _table_rows(ws: Any, styles: _Styles, table: Table) -> Iterable[list[Any]]:
    yield [styles.header(ws, h) for h in table.headers]
    for row in table.rows:
        yield [
            styles.rating(ws, cell.rating)
            if isinstance(cell, RatingCell)
            else _text_cell(ws, cell_text(cell))
            for cell in row
        ]


def _summary_sheet(wb: Workbook, styles: _Styles, pack: Pack) -> None:
    ws = wb.create_sheet("Summary")
    for column, width in zip("ABCD", (26, 60, 24, 10), strict=True):
        ws.column_dimensions[column].width = width
    marking = safe_text(pack.cover.protective_marking)
    ws.oddHeader.center.text = marking
    title = WriteOnlyCell(ws, value=safe_text(pack.cover.title))
    title.font = Font(bold=True, size=14)
    ws.append([title])
    for label, value in cover_facts(pack).rows:
        ws.append([styles.header(ws, label), _text_cell(ws, value)])
    for note in (*pack.cover.notes, pack.summary.comparison, pack.check_note):
        ws.append([None, _text_cell(ws, note)])
    ws.append([])
    for row in _table_rows(ws, styles, summary_table(pack)):
        ws.append(row)
    ws.append([])
    if pack.summary.movements:
        ws.append([styles.header(ws, "From"), styles.header(ws, "To"),
                   styles.header(ws, "Items")])  # fmt: skip
        for move in pack.summary.movements:
            ws.append([styles.rating(ws, move.before), styles.rating(ws, move.after), move.count])
        ws.append([])
    for row in _table_rows(ws, styles, alerts_table(pack)):
        ws.append(row)
    ws.append([])
    ws.append([styles.header(ws, "Exception"), styles.header(ws, "Items")])
    for exceptions in pack.exceptions:
        ws.append([_text_cell(ws, exceptions.title), len(exceptions.entries)])


def _exceptions_by_item(pack: Pack) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for exceptions in pack.exceptions:
        for entry in exceptions.entries:
            found.setdefault(entry.item.id, []).append(exceptions.kind.value)
    return found


def _log_row(ws: Any, styles: _Styles, item: PackItem, exceptions: Sequence[str]) -> list[Any]:
    base = item.baseline
    before = rating_label(base.rating) if base is not None and base.existed else ""
    note = item.latest_update
    return [
        _text_cell(ws, item.source),
        item.kind.value,
        _text_cell(ws, item.reference),
        _text_cell(ws, item.text),
        _text_cell(ws, item.lead_agency or ""),
        _text_cell(ws, item.timescale),
        styles.day(ws, item.due_on),
        styles.rating(ws, item.rating),
        before,
        item.movement,
        ", ".join(kind.value for kind in ALERT_SEVERITY if kind in item.alerts),
        ", ".join(exceptions),
        styles.day(ws, note.written_on) if note else None,
        _text_cell(ws, note.author) if note else None,
        _text_cell(ws, note.text) if note else None,
    ]


def _log_sheet(wb: Workbook, styles: _Styles, pack: Pack) -> None:
    ws = wb.create_sheet("Log")
    for index, (_name, width) in enumerate(LOG_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.oddHeader.center.text = safe_text(pack.cover.protective_marking)
    ws.oddFooter.center.text = safe_text(
        f"{pack.cover.group}, {long_date(pack.cover.meeting_on)}: the log"
    )
    ws.append([styles.header(ws, name) for name, _width in LOG_COLUMNS])
    exceptions = _exceptions_by_item(pack)
    rows = 1
    for item in pack.items:
        ws.append(_log_row(ws, styles, item, exceptions.get(item.id, ())))
        rows += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LOG_COLUMNS))}{rows}"


def render(pack: Pack, path: Path, progress: Progress | None = None) -> None:
    """Write the pack to ``path`` as an .xlsx workbook, atomically, readable only by you."""
    wb = Workbook(write_only=True)
    styles = _Styles()
    _summary_sheet(wb, styles, pack)
    if progress:
        progress("Writing the log sheet", 0.75)
    _log_sheet(wb, styles, pack)
    write_bytes(path, wb.save)
    if progress:
        progress("Spreadsheet written", 1.0)
