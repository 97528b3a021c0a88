"""Writing an import: what the matcher decided, in the caller's one transaction.

Changed fields of existing items go through :func:`edits.change_field`, so their history is
written as every other edit's. New items and progress updates are inserted in batches with
exactly the rows :func:`edits.create_item` and :func:`edits.add_update` would write (those
flush once per item, about 2 ms each, which would make a 50,000-row import take minutes);
tests hold the two to the same result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from sscp_tui.db import failures, tallies
from sscp_tui.db.bulk import insert_rows, reserve_ids, roomy_cache
from sscp_tui.db.models import (
    Agency,
    AgencyKind,
    Base,
    Priority,
    Review,
    ReviewStatus,
    StrategicPlan,
    Theme,
    TrackedItem,
    item_supporting_agencies,
    item_themes,
)
from sscp_tui.paths import write_private_text
from sscp_tui.services import catalog, conflicts
from sscp_tui.services.edits import (
    EditContext,
    EditError,
    add_search_words,
    change_field,
    compose_search_words,
    record,
    reference_key,
    refresh_search,
)
from sscp_tui.services.imports.cells import Update, cell_text
from sscp_tui.services.imports.items import field_text
from sscp_tui.services.imports.match import (
    CHUNK,
    UPDATABLE,
    Decision,
    ItemValues,
    Matcher,
    NewPriority,
    NewReview,
    ReviewKey,
    Source,
    ref_key,
    tracker_mark,
)
from sscp_tui.services.imports.plan import ImportPlan, ImportReport, RowAction, matcher_for, news, outcome
from sscp_tui.services.item_rows import review_label
from sscp_tui.services.spreadsheet_safety import neutralise
from sscp_tui.services.tracker import Tracker
from sscp_tui.services.transfer import Cell, Progress, TransferError, few_collections

_ITEMS = Base.metadata.tables["items"]
_UPDATES = Base.metadata.tables["progress_updates"]
_HISTORY = Base.metadata.tables["history"]


@dataclass
class Writer:
    """Writes what a :class:`Matcher` decided, inside the caller's transaction."""

    ctx: EditContext
    file_name: str
    as_of: date
    progress: Progress | None
    agency_ids: dict[str, int] = field(default_factory=dict)
    theme_ids: dict[str, int] = field(default_factory=dict)
    review_ids: dict[object, int] = field(default_factory=dict)
    priority_ids: dict[object, int] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)  # each review's title, by id
    fields_changed: int = 0
    updates_added: int = 0

    def note(self, where: str) -> str:
        return f"Imported from {self.file_name} {where}"

    def at(self, where: str) -> EditContext:
        return replace(self.ctx, note=self.note(where))

    def write(self, session: Session, matcher: Matcher, decisions: list[Decision]) -> dict[int, int]:
        """Create the agencies, reviews and themes the kept rows need, update and create their
        items (rejected and skipped rows are left out); return the id of each created item by
        its line (ReadRow.line)."""
        needed = matcher.needed(decisions)
        decisions = [d for d in decisions if d.action in ("create", "update")]
        for agency in needed.agencies:
            catalog.create_agency(session, self.at(agency.where), agency.name, agency.short_name,
                                  AgencyKind.RELEVANT)  # fmt: skip
        self._create_reviews(session, needed.reviews)
        self._create_priorities(session, needed.priorities)
        for name in needed.themes:
            session.add(Theme(name=name))
        session.flush()
        self.agency_ids = {short: id_ for short, id_ in session.execute(select(Agency.short_name, Agency.id))}
        self.theme_ids = {name: id_ for name, id_ in session.execute(select(Theme.name, Theme.id))}
        self.titles = {id_: title for id_, title in session.execute(select(Review.id, Review.title))}
        total, done = len(decisions), 0
        updates = [d for d in decisions if d.action == "update"]
        ids = {d.item_id: d for d in updates}
        for start in range(0, len(updates), CHUNK):
            chunk = [d.item_id for d in updates[start : start + CHUNK]]
            for item in session.scalars(
                select(TrackedItem).where(TrackedItem.id.in_(chunk)).options(
                    selectinload(TrackedItem.lead_agency), selectinload(TrackedItem.supporting_agencies),
                    selectinload(TrackedItem.themes))
            ):  # fmt: skip
                self._update(session, item, ids[item.id])
            done += len(chunk)
            self._tick(done, total)
        self._add_updates(session, [d for d in updates if d.add_update])
        created = self._create(session, [d for d in decisions if d.action == "create"], done, total)
        self._link_parents(session, matcher, decisions, created)
        self._tick(total, total)
        return created

    def _create_reviews(self, session: Session, reviews: dict[ReviewKey, NewReview]) -> None:
        """The reviews the file names and the tracker lacks, in one insert, with the history
        ``catalog.save_review`` writes for a new review ("created", and its year). A log names
        hundreds; saving them one by one took a second and more."""
        if not reviews:
            return
        wanted = list(reviews.items())
        deleted = {
            (kind, title, year)
            for kind, title, year in session.execute(
                select(Review.kind, Review.title, Review.year).where(Review.deleted_at.is_not(None))
            )
        }
        for _key, review in wanted:
            if (review.kind, review.title, review.year) in deleted:
                label = review_label(review.kind, review.title, review.year)
                raise EditError(f"There is already a review called {label} (deleted); rename it in the file.")
        rows = [{"kind": r.kind, "title": r.title, "year": r.year, "status": ReviewStatus.PUBLISHED,
                 "notes": ""} for _key, r in wanted]  # fmt: skip
        made = session.execute(
            insert(Review).returning(Review.id, Review.kind, Review.title, Review.year), rows
        )
        id_of = {(kind, title, year): review_id for review_id, kind, title, year in made}
        history = []
        for key, review in wanted:
            review_id = id_of[(review.kind, review.title, review.year)]
            self.review_ids[key] = review_id
            note = self.note(review.where)
            history.append(_history(self.ctx, note, review_id, "created", review.title, entity="review"))
            if review.year is not None:
                history.append(_history(self.ctx, note, review_id, "year", str(review.year), entity="review"))
        insert_rows(session, _HISTORY, history)

    def _create_priorities(self, session: Session, priorities: dict[tuple[str, str], NewPriority]) -> None:
        """Plans and priorities named in the file and missing from the tracker."""
        plans = {plan.title: plan for plan in session.scalars(select(StrategicPlan))}
        for key, new in priorities.items():
            ctx = self.at(new.where)
            if new.plan not in plans:
                plans[new.plan] = StrategicPlan(title=new.plan, period="")
                session.add(plans[new.plan])
                session.flush()
                record(session, ctx, "plan", plans[new.plan].id, "created", None, new.plan)
            position = int(new.number) if new.number.isdigit() else 0
            priority = Priority(plan_id=plans[new.plan].id, number=new.number, position=position,
                                title=new.title, objective="")  # fmt: skip
            session.add(priority)
            session.flush()
            record(session, ctx, "priority", priority.id, "created", None, f"{new.number} {new.title}")
            self.priority_ids[key] = priority.id

    def _link_parents(
        self, session: Session, matcher: Matcher, decisions: list[Decision], created: dict[int, int]
    ) -> None:
        """Put each new item under its parent (an item of the same review or priority)."""
        new = [d for d in decisions if d.action == "create" and d.source is not None]
        wanted = [
            (d.source, d.new.parent, created[d.row.line]) for d in new if d.source and d.new and d.new.parent
        ]
        if not wanted:
            return
        made = {(d.source.ident, ref_key(d.reference)): created[d.row.line] for d in new if d.source}
        ids = matcher.parent_ids(made)
        links = [
            {"child": child, "parent": ids[source.ident][ref_key(parent)]} for source, parent, child in wanted
        ]
        statement = (
            update(_ITEMS).where(_ITEMS.c.id == bindparam("child")).values(parent_id=bindparam("parent"))
        )
        session.execute(statement, links)

    def _tick(self, done: int, total: int) -> None:
        if self.progress:
            self.progress("writing", done, total)

    def _update(self, session: Session, item: TrackedItem, decision: Decision) -> None:
        ctx = self.at(decision.row.where)
        for name in UPDATABLE:
            if name in decision.changes:
                self.fields_changed += change_field(
                    session, ctx, item, name, field_text(decision.changes[name])
                )

    def _update_day(self, update: Update) -> date:
        return update.on or self.as_of

    def _latest(self, updates: Sequence[Update]) -> str:
        """The text of the latest of a new item's updates (the last of those on its day)."""
        if not updates:
            return ""
        day = max(map(self._update_day, updates))
        return [u for u in updates if self._update_day(u) == day][-1].text.strip()

    def _add_updates(self, session: Session, decisions: list[Decision]) -> None:
        """New progress updates on existing items: the rows ``edits.add_update`` writes, in bulk
        (it reloads the item and flushes once per update, ~2 ms each)."""
        if not decisions:
            return
        rows = [self._update_row(d.item_id, u) for d in decisions if d.item_id is not None for u in d.updates]
        insert_rows(session, _UPDATES, rows)
        # As edits.add_update records each: in the item's history, and seen by others' screens.
        history = [
            _history(
                self.ctx,
                self.note(d.row.where),
                d.item_id,
                conflicts.PROGRESS_UPDATE,
                conflicts.update_gist(u.text),
            )
            for d in decisions
            if d.item_id is not None
            for u in d.updates
        ]
        insert_rows(session, _HISTORY, history)
        newest: dict[int, date] = {}
        for entry in rows:
            newest[entry["item_id"]] = max(
                entry["written_on"], newest.get(entry["item_id"], entry["written_on"])
            )
        for start in range(0, len(newest), CHUNK):
            chunk = list(newest)[start : start + CHUNK]
            for item in session.scalars(select(TrackedItem).where(TrackedItem.id.in_(chunk))):
                if item.last_update_on is None or newest[item.id] >= item.last_update_on:
                    item.last_update_on = newest[item.id]
                    session.flush()
                    refresh_search(session, item)  # its latest update is searched
        session.flush()
        self.updates_added += len(rows)

    def _update_row(self, item_id: int | None, update: Update) -> dict[str, Any]:
        return {"item_id": item_id, "written_on": self._update_day(update), "author": self.ctx.author,
                "text": update.text.strip(), "proposed_rating": None, "created_at": self.ctx.now}  # fmt: skip

    def _create(self, session: Session, decisions: list[Decision], done: int, total: int) -> dict[int, int]:
        """New items, as ``edits.create_item`` makes them (the same columns, the same "created"
        and "rating" history), inserted in chunks rather than flushed one at a time."""
        created: dict[int, int] = {}
        with tallies.counted_in_bulk(session.connection()):
            for start in range(0, len(decisions), CHUNK):
                chunk = decisions[start : start + CHUNK]
                ids = reserve_ids(session, _ITEMS, len(chunk))
                rows = [self._item_row(item_id, d) for item_id, d in zip(ids, chunk, strict=True)]
                insert_rows(session, _ITEMS, rows)
                supporting: list[dict[str, Any]] = []
                themes: list[dict[str, Any]] = []
                updates: list[dict[str, Any]] = []
                history: list[dict[str, Any]] = []
                for decision, item_id, values in zip(chunk, ids, rows, strict=True):
                    created[decision.row.line] = item_id
                    note = self.note(decision.row.where)
                    created_as = f"{values['kind']} {values['reference']}"
                    history.append(_history(self.ctx, note, item_id, "created", created_as))
                    if values["rating"] is not None:
                        history.append(_history(self.ctx, note, item_id, "rating", values["rating"]))
                    new = _values(decision)
                    for short in new.supporting_agencies:
                        supporting.append({"item_id": item_id, "agency_id": self.agency_ids[short]})
                    for name in new.themes:
                        themes.append({"item_id": item_id, "theme_id": self.theme_ids[name]})
                    updates.extend(self._update_row(item_id, update) for update in decision.updates)
                tables = ((item_supporting_agencies, supporting), (item_themes, themes), (_UPDATES, updates),
                          (_HISTORY, history))  # fmt: skip
                for table, entries in tables:
                    insert_rows(session, table, entries)
                self.updates_added += len(updates)
                words = [(item_id, compose_search_words(row["reference"], row["text"], row["owner"],
                                                        self.titles.get(row["review_id"], ""),
                                                        row["evidence_completion"], row["evidence_impact"],
                                                        self._latest(decision.updates)))
                         for item_id, row, decision in zip(ids, rows, chunk, strict=True)]  # fmt: skip
                add_search_words(session, words)
                session.flush()
                self._tick(done + start + len(chunk), total)
        return created

    def _priority_id(self, source: Source) -> Any:
        if source.kind == "priority":
            return source.key
        return self.priority_ids[source.key] if source.kind == "new priority" else None

    def _item_row(self, item_id: int, decision: Decision) -> dict[str, Any]:
        new, source = _values(decision), decision.source
        assert source is not None  # a created row always has one
        review_id = self.review_ids[source.key] if source.kind == "new review" else None
        evidence = new.evidence_completion.strip()
        last_on = max(map(self._update_day, decision.updates)) if decision.updates else None
        return {
            "id": item_id,
            "kind": new.kind.value,
            "review_id": source.key if source.kind == "review" else review_id,
            "priority_id": self._priority_id(source),
            "parent_id": None,
            "reference": decision.reference.strip(),
            "reference_key": reference_key(decision.reference),
            "text": new.text.strip(),
            "lead_agency_id": self.agency_ids[new.lead_agency] if new.lead_agency else None,
            "timescale": new.timescale,
            "due_on": new.due_on,
            "original_timescale": new.original_timescale or new.timescale,
            "original_due_on": new.original_due_on or new.due_on,
            "rating": new.rating.value if new.rating else None,
            "owner": new.owner,
            "evidence_completion": new.evidence_completion,
            # Bulk inserts skip the ORM's attribute events, so the flag is set here.
            "evidenced": bool(evidence),
            "evidence_impact": new.evidence_impact,
            "illustrative": new.illustrative,
            # A file giving an original timescale and another, revised, says it was revised.
            "timescale_revisions": int(
                bool(new.original_timescale) and new.original_timescale != new.timescale
            ),
            # Delivered, as far as the file says, by its latest update (else the day it came in).
            "delivered_on": (last_on or self.ctx.now.date()) if evidence else None,
            "last_update_on": last_on,
            "created_on": decision.row.created_on or self.ctx.now.date(),
            "deleted_at": None,
        }


