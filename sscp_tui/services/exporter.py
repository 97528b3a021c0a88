"""Exporting the log — or exactly what a filter selects — as CSV or XLSX.

The columns are headings the importer reads, so exporting and importing into an empty
tracker gives back every item, rating, timescale and latest update. Text that a spreadsheet
would run as a formula is written with a leading apostrophe (and, in XLSX, as a text cell);
the importer takes the apostrophe off again. Files are written whole or not at all, readable
only by their owner (the log is OFFICIAL-SENSITIVE).
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from sscp_tui.db.models import (
    Agency,
    Priority,
    ProgressUpdate,
    Review,
    StrategicPlan,
    Theme,
    TrackedItem,
    item_supporting_agencies,
    item_themes,
)
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.queries import filter_conditions
from sscp_tui.services.records import AlertKind, ItemFilter, ItemState
from sscp_tui.services.sheets import Progress, TransferError
from sscp_tui.services.spreadsheet_safety import FORMULA_STARTS, neutralise
from sscp_tui.services.tracker import Tracker

FORMATS = {".csv": "CSV", ".xlsx": "XLSX"}
EVERYTHING = ItemFilter(state=ItemState.ALL)
# (heading, width in XLSX); every heading is one the importer recognises.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Review", 24), ("Review type", 14), ("Year", 7), ("Plan", 20), ("Priority", 9),
    ("Priority title", 24), ("Ref", 7),
    ("Parent ref", 7),
    ("Kind", 15), ("Recommendation", 60), ("Themes", 24), ("Lead agency", 24),
    ("Supporting agencies", 24), ("Timescale", 14), ("Target date", 12),
    ("Original timescale", 14), ("Original target date", 12), ("RAG", 8), ("Owner", 18),
    ("Evidence of completion", 30), ("Evidence of impact", 30), ("Latest update", 50),
    ("Update date", 12), ("Date added", 12), ("Illustrative", 8),
)  # fmt: skip
# Left out when no exported item has a value in them (a log of reviews only has no plans).
_OPTIONAL_COLUMNS = ("Plan", "Priority", "Priority title", "Parent ref", "Illustrative")
_DATE_COLUMNS = {"Target date", "Original target date", "Update date", "Date added"}


@dataclass(frozen=True, slots=True)
class ExportReport:
    path: Path
    format: str
    rows: int


def export(
    tracker: Tracker,
    path: Path,
    f: ItemFilter = EVERYTHING,
    alerts: Collection[AlertKind] = (),
    progress: Progress | None = None,
) -> ExportReport:
    """Write the items ``f`` selects (and, if given, having any of ``alerts``) to ``path``."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TransferError(f"An export is written as .csv or .xlsx; '{path.name}' is neither.")
    if not path.parent.is_dir():
        raise TransferError(f"There is no folder {path.parent} to write {path.name} into.")
    if path.is_dir():
        raise TransferError(f"{path} is a folder.")
    with tracker.store.read() as session:
        headings, rows = log_rows(session, f, tracker.rules, alerts)
    if fmt == "CSV":
        payload = _csv(headings, rows)
    else:
        payload = _xlsx(headings, rows, tracker.settings.protective_marking, progress)
    _write_private(path, payload)
    return ExportReport(path, fmt, len(rows))


