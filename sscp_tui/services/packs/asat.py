"""Every tracked item as it stood at the end of a given day, rebuilt from history in bulk.

An item that no history row touches after T, and that is dated on or before the day, is as
it is now: every change leaves a row, so its present values are the ones it had at T. For any
other item, the value of a field at T is the new value of the latest history row at or
before T; when every row for that field is later than T, it is the old value of the first row
after T; with no rows at all, it is the value held now. An item created after T, or deleted at
or before T, was not in the log at T (an item with no record of its creation counts from its
``created_on`` day, which an import may set later than the day it was entered). Progress
updates written after the day, or entered after T, are left out.

A handful of queries whatever the size of the log: the items as they are now, then for each
day asked, for the items history decides, the latest row at or before it and the first row
after it per item and field (window functions, which SQLite has had since 3.25 and
PostgreSQL always), and the latest progress update per item. When nothing has changed since
T (the usual case for a pack made for today or for a meeting still to come) the history is
not read at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, case, func, select, union
from sqlalchemy.orm import Session, aliased

from sscp_tui.db.models import Agency, HistoryEntry, ItemKind, ProgressUpdate, Rating, TrackedItem
from sscp_tui.db.store import driver_rows
from sscp_tui.db.stored import stored_date, stored_day, stored_kind, stored_rating
from sscp_tui.services.packs.model import PackError, UpdateNote

# The item fields a pack shows or needs, plus the two that decide whether it existed.
FIELDS = (
    "rating",
    "timescale",
    "due_on",
    "lead_agency",
    "text",
    "reference",
    "owner",
    "evidence_completion",
    "evidence_impact",
    "deleted",
    "created",
)


@dataclass(slots=True)  # not frozen, for speed (see packs.model); never changed once made
class ItemAt:
    """One item's fields at the end of a day."""

    id: int
    kind: ItemKind
    review_id: int | None
    priority_id: int | None
    reference: str
    reference_key: str
    text: str
    lead_agency: str | None  # short name, as history records it
    timescale: str
    due_on: date | None
    rating: Rating | None
    owner: str
    evidence_completion: str
    evidence_impact: str
    created_on: date
    latest_update: UpdateNote | None
    parent_id: int | None = None
    revisions: int = 0  # times its timescale had been revised by the day
    delivered_on: date | None = None
    illustrative: bool = False


def end_of(day: date) -> datetime:
    """The first moment after ``day``: a change is "at or before" the day when it is earlier."""
    return datetime.combine(day + timedelta(days=1), time.min)


def _current_items(connection: Connection) -> list[Any]:
    statement = select(
        TrackedItem.id,
        TrackedItem.kind,
        TrackedItem.review_id,
        TrackedItem.priority_id,
        TrackedItem.reference,
        TrackedItem.reference_key,
        TrackedItem.text,
        Agency.short_name,
        TrackedItem.timescale,
        TrackedItem.due_on,
        TrackedItem.rating,
        TrackedItem.owner,
        TrackedItem.evidence_completion,
        TrackedItem.evidence_impact,
        TrackedItem.created_on,
        TrackedItem.deleted_at,
        TrackedItem.parent_id,
        TrackedItem.timescale_revisions,
        TrackedItem.delivered_on,
        TrackedItem.illustrative,
    ).outerjoin(Agency, TrackedItem.lead_agency_id == Agency.id)
    return [
        (item_id, stored_kind(kind), review_id, priority_id, reference, reference_key, text, lead,
         timescale, stored_date(due_on), stored_rating(rating), owner, evidence, impact,
         stored_day(created_on), deleted_at, parent_id, revisions or 0, stored_date(delivered_on),
         bool(illustrative))
        for (item_id, kind, review_id, priority_id, reference, reference_key, text, lead, timescale, due_on,
             rating, owner, evidence, impact, created_on, deleted_at, parent_id, revisions,
             delivered_on, illustrative) in driver_rows(connection, statement)
    ]  # fmt: skip


def _revisions_after(connection: Connection, cutoff: datetime) -> dict[int, int]:
    """Per item, the timescale revisions recorded from ``cutoff`` on (an undo takes one back):
    what to take off today's count for the count at ``cutoff``."""
    history = HistoryEntry
    step = case((history.source == "undo", -1), else_=1)
    statement = (
        select(history.entity_id, func.sum(step))
        .where(history.entity == "item", history.field == "timescale", history.old_value.is_not(None),
               history.new_value.is_not(None), history.changed_at >= cutoff)
        .group_by(history.entity_id)
    )  # fmt: skip
    return {item_id: int(count or 0) for item_id, count in connection.execute(statement)}


def _edge_rows(day: date, cutoff: datetime, *, before: bool) -> Select[Any]:
    """Per item whose history decides it (see ``changed_since``) and per field, the latest
    row before ``cutoff`` (or the first row from it)."""
    history = HistoryEntry
    if before:
        order = (history.changed_at.desc(), history.id.desc())
        when = history.changed_at < cutoff
        value = history.new_value
    else:
        order = (history.changed_at.asc(), history.id.asc())
        when = history.changed_at >= cutoff
        value = history.old_value
    # The items history decides: those changed from the cutoff on, and those dated after the
    # day (whose record of creation, where there is one, says when they really entered).
    changed_since = union(
        select(history.entity_id).where(
            history.entity == "item", history.field.in_(FIELDS), history.changed_at >= cutoff
        ),
        select(TrackedItem.id).where(TrackedItem.created_on > day),
    )
    ranked = (
        select(
            history.entity_id,
            history.field,
            value.label("value"),
            func.row_number()
            .over(partition_by=(history.entity_id, history.field), order_by=order)
            .label("rank"),
        )
        .where(history.entity == "item", history.field.in_(FIELDS), when)
        .where(history.entity_id.in_(changed_since))
        .subquery()
    )
    return select(ranked.c.entity_id, ranked.c.field, ranked.c.value).where(ranked.c.rank == 1)


