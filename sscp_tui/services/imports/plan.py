"""The plan of an import, which is its dry run: what each row would do, and why.

    found = plan(tracker, Path("log.xlsx"), ImportOptions(create_agencies=True))
    for outcome in found.rows: ...          # the dry run, row by row
    report = write.apply(tracker, found)    # one transaction; raises TransferError, writes nothing

Both take an optional ``progress(stage, done, total)`` callback ("reading", "checking",
"writing"; total 0 while not yet known). They block: a screen runs them in a thread worker
and posts progress back with ``call_from_thread``. Every error is a :class:`TransferError`
whose message is one sentence for the user.

Matching: an item is the same when it has the same review and reference, else the same
review and text. A blank cell never clears what the tracker holds; a changed value is
written with :func:`edits.change_field`, so history records it with source "import" and the
note "Imported from FILE row N". A progress update is added only when its text differs
from the item's latest update.

Reviews missing from the tracker are created (status published) when their type is known:
from a "Review type" column, from the start of the name ("SCR Child A", "LCSPR Family B",
"Rapid Review …", "DHR …"), or from ``ImportOptions.review_kind``; otherwise the row is
rejected. Unknown agencies are rejected, or created as relevant agencies with
``create_agencies``. Plans and priorities are matched, never created.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from sscp_tui.db.models import ReviewKind
from sscp_tui.services.imports.headings import LABELS, parse_mapping
from sscp_tui.services.imports.match import UPDATABLE, Decision, Matcher, NewReview, tracker_mark
from sscp_tui.services.imports.read import read_workbook
from sscp_tui.services.imports.rows import ReadRow, read_rows
from sscp_tui.services.imports.table import Tables, find_tables
from sscp_tui.services.queries import review_label
from sscp_tui.services.tracker import Tracker
from sscp_tui.services.transfer import Cell, Progress, TransferError, few_collections

__all__ = ["ImportOptions", "ImportPlan", "ImportReport", "RowAction", "RowOutcome", "TransferError", "plan"]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    sheet: str | None = None  # default: the sheet whose header names the most fields
    mapping: tuple[tuple[str, str], ...] = ()  # (heading, field); field "" leaves it out
    create_agencies: bool = False
    review: str = ""  # the review of rows with no review name (a sheet for one review)
    review_kind: ReviewKind | None = None  # the type of new reviews whose type is not written
    skip_rejected: bool = False  # import the good rows; the rejected go to a CSV beside the file


DEFAULTS = ImportOptions()


class RowAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    row: int  # the spreadsheet's row number
    action: RowAction
    source: str  # "SCR Child A (2019)", or "Plan › Priority 2"
    reference: str
    changes: tuple[str, ...] = ()  # labels of the fields changed, and "progress update"
    reason: str = ""  # why rejected or skipped; a note for others
    item_id: int | None = None
    sheet: str = ""  # the sheet it is on, in a workbook of several
    line: int = 0  # unique among the rows of one import
    updates: int = 0  # the progress updates it adds

    @property
    def where(self) -> str:
        return f"'{self.sheet}' row {self.row}" if self.sheet else f"row {self.row}"

    @property
    def detail(self) -> str:
        parts = [", ".join(self.changes)] if self.changes else []
        return "; ".join([*parts, self.reason] if self.reason else parts)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    source: Path
    description: str  # "log.xlsx, sheet 'Log': header on row 4, 52 rows below it"
    sheet_columns: tuple[tuple[str, tuple[str, ...]], ...]  # each sheet, its columns and their fields
    rows: tuple[RowOutcome, ...]
    new_reviews: tuple[str, ...]
    new_priorities: tuple[str, ...]
    new_agencies: tuple[str, ...]
    new_themes: tuple[str, ...]
    options: ImportOptions
    read: tuple[ReadRow, ...] = field(repr=False, default=())
    skipped: tuple[str, ...] = ()  # the sheets not read, each with the reason
    # The rejected rows as the file has them, under its own headings, to be written out to put
    # right (--skip-rejected): each sheet's header, and each rejected row's sheet, number, cells.
    headers: dict[str, tuple[Cell, ...]] = field(repr=False, default_factory=dict)
    rejected_cells: tuple[tuple[str, int, tuple[Cell, ...]], ...] = field(repr=False, default=())
    # The decisions made, and the mark of the tracker they were made against: the write reuses
    # them when the tracker is unchanged, and decides again when it is not.
    mark: tuple[int | None, ...] = field(repr=False, default=())
    matcher: Matcher | None = field(repr=False, default=None)
    decisions: list[Decision] = field(repr=False, default_factory=list)

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.rows if row.action is action)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column read and the field it feeds (of each sheet, named, when several)."""
        several = len(self.sheet_columns) > 1
        return tuple(f"'{sheet}' {c}" if several else c for sheet, cols in self.sheet_columns for c in cols)

    @property
    def good(self) -> int:
        """The rows that would be written: created or updated."""
        return self.count(RowAction.CREATE) + self.count(RowAction.UPDATE)

    @property
    def rejected(self) -> tuple[RowOutcome, ...]:
        return tuple(row for row in self.rows if row.action is RowAction.REJECT)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        return _summary(self.rows, self.new_reviews, self.new_priorities, self.new_agencies, would=True)