def log_rows(
    session: Session, f: ItemFilter, rules: AlertRules, alerts: Collection[AlertKind] = ()
) -> tuple[list[str], list[list[Any]]]:
    """The headings and the rows of the log, one row per item, in review and reference order."""
    conditions = filter_conditions(f, rules)
    if alerts:
        conditions.append(or_(*(rules.sql(kind) for kind in alerts)))
    chosen = select(TrackedItem.id).where(*conditions)
    supporting = _grouped(session, select(item_supporting_agencies.c.item_id, Agency.name, Agency.short_name)
                          .join(Agency, Agency.id == item_supporting_agencies.c.agency_id)
                          .where(item_supporting_agencies.c.item_id.in_(chosen))
                          .order_by(Agency.short_name))  # fmt: skip
    themes = _grouped(session, select(item_themes.c.item_id, Theme.name, Theme.name)
                      .join(Theme, Theme.id == item_themes.c.theme_id)
                      .where(item_themes.c.item_id.in_(chosen)).order_by(Theme.name))  # fmt: skip
    # Only each item's latest update is read (a window function: portable, and one row per item).
    newest = func.row_number().over(
        partition_by=ProgressUpdate.item_id,
        order_by=(ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc()),
    )
    ranked = (
        select(ProgressUpdate.item_id, ProgressUpdate.text, ProgressUpdate.written_on, newest.label("n"))
        .where(ProgressUpdate.item_id.in_(chosen))
        .subquery()
    )
    latest: dict[int, tuple[str, date]] = {
        item_id: (text, written_on)
        for item_id, text, written_on in session.execute(
            select(ranked.c.item_id, ranked.c.text, ranked.c.written_on).where(ranked.c.n == 1)
        )
    }
    item, parent = TrackedItem, aliased(TrackedItem)
    statement = (
        select(
            item.id,
            item.kind,
            item.reference,
            item.text,
            item.timescale,
            item.due_on,
            item.original_timescale,
            item.original_due_on,
            item.rating,
            item.owner,
            item.evidence_completion,
            item.evidence_impact,
            item.created_on,
            item.illustrative,
            parent.reference.label("parent_ref"),
            Review.title,
            Review.kind.label("review_kind"),
            Review.year,
            Agency.name.label("lead_name"),
            Agency.short_name.label("lead_short"),
            StrategicPlan.title.label("plan"),
            Priority.number,
            Priority.title.label("priority_title"),
        )
        .outerjoin(Review, item.review_id == Review.id)
        .outerjoin(parent, item.parent_id == parent.id)
        .outerjoin(Agency, item.lead_agency_id == Agency.id)
        .outerjoin(Priority, item.priority_id == Priority.id)
        .outerjoin(StrategicPlan, Priority.plan_id == StrategicPlan.id)
        .where(*conditions)
        .order_by(
            Review.year.desc().nulls_last(),
            Review.kind,
            Review.title,
            StrategicPlan.title,
            Priority.position,
            item.reference_key,
            item.id,
        )
    )
    rows: list[list[Any]] = []
    for found in session.execute(statement):
        update_text, update_on = latest.get(found.id, ("", None))
        rows.append(
            [
                found.title or "",
                found.review_kind.value if found.review_kind else "",
                found.year,
                found.plan or "",
                found.number or "",
                found.priority_title or "",
                found.reference,
                found.parent_ref or "",
                found.kind.value.capitalize(),
                found.text,
                "; ".join(themes.get(found.id, ())),
                _agency(found.lead_name, found.lead_short) if found.lead_short else "",
                "; ".join(supporting.get(found.id, ())),
                found.timescale,
                found.due_on,
                found.original_timescale,
                found.original_due_on,
                found.rating.label if found.rating else "",
                found.owner,
                found.evidence_completion,
                found.evidence_impact,
                update_text,
                update_on,
                found.created_on,
                "Yes" if found.illustrative else "",
            ]  # in the order of COLUMNS
        )
    headings = [heading for heading, _width in COLUMNS]
    empty = {i for i, heading in enumerate(headings) if heading in _OPTIONAL_COLUMNS}
    empty = {i for i in empty if not any(row[i] for row in rows)}
    if empty:
        headings = [h for i, h in enumerate(headings) if i not in empty]
        rows = [[value for i, value in enumerate(row) if i not in empty] for row in rows]
    return headings, rows


def _agency(name: str, short: str) -> str:
    """ "Surrey County Council (SCC)": readable, and an empty tracker can be given both names."""
    return short if name == short else f"{name} ({short})"


def _grouped(session: Session, statement: Select[Any]) -> dict[int, list[str]]:
    """Names by item id, from rows of (item id, name, short name)."""
    found: dict[int, list[str]] = defaultdict(list)
    for item_id, name, short in session.execute(statement):
        found[item_id].append(_agency(name, short))
    return found


def _csv(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    starts = frozenset(FORMULA_STARTS)
    # One pass per cell, written out for speed: None as empty, dates in ISO form, and text a
    # spreadsheet would run as a formula behind an apostrophe (as spreadsheet_safety does).
    writer.writerows(
        [
            ""
            if value is None
            else value.isoformat()
            if type(value) is date
            else "'" + value
            if type(value) is str and value[:1] in starts
            else value
            for value in row
        ]
        for row in rows
    )
    return out.getvalue().encode("utf-8-sig")  # the BOM tells Excel it is UTF-8


def _xlsx(
    headings: Sequence[str], rows: Sequence[Sequence[Any]], marking: str, progress: Progress | None
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Log")
    widths = dict(COLUMNS)
    for number, heading in enumerate(headings, 1):
        sheet.column_dimensions[get_column_letter(number)].width = widths[heading]
    sheet.freeze_panes = "A2"
    if marking:
        sheet.oddHeader.center.text = marking
        sheet.oddFooter.center.text = marking
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    dated = {i for i, heading in enumerate(headings) if heading in _DATE_COLUMNS}

    def cells(row: Sequence[Any]) -> Iterator[Any]:
        for index, value in enumerate(row):
            if index in dated and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                yield cell
            elif isinstance(value, str):
                clean = ILLEGAL_CHARACTERS_RE.sub("", value)
                safe = neutralise(clean)
                if safe == clean:
                    yield clean
                else:  # formula-like text: a text cell, never a formula
                    cell = WriteOnlyCell(sheet, value=safe)
                    cell.data_type = "s"
                    yield cell
            else:
                yield value

    for count, row in enumerate(rows, 1):
        sheet.append(list(cells(row)))
        if progress and count % 2000 == 0:
            progress("writing", count, len(rows))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_private(path: Path, payload: bytes) -> None:
    """Write the whole file, readable only by its owner, replacing ``path`` only when done."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TransferError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
