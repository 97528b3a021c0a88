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
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Select, String, or_, select, type_coerce
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
from sscp_tui.db.store import driver_rows
from sscp_tui.paths import atomic_private_file
from sscp_tui.services.alert_sql import alert_sql
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.packs.guard import as_printed, word_pattern
from sscp_tui.services.queries import filter_conditions, ids_matching, search_flavour
from sscp_tui.services.records import AlertKind, ItemFilter, ItemState, SortKey
from sscp_tui.services.spreadsheet_safety import EXCEL_CELL_LIMIT, FORMULA_STARTS, neutralise
from sscp_tui.services.tracker import Tracker
from sscp_tui.services.transfer import Progress, TransferError

FORMATS = {".csv": "CSV", ".xlsx": "XLSX"}
EVERYTHING = ItemFilter(state=ItemState.ALL)
# (heading, width in XLSX); every heading is one the importer recognises, or DERIVED.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Review", 24), ("Review type", 14), ("Year", 7), ("Plan", 20), ("Priority", 9),
    ("Priority title", 24), ("Ref", 7),
    ("Parent ref", 7),
    ("Kind", 15), ("Recommendation", 60), ("Themes", 24), ("Lead agency", 24),
    ("Supporting agencies", 24), ("Timescale", 14), ("Target date", 12), ("Days overdue", 8),
    ("Original timescale", 14), ("Original target date", 12), ("RAG", 8), ("Owner", 18),
    ("Evidence of completion", 30), ("Evidence of impact", 30), ("Latest update", 50),
    ("Update date", 12), ("Date added", 12), ("Illustrative", 8),
)  # fmt: skip
# Worked out from other columns for the reader (an import ignores them: the due date decides).
DERIVED = frozenset({"Days overdue"})
# Left out when no exported item has a value in them (a log of reviews only has no plans).
_OPTIONAL_COLUMNS = ("Plan", "Priority", "Priority title", "Parent ref", "Days overdue", "Illustrative")
_DATE_COLUMNS = {"Target date", "Original target date", "Update date", "Date added"}


@dataclass(frozen=True, slots=True)
class ExportReport:
    path: Path
    format: str
    rows: int
    flagged: int = 0  # cells naming a forbidden word, written because the user said so

    @property
    def flag_note(self) -> str:
        """A sentence on the forbidden words written anyway, or nothing."""
        if not self.flagged:
            return ""
        cells = "cell names" if self.flagged == 1 else "cells name"
        return f"{self.flagged:,} {cells} words on the forbidden list, written as you asked."


def export(
    tracker: Tracker,
    path: Path,
    f: ItemFilter = EVERYTHING,
    alerts: Collection[AlertKind] = (),
    progress: Progress | None = None,
    *,
    allow_flagged: bool = False,
    replace: bool = False,
    order: tuple[SortKey, bool] | None = None,
) -> ExportReport:
    """Write the items ``f`` selects (and, if given, having any of ``alerts``) to ``path``, in
    review and reference order, or in ``order`` (a sort and whether descending: the log's, so
    that an export from the screen reads as the screen does).

    An export leaves the building as surely as a pack: it is refused (ExportFlagged) where a
    word on the settings' ``forbidden_words`` list appears in it, unless ``allow_flagged``;
    then the report counts what was flagged."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TransferError(f"An export is written as .csv or .xlsx; '{path.name}' is neither.")
    if not path.parent.is_dir():
        raise TransferError(f"There is no folder {path.parent} to write {path.name} into.")
    if path.is_dir():
        raise TransferError(f"{path} is a folder.")
    if path.exists() and not replace:
        raise ExportExists(path)
    with tracker.store.read() as session:
        headings, rows = log_rows(session, f, tracker.rules, alerts, order)
    flagged = flagged_cells(headings, rows, tracker.settings.forbidden_words)
    if flagged and not allow_flagged:
        raise ExportFlagged(flagged)
    if fmt == "CSV":
        _write_private(path, partial(_csv, headings, rows))
        return ExportReport(path, fmt, len(rows), flagged=len(flagged))
    _refuse_overlong(headings, rows)
    workbook = _Workbook(headings, rows, tracker.settings.protective_marking, progress)
    _write_private(path, workbook.write)
    return ExportReport(path, fmt, len(rows), flagged=len(flagged))


def flagged_cells(headings: list[str], rows: list[list[Any]], words: Sequence[str]) -> list[str]:
    """Where a listed word appears in the rows: "'Word' in REF (Heading)", once per cell."""
    pattern = word_pattern(words)
    if pattern is None:
        return []
    found = []
    name = _namer(headings)
    for row in rows:
        for heading, value in zip(headings, row, strict=False):
            if isinstance(value, str) and (hit := pattern.search(as_printed(value))):
                found.append(f"'{hit.group(0)}' in {name(row)} ({heading})")
    return found


def _namer(headings: list[str]) -> Callable[[list[Any]], str]:
    """How a row of the export names its item in a message: its review and reference."""
    at_ref = headings.index("Ref") if "Ref" in headings else 0
    at_review = headings.index("Review") if "Review" in headings else None
    return lambda row: " ".join(str(part) for part in (row[at_review] if at_review is not None else "",
                                                         row[at_ref]) if part)  # fmt: skip


def _refuse_overlong(headings: list[str], rows: list[list[Any]]) -> None:
    """An XLSX export never cuts a text: one longer than an Excel cell holds is refused, with
    the item named (a CSV export keeps every text whole)."""
    limit = EXCEL_CELL_LIMIT - 1  # room for the apostrophe before a formula-like text
    long = [
        (row, heading, len(value))
        for row in rows
        for heading, value in zip(headings, row, strict=False)
        if type(value) is str and len(value) > limit
    ]
    if not long:
        return
    row, heading, size = long[0]
    item = _namer(headings)(row)
    more = f" (and {len(long) - 1} more)" if len(long) > 1 else ""
    raise TransferError(
        f"The {heading.lower()} of {item} is {size:,} characters{more}, more than an Excel cell holds "
        f"({EXCEL_CELL_LIMIT:,}); nothing was written. Export as .csv, which keeps every text whole."
    )


class ExportExists(TransferError):
    """The file chosen for the export exists already, and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists; nothing was written.")