@dataclass(frozen=True, slots=True)
class ImportReport:
    source: Path
    rows: tuple[RowOutcome, ...]
    new_reviews: tuple[str, ...]
    new_priorities: tuple[str, ...]
    new_agencies: tuple[str, ...]
    new_themes: tuple[str, ...]
    fields_changed: int
    updates_added: int
    batch: str  # the history batch of every change (an import is not undone with u)
    rejected_files: tuple[Path, ...] = ()  # where the rejected rows were written (--skip-rejected)

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.rows if row.action is action)

    def summary(self) -> str:
        return _summary(self.rows, self.new_reviews, self.new_priorities, self.new_agencies, would=False)


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"


def _summary(
    rows: tuple[RowOutcome, ...],
    reviews: tuple[str, ...],
    priorities: tuple[str, ...],
    agencies: tuple[str, ...],
    *,
    would: bool,
) -> str:
    """E.g. "Would create 3 items, update 2 and leave 5 unchanged; would add 1 review; 1 row rejected"."""
    count = {action: sum(1 for r in rows if r.action is action) for action in RowAction}
    create, update, leave = ("Would create", "update", "leave") if would else ("Created", "updated", "left")
    parts = [
        f"{create} {_plural(count[RowAction.CREATE], 'item')}, {update} {count[RowAction.UPDATE]} "
        f"and {leave} {count[RowAction.UNCHANGED]} unchanged"
    ]
    added = [_plural(len(names), noun) for names, noun in
             ((reviews, "review"), (priorities, "priority"), (agencies, "agency")) if names]  # fmt: skip
    unsure = sum(1 for name in reviews if name.endswith(f"({TYPE_TO_CONFIRM})"))
    if unsure:  # "3 reviews (2 of them with their type to confirm)"
        added[0] += f" ({unsure} with {'its' if unsure == 1 else 'their'} type to confirm)"
    updates = sum(r.updates for r in rows if r.action in (RowAction.CREATE, RowAction.UPDATE))
    if updates:
        added.append(_plural(updates, "progress update"))
    if added:
        listed = ", ".join(added[:-1]) + " and " + added[-1] if len(added) > 1 else added[0]
        parts.append(f"{'would add' if would else 'added'} {listed}")
    if count[RowAction.REJECT]:
        parts.append(f"{_plural(count[RowAction.REJECT], 'row')} rejected")
    if count[RowAction.SKIP]:
        parts.append(f"{_plural(count[RowAction.SKIP], 'row')} skipped")
    return "; ".join(parts) + "."


# --- planning --------------------------------------------------------------------------------
def plan(
    tracker: Tracker, path: Path, options: ImportOptions = DEFAULTS, progress: Progress | None = None
) -> ImportPlan:
    """Read ``path`` and say what importing it would do, row by row. Writes nothing."""
    with few_collections():
        return _plan(tracker, path, options, progress)


