"""Every tracked item as it stood at the end of a given day, rebuilt from history in bulk.

The value of a field at time T is the new value of the latest history row at or before T;
when every row for that field is later than T, it is the old value of the first row after T;
with no rows at all, it is the value held now. An item created after T, or deleted at or
before T, was not in the log at T. Progress updates entered after T are left out.

A handful of queries whatever the size of the log: the items as they are now, then for each
day asked the latest row at or before it and the first row after it per item and field
(window functions, which SQLite has had since 3.25 and PostgreSQL always), and the latest
progress update per item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from sscp_tui.db.models import Agency, HistoryEntry, ItemKind, ProgressUpdate, Rating, TrackedItem
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


@dataclass(frozen=True, slots=True)
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


def end_of(day: date) -> datetime:
    """The first moment after ``day``: a change is "at or before" the day when it is earlier."""
    return datetime.combine(day + timedelta(days=1), time.min)


def _current_items(session: Session) -> list[Any]:
    statement = select(
        TrackedItem.id,
        TrackedItem.kind,
        TrackedItem.review_id,
        TrackedItem.priority_id,
        TrackedItem.reference,
        TrackedItem.reference_key,
        TrackedItem.text,
        Agency.short_name.label("lead_agency"),
        TrackedItem.timescale,
        TrackedItem.due_on,
        TrackedItem.rating,
        TrackedItem.owner,
        TrackedItem.evidence_completion,
        TrackedItem.evidence_impact,
        TrackedItem.created_on,
        TrackedItem.deleted_at,
    ).outerjoin(Agency, TrackedItem.lead_agency_id == Agency.id)
    return list(session.execute(statement).all())


def _edge_rows(cutoff: datetime, *, before: bool) -> Select[Any]:
    """Per item and field, the latest row before ``cutoff`` (or the first row from it)."""
    history = HistoryEntry
    if before:
        order = (history.changed_at.desc(), history.id.desc())
        when = history.changed_at < cutoff
    else:
        order = (history.changed_at.asc(), history.id.asc())
        when = history.changed_at >= cutoff
    ranked = (
        select(
            history.entity_id,
            history.field,
            history.old_value,
            history.new_value,
            func.row_number()
            .over(partition_by=(history.entity_id, history.field), order_by=order)
            .label("rank"),
        )
        .where(history.entity == "item", history.field.in_(FIELDS), when)
        .subquery()
    )
    return select(ranked.c.entity_id, ranked.c.field, ranked.c.old_value, ranked.c.new_value).where(
        ranked.c.rank == 1
    )


def _latest_updates(session: Session, day: date, cutoff: datetime) -> dict[int, UpdateNote]:
    update = ProgressUpdate
    ranked = (
        select(
            update.item_id,
            update.written_on,
            update.author,
            update.text,
            func.row_number()
            .over(
                partition_by=update.item_id,
                order_by=(update.written_on.desc(), update.id.desc()),
            )
            .label("rank"),
        )
        .where(and_(update.written_on <= day, update.created_at < cutoff))
        .subquery()
    )
    statement = select(ranked.c.item_id, ranked.c.written_on, ranked.c.author, ranked.c.text).where(
        ranked.c.rank == 1
    )
    return {
        row.item_id: UpdateNote(row.written_on, row.author, row.text) for row in session.execute(statement)
    }


class Snapshots:
    """Reads the items once, then answers "what did the log hold at the end of this day?"."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._current = _current_items(session)

    def at(self, day: date) -> dict[int, ItemAt]:
        cutoff = end_of(day)
        at_or_before: dict[tuple[int, str], str | None] = {}
        for row in self._session.execute(_edge_rows(cutoff, before=True)):
            at_or_before[(row.entity_id, row.field)] = row.new_value
        after: dict[tuple[int, str], str | None] = {}
        for row in self._session.execute(_edge_rows(cutoff, before=False)):
            after[(row.entity_id, row.field)] = row.old_value
        updates = _latest_updates(self._session, day, cutoff)

        result: dict[int, ItemAt] = {}
        for row in self._current:
            fields = _Fields(row.id, at_or_before, after)
            if (row.id, "created") in at_or_before:
                created = True
            elif (row.id, "created") in after:
                created = False
            else:  # no record of its creation: trust the date it entered the log
                created = row.created_on <= day
            deleted = fields.get("deleted", "deleted" if row.deleted_at else None)
            if not created or deleted:
                continue
            rating = fields.get("rating", row.rating.value if row.rating else None)
            result[row.id] = ItemAt(
                id=row.id,
                kind=row.kind,
                review_id=row.review_id,
                priority_id=row.priority_id,
                reference=fields.get("reference", row.reference) or "",
                reference_key=row.reference_key,
                text=fields.get("text", row.text) or "",
                lead_agency=fields.get("lead_agency", row.lead_agency),
                timescale=fields.get("timescale", row.timescale) or "",
                due_on=_date(fields.get("due_on", _iso(row.due_on)), row.id),
                rating=_rating(rating, row.id),
                owner=fields.get("owner", row.owner) or "",
                evidence_completion=fields.get("evidence_completion", row.evidence_completion) or "",
                evidence_impact=fields.get("evidence_impact", row.evidence_impact) or "",
                created_on=row.created_on,
                latest_update=updates.get(row.id),
            )
        return result


@dataclass(frozen=True, slots=True)
class _Fields:
    """One item's field values at the cutoff, falling back as the module docstring says."""

    item_id: int
    at_or_before: dict[tuple[int, str], str | None]
    after: dict[tuple[int, str], str | None]

    def get(self, name: str, now: str | None) -> str | None:
        key = (self.item_id, name)
        if key in self.at_or_before:
            return self.at_or_before[key]
        if key in self.after:
            return self.after[key]
        return now


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


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