def _values(decision: Decision) -> ItemValues:
    assert decision.new is not None  # every created row's decision carries its values
    return decision.new


def _history(
    ctx: EditContext, note: str, item_id: int, name: str, new: str, *, entity: str = "item"
) -> dict[str, Any]:
    """The row ``edits.record`` adds for a new item's (or review's) field (old value None), as
    a plain row for a bulk insert. A test holds imported history to the shape ``create_item``
    writes."""
    return {"entity": entity, "entity_id": item_id, "field": name, "old_value": None, "new_value": new,
            "note": note, "author": ctx.author, "changed_at": ctx.now, "source": ctx.source,
            "batch": ctx.batch}  # fmt: skip


# --- applying --------------------------------------------------------------------------------
BULK_IMPORT = 500  # new items from one import after which the planner's statistics are refreshed


def apply(tracker: Tracker, found: ImportPlan, progress: Progress | None = None) -> ImportReport:
    """Import what ``found`` planned, in one transaction. All or nothing by default: any
    rejected row, or any failure, raises TransferError and nothing is written. With
    ``skip_rejected`` the good rows are imported and the rejected ones are written, with the
    reason for each, to a CSV beside the file (see :func:`write_rejected`)."""
    with few_collections():
        return _apply(tracker, found, progress)


def _apply(tracker: Tracker, found: ImportPlan, progress: Progress | None) -> ImportReport:
    skipping = found.options.skip_rejected
    if not found.ok and not skipping:
        first = found.rejected[0]
        more = len(found.rejected) - 1
        also = f" (and {more} more rows)" if more else ""
        raise TransferError(f"Row {first.row}: {first.reason}{also} Nothing was imported.")
    if found.rejected and not found.good and not found.count(RowAction.UNCHANGED):
        raise TransferError("No row of the file can be imported; nothing was written.")
    ctx = EditContext(author=tracker.settings.author, source="import",
                      note=f"Imported from {found.source.name}")  # fmt: skip
    tracker.own_batches.add(ctx.batch)
    writer = Writer(ctx, found.source.name, tracker.as_of, progress)
    planned = {row.line for row in found.rejected}
    rejected_files = write_rejected(found) if found.rejected else ()
    try:
        with tracker.store.write() as session, roomy_cache(session):
            if found.matcher is not None and found.mark and tracker_mark(session) == found.mark:
                matcher, decisions = found.matcher, found.decisions  # nothing changed since the plan
            else:
                matcher = matcher_for(session, found.options)
                decisions = matcher.decide_all(list(found.read))
                _refuse_changed_since(session, tracker, found, decisions)
            late = [d for d in decisions if d.action == "reject" and d.row.line not in planned]
            if late:  # the tracker changed since the plan was made
                where = late[0].row.where.capitalize()
                raise TransferError(f"{where}: {late[0].reason} Nothing was imported.")
            created = writer.write(session, matcher, decisions)
            report = ImportReport(
                source=found.source,
                rows=tuple(outcome(d, created.get(d.row.line)) for d in decisions),
                **news(matcher, decisions),
                fields_changed=writer.fields_changed,
                updates_added=writer.updates_added,
                batch=ctx.batch,
                rejected_files=rejected_files,
            )
            # The import itself, as one event: every change it made shares its batch.
            record(session, ctx, "import", 0, "file", None, str(found.source), note=report.summary())
    except TransferError:
        _discard(rejected_files)
        raise
    except EditError as exc:
        _discard(rejected_files)
        raise TransferError(f"{exc} Nothing was imported.") from exc
    except DBAPIError as exc:
        _discard(rejected_files)
        failure = failures.classify(exc)
        if failure is failures.Failure.BUSY:
            raise TransferError("The tracker is busy with another change; nothing was imported. "
                                "Try again in a moment.") from exc  # fmt: skip
        if failure is not failures.Failure.OTHER:
            raise TransferError(
                f"Nothing was imported. {failures.sentence(exc, tracker.store.location)}"
            ) from exc
        raise TransferError(
            f"The import could not be saved ({failures.reason(exc)}); nothing was imported."
        ) from exc
    if len(created) >= BULK_IMPORT:
        tracker.store.refresh_statistics()  # the planner's view of a log that just grew a lot
    return report