def _plan(tracker: Tracker, path: Path, options: ImportOptions, progress: Progress | None) -> ImportPlan:
    try:  # fields may be given by name or label ("lead_agency", "Lead agency")
        options = replace(options, mapping=parse_mapping(tuple(f"{h}={f}" for h, f in options.mapping)))
    except ValueError as exc:
        raise TransferError(str(exc)) from exc
    book = read_workbook(path, sheet=options.sheet, progress=progress)
    found = find_tables(book, options.mapping, chosen=options.sheet is not None)
    read = _read(found, options, progress)
    with tracker.store.read() as session:
        mark = tracker_mark(session)
        matcher = matcher_for(session, options)
        decisions = matcher.decide_all(list(read))
    if progress:
        progress("checking", len(read), len(read))
    rejected = {(d.row.sheet, d.row.number) for d in decisions if d.action == "reject"}
    return ImportPlan(
        source=path,
        description=found.describe(),
        sheet_columns=_columns(found),
        rows=tuple(outcome(d) for d in decisions),
        **news(matcher, decisions),
        options=options,
        read=read,
        skipped=tuple(f"'{s.sheet}': {s.reason}" for s in found.skipped),
        headers={found.label(table): table.header for table in found.tables},
        rejected_cells=tuple(
            (found.label(table), row.number, row.cells)
            for table in found.tables
            for row in table.rows
            if (found.label(table), row.number) in rejected
        ),
        mark=mark,
        matcher=matcher,
        decisions=decisions,
    )


def _columns(found: Tables) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each sheet's columns and the field each feeds."""
    return tuple((found.label(table), tuple(c.describe() for c in table.columns)) for table in found.tables)


def _read(found: Tables, options: ImportOptions, progress: Progress | None) -> tuple[ReadRow, ...]:
    name = found.source.name
    total = sum(len(table.rows) for table in found.tables)
    done = 0
    read: list[ReadRow] = []
    for table in found.tables:
        tick = (lambda position, base=done: progress("reading", base + position, total)) if progress else None
        read.extend(read_rows(table, sheet=found.label(table), key=found.key, default_review=options.review,
                              mapping=options.mapping, first_line=len(read), progress=tick))  # fmt: skip
        done += len(table.rows)
    if not read:
        table = found.tables[0]
        raise TransferError(f"{name} has a header on row {table.header_row} but no rows below it.")
    items = [row for row in read if not row.skip]
    if items and not any(row.review or row.priority or row.plan for row in items):
        raise TransferError(
            f"{name} does not say which review its rows belong to (looked for a 'Review' column, a "
            "section row or a title naming one, and the sheet's name); name the column with --map "
            '"Heading=review", or give the review with --review.'
        )
    return tuple(read)


def news(matcher: Matcher, decisions: list[Decision]) -> dict[str, tuple[str, ...]]:
    """The reviews, agencies and themes that the rows to be written would add."""
    needed = matcher.needed(decisions)
    return {
        "new_reviews": tuple(_new_review_label(r) for r in needed.reviews.values()),
        "new_priorities": tuple(
            f"{p.plan} › Priority {p.number} {p.title}" for p in needed.priorities.values()
        ),
        "new_agencies": tuple(f"{a.name} ({a.short_name})" for a in needed.agencies),
        "new_themes": needed.themes,
    }


def matcher_for(session: Session, options: ImportOptions) -> Matcher:
    return Matcher(session, create_agencies=options.create_agencies, review_kind=options.review_kind)


TYPE_TO_CONFIRM = "type to confirm"


def _new_review_label(review: NewReview) -> str:
    """ "SCR Child A (2019)", or "Child R (type to confirm)" where the log never says its type."""
    label = review_label(review.kind, review.title, review.year)
    return f"{label} ({TYPE_TO_CONFIRM})" if review.kind is ReviewKind.TO_CONFIRM else label


def _written_source(row: ReadRow) -> str:
    if row.review or not row.priority:
        return row.review
    return f"{row.plan} › Priority {row.priority}" if row.plan else f"Priority {row.priority}"


def outcome(decision: Decision, item_id: int | None = None) -> RowOutcome:
    changes: tuple[str, ...] = ()
    if decision.action == "update":
        changes = tuple(LABELS[name].lower() for name in UPDATABLE if name in decision.changes)
        if decision.add_update:
            changes += ("new progress update",)
    return RowOutcome(
        row=decision.row.number,
        action=RowAction(decision.action),
        source=decision.source.label if decision.source else _written_source(decision.row),
        reference=decision.reference or decision.row.reference,
        changes=changes,
        reason=decision.reason,
        item_id=item_id or decision.item_id,
        sheet=decision.row.sheet,
        line=decision.row.line,
        updates=len(decision.updates) if decision.action in ("create", "update") else 0,
    )