class ExportFlagged(TransferError):
    """Words on the forbidden list appear in what would be exported."""

    def __init__(self, found: list[str]) -> None:
        self.found = found
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        super().__init__(
            f"The export would name words on the forbidden list: {'; '.join(found[:3])}{more}. "
            "Nothing was written; correct the record, or export anyway (--allow-flagged)."
        )


def log_rows(
    session: Session,
    f: ItemFilter,
    rules: AlertRules,
    alerts: Collection[AlertKind] = (),
    order: tuple[SortKey, bool] | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """The headings and the rows of the log, one row per item, in review and reference order
    (or in ``order``: a sort of the log, and whether descending)."""
    conditions = filter_conditions(f, rules, search_flavour(session))
    if alerts:
        conditions.append(or_(*(alert_sql(rules, kind) for kind in alerts)))
    chosen = select(TrackedItem.id).where(*conditions)
    supporting = _grouped(session, select(item_supporting_agencies.c.item_id, Agency.name, Agency.short_name)
                          .join(Agency, Agency.id == item_supporting_agencies.c.agency_id)
                          .where(item_supporting_agencies.c.item_id.in_(chosen))
                          .order_by(Agency.short_name))  # fmt: skip
    themes = _grouped(session, select(item_themes.c.item_id, Theme.name, Theme.name)
                      .join(Theme, Theme.id == item_themes.c.theme_id)
                      .where(item_themes.c.item_id.in_(chosen)).order_by(Theme.name))  # fmt: skip
    # Rows are read through the driver's cursor, not the ORM, and dates and choices come as
    # the text SQLite holds ("2026-11-28", "red"): no conversion to Python objects and back
    # per cell. The spreadsheet turns the dates into date cells as it writes them.
    connection = session.connection()
    item, parent = TrackedItem, aliased(TrackedItem)
    # Each item's latest update, found through the (item, date) index item by item.
    newest = (
        select(ProgressUpdate.id)
        .where(ProgressUpdate.item_id == item.id, ProgressUpdate.withdrawn_at.is_(None))
        .order_by(ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .correlate(item)
        .scalar_subquery()
    )
    statement = (
        select(
            item.id,
            _raw(item.kind).label("kind"),
            item.reference,
            item.text,
            item.timescale,
            _raw(item.due_on).label("due_on"),
            item.original_timescale,
            _raw(item.original_due_on).label("original_due_on"),
            _raw(item.rating).label("rating"),
            item.owner,
            item.evidence_completion,
            item.evidence_impact,
            _raw(item.created_on).label("created_on"),
            item.illustrative,
            parent.reference.label("parent_ref"),
            Review.title,
            _raw(Review.kind).label("review_kind"),
            Review.year,
            Agency.name.label("lead_name"),
            Agency.short_name.label("lead_short"),
            StrategicPlan.title.label("plan"),
            Priority.number,
            Priority.title.label("priority_title"),
            ProgressUpdate.text.label("update_text"),
            _raw(ProgressUpdate.written_on).label("update_on"),
        )
        .outerjoin(Review, item.review_id == Review.id)
        .outerjoin(parent, item.parent_id == parent.id)
        .outerjoin(Agency, item.lead_agency_id == Agency.id)
        .outerjoin(Priority, item.priority_id == Priority.id)
        .outerjoin(StrategicPlan, Priority.plan_id == StrategicPlan.id)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == newest)
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
    row_ids: list[int] = []
    get_themes, get_supporting = themes.get, supporting.get
    today = rules.as_of
    result = driver_rows(connection, statement)
    for (item_id, kind, reference, text, timescale, due_on, original_timescale, original_due_on, rating,
         owner, evidence, impact, created_on, illustrative, parent_ref, title, review_kind, year,
         lead_name, lead_short, plan, number, priority_title, update_text, update_on) in result:  # fmt: skip
        row_ids.append(item_id)
        late = (today - _day(due_on)).days if due_on and rating != "blue" else 0
        rows.append(
            [
                title or "",
                review_kind or "",
                year,
                plan or "",
                number or "",
                priority_title or "",
                reference,
                parent_ref or "",
                kind.capitalize(),
                text,
                "; ".join(get_themes(item_id, ())),
                _agency(lead_name, lead_short) if lead_short else "",
                "; ".join(get_supporting(item_id, ())),
                timescale,
                due_on,
                late if late > 0 else "",  # days overdue, as the log's Overdue column counts them
                original_timescale,
                original_due_on,
                rating.capitalize() if rating else "",  # as Rating.label
                owner,
                evidence,
                impact,
                update_text or "",
                update_on,
                created_on,
                "Yes" if illustrative else "",
            ]  # in the order of COLUMNS
        )
    if order is not None:
        place = {item_id: n for n, item_id in enumerate(ids_matching(session, f, rules, *order))}
        ranked = sorted(range(len(rows)), key=lambda n: place.get(row_ids[n], len(place)))
        rows = [rows[n] for n in ranked]
    headings = [heading for heading, _width in COLUMNS]
    empty = {i for i, heading in enumerate(headings) if heading in _OPTIONAL_COLUMNS}
    empty = {i for i in empty if not any(row[i] for row in rows)}
    if empty:
        keep = [i for i in range(len(headings)) if i not in empty]
        pick = itemgetter(*keep)
        headings = list(pick(headings))
        rows = [list(pick(row)) for row in rows]
    return headings, rows


def _day(value: str | date) -> date:
    """A date as the driver gives it: SQLite's ISO text, or PostgreSQL's date."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _raw(column: Any) -> Any:
    """A column as the text stored (dates and choices), skipping SQLAlchemy's conversion."""
    return type_coerce(column, String)


def _agency(name: str, short: str) -> str:
    """ "Surrey County Council (SCC)": readable, and an empty tracker can be given both names."""
    return short if name == short else f"{name} ({short})"


def _grouped(session: Session, statement: Select[Any]) -> dict[int, list[str]]:
    """Names by item id, from rows of (item id, name, short name)."""
    found: dict[int, list[str]] = defaultdict(list)
    for item_id, name, short in driver_rows(session.connection(), statement):
        found[item_id].append(_agency(name, short))
    return found


def _csv(headings: Sequence[str], rows: list[list[Any]], handle: BinaryIO) -> None:
    """Stream the rows into ``handle`` (the file is written as it goes, not built in memory)."""
    # The BOM tells Excel the file is UTF-8.
    out = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    starts = frozenset(FORMULA_STARTS)
    # Text a spreadsheet would run as a formula goes behind an apostrophe (as spreadsheet_safety
    # does), changed in place: the rows are this export's own. The csv module writes None as
    # an empty cell, and dates arrive as ISO text.
    for row in rows:
        for index, value in enumerate(row):
            if (
                value
                and type(value) is str
                and (value[0] in starts or (value[0] == "'" and neutralise(value) != value))
            ):
                row[index] = "'" + value  # and "'=x" of its own becomes "''=x", to come back exactly
    writer.writerows(rows)
    out.flush()
    out.detach()  # the caller closes the file


class _Workbook:
    """The rows as a workbook: one Log sheet with a bold, frozen header row and a filter.

    Written with the packs' own SpreadsheetML writer, not openpyxl, which took four to five
    seconds for 10,000 items (a Python object per cell). Texts are always text cells; dates
    are date cells shown as dd/mm/yyyy. A text longer than a cell holds never reaches it: the
    export is refused first (see _refuse_overlong).
    """

    def __init__(
        self, headings: Sequence[str], rows: Sequence[Sequence[Any]], marking: str, progress: Progress | None
    ) -> None:
        self.headings, self.rows, self.marking, self.progress = headings, rows, marking, progress

    def write(self, handle: BinaryIO) -> None:
        from sscp_tui.services.packs.xlsx_writer import Sheet, Styled, safe_text, save

        widths = dict(COLUMNS)
        headings, rows, progress = self.headings, self.rows, self.progress
        sheet = Sheet(
            "Log",
            widths=[widths[heading] for heading in headings],
            freeze_header=True,
            autofilter=True,
            header_text=self.marking,
            footer_text=self.marking,
        )
        sheet.append([Styled(heading, "header") for heading in headings])
        dated = [i for i, heading in enumerate(headings) if heading in _DATE_COLUMNS]

        def cells(count: int, row: Sequence[Any]) -> list[Any]:
            if progress and count % 2000 == 0:
                progress("writing", count, len(rows))
            out = list(row)
            for index, value in enumerate(out):
                if value and type(value) is str:
                    # Any formula-like text behind an apostrophe, as in the CSV export.
                    out[index] = safe_text(value)
            for index in dated:
                value = out[index]
                if type(value) is str:
                    out[index] = date.fromisoformat(value)
            return out

        sheet.stream((cells(n, row) for n, row in enumerate(rows, 1)), len(rows), len(headings))
        save(handle, [sheet], "The log")


def _write_private(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write the whole file, readable only by its owner, replacing ``path`` only when done."""
    try:
        with atomic_private_file(path) as handle:
            write(handle)
    except OSError as exc:
        raise TransferError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