def _refuse_changed_since(
    session: Session, tracker: Tracker, found: ImportPlan, decisions: list[Decision]
) -> None:
    """An item the plan would change that someone else changed after the plan was made (its
    user read the dry run, not what is there now): nothing is imported, and it is named."""
    seen = found.mark[0] if found.mark else None
    updating = {d.item_id: d for d in decisions if d.action == "update" and d.item_id is not None}
    later = conflicts.later_changes(session, "item", list(updating), seen, tracker.own_batches)
    if not later:
        return
    first = min(later.values(), key=lambda change: change.history_id)
    more = len(later) - 1
    also = f" (and {more} more of the items it changes)" if more else ""
    where = updating[first.entity_id].row.where.capitalize()
    raise TransferError(
        f"{where}: {conflicts.said(first, 'its item')}{also}, after this import was planned; nothing "
        "was imported. Run the import again to see what it would change now."
    )


def rejected_path(source: Path, sheet: str = "") -> Path:
    """Where the rejected rows of ``source`` (of one of its sheets) go: beside it, never over an
    existing file."""
    stem = f"{source.stem} - {sheet} - rejected rows" if sheet else f"{source.stem} - rejected rows"
    base = source.with_name(f"{stem}.csv")
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{stem} ({number}).csv")
        number += 1
    return candidate