def _latest_updates(connection: Connection, day: date, cutoff: datetime) -> dict[int, UpdateNote]:
    """Each item's latest progress update written by ``day`` and entered before ``cutoff``."""
    # Driven from the items, one index lookup each (not from every update, which is several
    # times as many lookups).
    update, other = ProgressUpdate, aliased(ProgressUpdate)
    latest = (
        select(other.id)
        .where(
            other.item_id == TrackedItem.id,
            other.written_on <= day,
            other.created_at < cutoff,
            other.withdrawn_at.is_(None),
        )
        .order_by(other.written_on.desc(), other.id.desc())
        .limit(1)
        .correlate(TrackedItem)
        .scalar_subquery()
    )
    columns = (update.item_id, update.written_on, update.author, update.text)
    rows = driver_rows(
        connection, select(*columns).select_from(TrackedItem).join(update, update.id == latest)
    )
    return {item_id: UpdateNote(stored_day(on), author, text) for item_id, on, author, text in rows}


class Snapshots:
    """Reads the items once, then answers "what did the log hold at the end of this day?"."""

    def __init__(self, session: Session) -> None:
        self._connection = session.connection()
        self._current = _current_items(self._connection)

    def _changes(self, day: date, cutoff: datetime) -> dict[int, dict[str, str | None]]:
        """Per item, each field's value at ``cutoff`` where history decides it."""
        changes: dict[int, dict[str, str | None]] = {}
        for item_id, name, value in self._connection.execute(_edge_rows(day, cutoff, before=True)):
            changes.setdefault(item_id, {})[name] = value
        for item_id, name, value in self._connection.execute(_edge_rows(day, cutoff, before=False)):
            changes.setdefault(item_id, {}).setdefault(name, value)
        return changes

    def _unchanged_since(self, day: date, cutoff: datetime) -> bool:
        """Whether the log now is the log at ``cutoff``: no item changed or entered it later.

        Then every field's latest history row is the change that gave its present value, so
        the present values are the answer and the history need not be read.
        """
        history = HistoryEntry
        later_change = select(history.id).where(history.entity == "item", history.changed_at >= cutoff)
        later_item = select(TrackedItem.id).where(TrackedItem.created_on > day)
        return all(self._connection.execute(q.limit(1)).first() is None for q in (later_change, later_item))

    def at(self, day: date, *, updates: bool = True) -> dict[int, ItemAt]:
        """The items in the log at the end of ``day``; ``updates=False`` skips progress updates."""
        cutoff = end_of(day)
        unchanged = self._unchanged_since(day, cutoff)
        changes = {} if unchanged else self._changes(day, cutoff)
        later_revisions = {} if unchanged else _revisions_after(self._connection, cutoff)
        notes = _latest_updates(self._connection, day, cutoff) if updates else {}
        result: dict[int, ItemAt] = {}
        for row in self._current:
            (item_id, kind, review_id, priority_id, reference, reference_key, text, lead, timescale,
             due_on, rating, owner, evidence, impact, created_on, deleted_at, parent_id, revisions,
             delivered_on, illustrative) = row  # fmt: skip
            changed = changes.get(item_id)
            if changed:
                # A creation row at or before the cutoff has a new value; one after it, none.
                created = changed["created"] is not None if "created" in changed else created_on <= day
                deleted = changed.get("deleted", deleted_at)
                if not created or deleted:
                    continue
                reference = changed.get("reference", reference) or ""
                text = changed.get("text", text) or ""
                lead = changed.get("lead_agency", lead)
                timescale = changed.get("timescale", timescale) or ""
                if "due_on" in changed:
                    due_on = _date(changed["due_on"], item_id)
                if "rating" in changed:
                    rating = _rating(changed["rating"], item_id)
                owner = changed.get("owner", owner) or ""
                evidence = changed.get("evidence_completion", evidence) or ""
                impact = changed.get("evidence_impact", impact) or ""
            elif created_on > day or deleted_at is not None:
                continue
            result[item_id] = ItemAt(
                item_id, kind, review_id, priority_id, reference, reference_key, text, lead, timescale,
                due_on, rating, owner, evidence, impact, created_on, notes.get(item_id), parent_id,
                max(0, revisions - later_revisions.get(item_id, 0)),
                delivered_on if delivered_on is None or delivered_on <= day else day, illustrative,
            )  # fmt: skip
        return result


def _date(text: str | None, item_id: int) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PackError(
            f"The history of item {item_id} holds a due date that cannot be read ('{text}')."
        ) from None


def _rating(text: str | None, item_id: int) -> Rating | None:
    if not text:
        return None
    try:
        return Rating(text)
    except ValueError:
        raise PackError(
            f"The history of item {item_id} holds a rating that cannot be read ('{text}')."
        ) from None
