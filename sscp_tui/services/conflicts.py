"""Two people, one record: an edit is made on what its user last saw, never over a change
they have not seen.

What a user saw is told by the tracker's change marker as they looked: the id of the newest
history row (every change writes history, so a later row is a later change). An edit given
that marker looks, inside its own write transaction (which the writers take in turns), for
history rows written since on the records it changes, by anyone but this tracker's own edits.
One record changed since: the edit is refused with one sentence naming who changed what, and
when. Several items at once: those changed since are left alone and named, the others saved.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sscp_tui.db.enums import Rating
from sscp_tui.db.models import HistoryEntry
from sscp_tui.errors import ChangedSince
from sscp_tui.text_safety import shown

CHUNK = 500  # ids per look-up (SQLite's limit on a statement's parameters is far above)


@dataclass(frozen=True, slots=True)
class LaterChange:
    """The latest change to one record since the user looked: who, when, what."""

    history_id: int
    entity: str
    entity_id: int
    author: str
    at: datetime
    field: str
    new_value: str | None


def later_changes(
    session: Session, entity: str, ids: Sequence[int], seen: int | None, own: Collection[str]
) -> dict[int, LaterChange]:
    """Per record of ``entity`` among ``ids``, its latest change after the marker ``seen`` made
    by someone else (not in the batches ``own``). None for ``seen``: nothing is checked."""
    if seen is None or not ids:
        return {}
    latest: dict[int, LaterChange] = {}
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(
                HistoryEntry.id,
                HistoryEntry.entity_id,
                HistoryEntry.author,
                HistoryEntry.changed_at,
                HistoryEntry.field,
                HistoryEntry.new_value,
                HistoryEntry.batch,
            )
            .where(
                HistoryEntry.id > seen,
                HistoryEntry.entity == entity,
                HistoryEntry.entity_id.in_(wanted[start : start + CHUNK]),
            )
            .order_by(HistoryEntry.id)
        )
        batches: dict[int, str] = {}
        newest: dict[int, int] = {}
        for row in rows:
            if row.batch in own:
                continue
            change = LaterChange(
                row.id, entity, row.entity_id, row.author, row.changed_at, row.field, row.new_value
            )
            before = latest.get(row.entity_id)
            # One change writes several rows (a timescale and its date): the one saying most.
            if before is None or batches[row.entity_id] != row.batch or _says_more(change, before):
                latest[row.entity_id], batches[row.entity_id] = change, row.batch
            newest[row.entity_id] = row.id
    # Each marked with its newest row, so that an edit made again with it is not refused again.
    return {entity_id: replace(change, history_id=newest[entity_id]) for entity_id, change in latest.items()}


_TELLING = ("deleted", "rating", "reconfirmed", "timescale", "lead_agency", "progress update")


def _says_more(change: LaterChange, than: LaterChange) -> bool:
    def rank(field: str) -> int:
        return _TELLING.index(field) if field in _TELLING else len(_TELLING)

    return rank(change.field) < rank(than.field)


def said(change: LaterChange, what: str, today: date | None = None) -> str:
    """Who did what to ``what``, and when: "User B rated this Red at 14:02"."""
    today = today or date.today()
    when = f"at {change.at:%H:%M}"
    if change.at.date() != today:
        when = f"on {change.at.day} {change.at:%b} {when}"
    return f"{shown(change.author)} {_did(change, what)} {when}"


def _did(change: LaterChange, what: str) -> str:
    new = shown(change.new_value) if change.new_value is not None else None
    field = change.field
    if field in ("rating", "reconfirmed"):
        if new is None or new == "unrated":
            return f"left {what} unrated"
        rating = Rating(new).label if new in {r.value for r in Rating} else new
        return f"rated {what} {rating}" if field == "rating" else f"confirmed {what} as {rating}"
    if field == "timescale":
        return f"revised the timescale of {what} to {new}" if new else f"cleared the timescale of {what}"
    if field == "due_on":
        return f"revised the timescale of {what}"
    if field == "lead_agency":
        return f"re-assigned {what} to {new}" if new else f"left {what} with no lead agency"
    if field == "deleted" and change.entity == "meeting":
        return f"removed {what}"
    if field == "deleted":
        return f"deleted {what}" if new else f"restored {what}"
    if field == PROGRESS_UPDATE:
        return f"added a progress update to {what}"
    if field == WITHDRAWN_UPDATE:
        return f"withdrew a progress update of {what}"
    if field == "withdrawn":
        return f"withdrew {what}"
    if field == "created":
        return f"added {what}"
    return f"changed the {field.replace('_', ' ')} of {what}"


PROGRESS_UPDATE = "progress update"  # the history row a new progress update writes
WITHDRAWN_UPDATE = "progress update withdrawn"  # … and one withdrawn (edits.withdraw_update)


def update_gist(text: str, limit: int = 80) -> str:
    """A progress update as its history row names it: its first words (the update itself is
    kept whole with the item's updates)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def refusal(change: LaterChange, what: str = "this") -> ChangedSince:
    """The error for an edit of one record changed since it was looked at."""
    return ChangedSince(f"{said(change, what)}; your change was not saved.", change.history_id)


def all_changed(changes: Collection[LaterChange], labels: dict[int, str]) -> ChangedSince:
    """The error for an edit of several items that had every one been changed since."""
    first = min(changes, key=lambda c: c.history_id)
    example = said(first, labels.get(first.entity_id, "one"))
    return ChangedSince(
        f"All {len(changes)} items were changed by someone else since you looked ({example}…); "
        "your change was not saved.",
        max(c.history_id for c in changes),
    )