def write_rejected(found: ImportPlan) -> tuple[Path, ...]:
    """The rejected rows as the file has them, under its own headings, with a first column
    saying why each was rejected: put them right there and import that file. Rows of sheets
    with different headings go to a file each. Written before anything is imported, so a
    folder that cannot be written stops the import whole."""
    reasons = {(row.sheet, row.row): row.reason for row in found.rejected}
    groups: dict[tuple[Cell, ...], list[tuple[str, int, tuple[Cell, ...]]]] = {}
    for entry in found.rejected_cells:
        groups.setdefault(found.headers.get(entry[0], ()), []).append(entry)
    written: list[Path] = []
    try:
        for header, entries in groups.items():
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(["Why it was not imported", "Row", *(cell_text(c) for c in header)])
            for sheet, number, cells in entries:
                where = f"{sheet} {number}" if len(groups) == 1 and len(found.headers) > 1 else number
                writer.writerow([neutralise(reasons.get((sheet, number), "")), where,
                                 *(neutralise(cell_text(c)) for c in cells)])  # fmt: skip
            target = rejected_path(found.source, entries[0][0] if len(groups) > 1 else "")
            write_private_text(target, out.getvalue())
            written.append(target)
    except OSError as exc:
        _discard(tuple(written))
        raise TransferError(
            f"Cannot write the rejected rows beside {found.source.name} ({exc.strerror or exc}); "
            "nothing was imported."
        ) from exc
    return tuple(written)


def _discard(paths: tuple[Path, ...]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
