"""Write side: every edit of a tracked item, each writing its history in the same transaction.

All field changes go through :func:`change_field`, so history, undo and imports share one
path. Values are recorded in history as text a person can read: ratings by name, dates in
ISO form, agencies by short name, lists joined with "; ".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sscp_tui.db import search_index
from sscp_tui.db.bulk import insert_rows
from sscp_tui.db.models import (
    Agency,
    HistoryEntry,
    ItemKind,
    ItemSearch,
    ProgressUpdate,
    Rating,
    Theme,
    TrackedItem,
)
from sscp_tui.errors import EditError as EditError
from sscp_tui.errors import OpenActions as OpenActions
from sscp_tui.services.conflicts import PROGRESS_UPDATE, WITHDRAWN_UPDATE, update_gist
from sscp_tui.services.timescales import impossible_date, parse_timescale
from sscp_tui.text_safety import clean


@dataclass(frozen=True, slots=True)
class EditContext:
    author: str
    note: str = ""
    source: str = "app"
    batch: str = field(default_factory=lambda: uuid.uuid4().hex)
    now: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))


def reference_key(reference: str) -> str:
    """Zero-pad every number so references sort naturally in SQL ("2" < "10", "1.1.a")."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), reference.strip().lower())[:120]


# --- field codecs ---------------------------------------------------------------------------
def _agency_by_short(session: Session, short: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.short_name == short))
    if agency is None:
        raise EditError(f"There is no agency '{short}'.", "lead_agency")
    return agency


def _theme(session: Session, name: str) -> Theme:
    """The theme of that name, ignoring case ("Neglect" is "neglect"), made if new."""
    theme = session.scalar(select(Theme).where(func.lower(Theme.name) == name.strip().lower()))
    if theme is None:
        theme = Theme(name=name)
        session.add(theme)
    return theme


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _get(item: TrackedItem, name: str) -> str | None:
    if name == "rating":
        return item.rating.value if item.rating else None
    if name == "due_on":
        return item.due_on.isoformat() if item.due_on else None
    if name == "lead_agency":
        return item.lead_agency.short_name if item.lead_agency else None
    if name == "supporting_agencies":
        return "; ".join(a.short_name for a in item.supporting_agencies) or None
    if name == "themes":
        return "; ".join(t.name for t in item.themes) or None
    if name == "deleted":
        return "deleted" if item.deleted_at else None
    value = getattr(item, name)
    return str(value) if value not in (None, "") else None


def _set(session: Session, item: TrackedItem, name: str, value: str | None, now: datetime) -> None:
    if name == "rating":
        item.rating = Rating(value) if value else None
    elif name == "due_on":
        item.due_on = date.fromisoformat(value) if value else None
    elif name == "lead_agency":
        item.lead_agency = _agency_by_short(session, value) if value else None
    elif name == "supporting_agencies":
        item.supporting_agencies = [_agency_by_short(session, s) for s in _split(value)]
    elif name == "themes":
        item.themes = [_theme(session, t) for t in _split(value)]
    elif name == "deleted":
        item.deleted_at = now if value else None
    elif name == "reference":
        item.reference = value or ""
        item.reference_key = reference_key(item.reference)
    elif name in TEXT_FIELDS:
        setattr(item, name, value or "")
    else:  # pragma: no cover - a programming error, not user input
        raise ValueError(f"unknown field {name}")


SEARCHED_FIELDS = {"reference", "text", "owner", "evidence_completion", "evidence_impact"}


def compose_search_words(
    reference: str,
    text: str,
    owner: str,
    review_title: str,
    evidence: str = "",
    impact: str = "",
    latest_update: str = "",
) -> str:
    """What a free-text search looks in: reference, text, owner, the review's title, the
    evidence of completion and of impact, and the latest progress update. (Migration 0007
    composes the same for items saved before it.)"""
    parts = (reference, text, owner, review_title, evidence, impact, latest_update)
    return " ".join(part for part in parts if part).casefold()


def latest_update(session: Session, item_id: int) -> tuple[date, str, str] | None:
    """An item's latest progress update (day, author, text), withdrawn ones left out."""
    return latest_updates(session, [item_id]).get(item_id)


def latest_updates(session: Session, ids: Sequence[int]) -> dict[int, tuple[date, str, str]]:
    """The latest progress update (day, author, text) of each of ``ids`` that has one,
    withdrawn ones left out: the latest written, and of those the last added."""
    if not ids:
        return {}
    order = (ProgressUpdate.written_on.desc(), ProgressUpdate.id.desc())
    ranked = (
        select(
            ProgressUpdate.item_id,
            ProgressUpdate.written_on,
            ProgressUpdate.author,
            ProgressUpdate.text,
            func.row_number().over(partition_by=ProgressUpdate.item_id, order_by=order).label("n"),
        )
        .where(ProgressUpdate.item_id.in_(list(ids)), ProgressUpdate.withdrawn_at.is_(None))
        .subquery()
    )
    found = session.execute(
        select(ranked.c.item_id, ranked.c.written_on, ranked.c.author, ranked.c.text).where(ranked.c.n == 1)
    )
    return {item_id: (day, author, text) for item_id, day, author, text in found}


def latest_update_text(session: Session, item_id: int) -> str:
    """The text of an item's latest progress update ("" when it has none)."""
    found = latest_update(session, item_id)
    return found[2] if found else ""


def search_words(session: Session, item: TrackedItem) -> str:
    title = item.review.title if item.review is not None else ""
    return compose_search_words(item.reference, item.text, item.owner, title, item.evidence_completion,
                                item.evidence_impact, latest_update_text(session, item.id))  # fmt: skip


def refresh_search(session: Session, item: TrackedItem) -> None:
    words = search_words(session, item)
    row = session.get(ItemSearch, item.id)
    if row is None:
        session.add(ItemSearch(item_id=item.id, words=words))
    else:
        row.words = words


def add_search_words(session: Session, entries: Sequence[tuple[int, str]]) -> None:
    """Search words for items written in bulk (bypassing the ORM): ``entries`` holds each
    item's id and its words, as :func:`compose_search_words` makes them."""
    if not entries:
        return
    rows = [{"item_id": item_id, "words": words} for item_id, words in entries]
    with search_index.indexed_in_bulk(session.connection(), [item_id for item_id, _words in entries]):
        insert_rows(session, ItemSearch.__table__, rows)  # type: ignore[arg-type]


TEXT_FIELDS = ("text", "timescale", "owner", "evidence_completion", "evidence_impact")
TRACKED_FIELDS = (
    "rating",
    "timescale",
    "due_on",
    "lead_agency",
    "supporting_agencies",
    "themes",
    "reference",
    "text",
    "owner",
    "evidence_completion",
    "evidence_impact",
    "deleted",
)


def record(session: Session, ctx: EditContext, entity: str, entity_id: int, field_name: str,
           old: str | None, new: str | None, *, note: str | None = None) -> None:  # fmt: skip
    session.add(
        HistoryEntry(
            entity=entity,
            entity_id=entity_id,
            field=field_name,
            old_value=old,
            new_value=new,
            note=ctx.note if note is None else note,
            author=ctx.author,
            changed_at=ctx.now,
            source=ctx.source,
            batch=ctx.batch,
        )
    )


def rows_written(session: Session, ctx: EditContext) -> int:
    """How many history rows this edit (its batch) has written so far."""
    session.flush()
    return session.scalar(select(func.count()).where(HistoryEntry.batch == ctx.batch)) or 0


def change_field(session: Session, ctx: EditContext, item: TrackedItem, name: str, value: str | None) -> bool:
    """Set one field; write history if it changed. Returns whether it changed."""
    old = _get(item, name)
    # No control character is stored (see text_safety), and no space around a text: what is
    # stored is what an export and an import give back, exactly.
    value = clean(value).strip() if value else None
    value = value or None
    if old == value:
        return False
    _set(session, item, name, value, ctx.now)
    if name == "timescale" and old is not None and value is not None:
        # A revision: one timescale for another (an undo takes one back; setting a first
        # timescale or clearing one is not a revision).
        step = -1 if ctx.source == "undo" else 1
        item.timescale_revisions = max(0, (item.timescale_revisions or 0) + step)
    if name == "evidence_completion":  # delivered the day its evidence is first recorded
        if value is None:
            item.delivered_on = None
        elif old is None or item.delivered_on is None:
            item.delivered_on = ctx.now.date()
    session.flush()
    if name in SEARCHED_FIELDS:
        refresh_search(session, item)
    record(session, ctx, "item", item.id, name, old, _get(item, name))
    return True


def load_items(session: Session, ids: Sequence[int], *, deleted_too: bool = False) -> list[TrackedItem]:
    items = list(session.scalars(select(TrackedItem).where(TrackedItem.id.in_(list(ids)))))
    live = {item.id: item for item in items if deleted_too or item.deleted_at is None}
    missing = [i for i in ids if i not in live]
    if missing:
        raise EditError(f"Item {missing[0]} no longer exists; nothing was changed.")
    return [live[i] for i in ids]


def require_note(ctx: EditContext, what: str) -> None:
    if not ctx.note.strip():
        raise EditError(f"Say why the {what} changed: a note is required.", "note")


# --- edits ----------------------------------------------------------------------------------
def set_rating(session: Session, ctx: EditContext, ids: Sequence[int], rating: Rating | None) -> int:
    """Rate items; an item already rated so is reconfirmed: a "reconfirmed" history row keeps
    the note (a chair confirming Amber at panel leaves a trace). Returns the ratings changed."""
    require_note(ctx, "rating")
    value = rating.value if rating else None
    changed = 0
    for item in load_items(session, ids):
        if change_field(session, ctx, item, "rating", value):
            changed += 1
        else:
            record(session, ctx, "item", item.id, "reconfirmed", None, value or "unrated")
    return changed


def revise_timescale(
    session: Session, ctx: EditContext, ids: Sequence[int], text: str, due_on: date | None = None
) -> int:
    """A new timescale as written; the due date derived from it unless given. The original
    timescale and due date stay on the item, untouched."""
    require_note(ctx, "timescale")
    impossible = impossible_date(text)
    if impossible:
        raise EditError(impossible, "timescale")
    parsed = parse_timescale(text)
    due = due_on or parsed.due_on
    changed = 0
    for item in load_items(session, ids):
        changed += change_field(session, ctx, item, "timescale", parsed.text)
        changed += change_field(session, ctx, item, "due_on", due.isoformat() if due else None)
    return changed


def set_lead_agency(session: Session, ctx: EditContext, ids: Sequence[int], short_name: str | None) -> int:
    return sum(
        change_field(session, ctx, item, "lead_agency", short_name) for item in load_items(session, ids)
    )


def update_fields(session: Session, ctx: EditContext, item_id: int, changes: dict[str, str | None]) -> int:
    """Change several fields of one item (the edit form). Timescale re-derives the due date."""
    unknown = set(changes) - set(TRACKED_FIELDS)
    if unknown:
        raise EditError(f"'{sorted(unknown)[0]}' cannot be edited.")
    if "text" in changes and not (changes["text"] or "").strip():
        raise EditError("The text cannot be empty.", "text")
    if "reference" in changes and not (changes["reference"] or "").strip():
        raise EditError("The reference cannot be empty.", "reference")
    (item,) = load_items(session, [item_id])
    changed = 0
    for name, value in changes.items():
        if name == "timescale" and "due_on" not in changes:
            impossible = impossible_date(value)
            if impossible:
                raise EditError(impossible, "timescale")
            parsed = parse_timescale(value)
            changed += change_field(session, ctx, item, "timescale", parsed.text)
            due = parsed.due_on.isoformat() if parsed.due_on else None
            changed += change_field(session, ctx, item, "due_on", due)
        else:
            changed += change_field(session, ctx, item, name, value)
    return changed


def open_actions(session: Session, item: TrackedItem) -> list[str]:
    """The references of an item's actions that are not Blue (and not deleted)."""
    rows = session.scalars(
        select(TrackedItem.reference)
        .where(TrackedItem.parent_id == item.id, TrackedItem.deleted_at.is_(None),
               or_(TrackedItem.rating.is_(None), TrackedItem.rating != Rating.BLUE))
        .order_by(TrackedItem.reference_key)
    )  # fmt: skip
    return list(rows)


def mark_delivered(session: Session, ctx: EditContext, item_id: int, evidence: str) -> int:
    """The first stage of closing: delivered (Green), with its evidence of completion; it then
    waits for evidence of impact before it can be closed (Blue)."""
    if not evidence.strip():
        raise EditError(
            "Delivered means done, with evidence: describe the evidence of completion.", "evidence"
        )
    (item,) = load_items(session, [item_id])
    if item.rating is Rating.BLUE:
        raise EditError(f"{item.reference} is already closed (Blue).")
    changed = int(change_field(session, ctx, item, "evidence_completion", evidence.strip()))
    changed += change_field(session, ctx, item, "rating", Rating.GREEN.value)
    return changed


def mark_complete(
    session: Session,
    ctx: EditContext,
    item_id: int,
    evidence: str,
    impact: str = "",
    *,
    with_open_actions: bool = False,
) -> int:
    """Closed (Blue): its evidence of completion and of impact recorded. A recommendation whose
    actions are still open is refused (OpenActions) unless ``with_open_actions``: the user
    has confirmed it, and the history's note says so."""
    if not evidence.strip():
        raise EditError("Blue means complete with evidence: describe the evidence.", "evidence")
    if not impact.strip():
        raise EditError(
            "Blue means the change is shown to have worked: describe the evidence of impact "
            "(a re-audit, say). Without it, mark it delivered (Green) instead.",
            "impact",
        )
    (item,) = load_items(session, [item_id])
    still_open = open_actions(session, item) if item.kind is ItemKind.RECOMMENDATION else []
    if still_open and not with_open_actions:
        raise OpenActions(item.reference, still_open)
    if still_open:
        listed = ", ".join(still_open)
        ctx = replace(ctx, note=f"{ctx.note} (closed with open actions {listed}, as confirmed)".strip())
    changed = int(change_field(session, ctx, item, "evidence_completion", evidence.strip()))
    changed += change_field(session, ctx, item, "evidence_impact", impact.strip())
    changed += change_field(session, ctx, item, "rating", Rating.BLUE.value)
    return changed


def delete_items(session: Session, ctx: EditContext, ids: Sequence[int]) -> int:
    require_note(ctx, "deletion")
    return sum(change_field(session, ctx, item, "deleted", "deleted") for item in load_items(session, ids))


def add_update(
    session: Session,
    ctx: EditContext,
    item_id: int,
    text: str,
    *,
    written_on: date,
    proposed_rating: Rating | None = None,
) -> int:
    text = clean(text)
    if not text.strip():
        raise EditError("A progress update needs some text.", "text")
    (item,) = load_items(session, [item_id])
    update = ProgressUpdate(
        item=item,
        written_on=written_on,
        author=ctx.author,
        text=text.strip(),
        proposed_rating=proposed_rating,
        created_at=ctx.now,
    )
    session.add(update)
    if item.last_update_on is None or written_on >= item.last_update_on:
        item.last_update_on = written_on
    # In history too: who added it and when, in the item's own record of changes, and a change
    # another user's screen is told of (see services.conflicts).
    record(session, ctx, "item", item.id, PROGRESS_UPDATE, None, update_gist(update.text))
    session.flush()
    refresh_search(session, item)  # search finds the words of an item's latest update
    return update.id


def withdraw_update(session: Session, ctx: EditContext, item_id: int, update_id: int) -> int:
    """A progress update added by mistake (to the wrong item, say) withdrawn: kept, marked with
    who withdrew it, when and why (the note, which is asked for), and left out of screens,
    packs and exports from now on. The item's latest update, and so its stale alert and its
    search words, are then those of the updates left. History records it; returns the item."""
    if not ctx.note.strip():
        raise EditError("Say why the update is withdrawn: a note is required.", "note")
    update = session.get(ProgressUpdate, update_id)
    if update is None or update.item_id != item_id or update.item.deleted_at is not None:
        raise EditError("That progress update no longer exists.")
    if update.withdrawn_at is not None:
        raise EditError(
            f"That update was withdrawn already, by {update.withdrawn_by} on {update.withdrawn_at:%d %b %Y}."
        )
    update.withdrawn_at, update.withdrawn_by, update.withdrawn_why = ctx.now, ctx.author, ctx.note
    item = update.item
    session.flush()
    item.last_update_on = session.scalar(
        select(func.max(ProgressUpdate.written_on)).where(
            ProgressUpdate.item_id == item.id, ProgressUpdate.withdrawn_at.is_(None)
        )
    )
    day = f"{update.written_on:%d %b %Y}"
    record(session, ctx, "item", item.id, WITHDRAWN_UPDATE, f"{day}: {update_gist(update.text)}", None)
    session.flush()
    refresh_search(session, item)
    return item.id


@dataclass(frozen=True, slots=True)
class NewItem:
    kind: ItemKind
    reference: str
    text: str
    review_id: int | None = None
    priority_id: int | None = None
    parent_id: int | None = None
    lead_agency: str | None = None
    supporting_agencies: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    timescale: str = ""
    due_on: date | None = None
    rating: Rating | None = None
    owner: str = ""
    evidence_completion: str = ""
    evidence_impact: str = ""
    illustrative: bool = False
    created_on: date | None = None


def _refuse_a_taken_reference(session: Session, new: NewItem) -> None:
    """A review (or priority) numbers its items once: a second "3" would make its log and its
    packs ambiguous."""
    owner = (
        TrackedItem.review_id == new.review_id
        if new.review_id is not None
        else TrackedItem.priority_id == new.priority_id
    )
    taken = session.scalar(
        select(TrackedItem.id).where(
            owner, TrackedItem.reference_key == reference_key(new.reference), TrackedItem.deleted_at.is_(None)
        )
    )
    if taken is not None:
        raise EditError(f"There is already an item {new.reference.strip()} here; give another reference.",
                        "reference")  # fmt: skip


def references(session: Session, *, review_id: int | None = None, priority_id: int | None = None
               ) -> list[tuple[int, str, ItemKind]]:  # fmt: skip
    """A review's (or a priority's) live items, in their references' natural order: each
    one's id, reference and kind."""
    owner = (
        TrackedItem.review_id == review_id
        if review_id is not None
        else TrackedItem.priority_id == priority_id
    )
    rows = session.execute(
        select(TrackedItem.id, TrackedItem.reference, TrackedItem.kind)
        .where(owner, TrackedItem.deleted_at.is_(None))
        .order_by(TrackedItem.reference_key)
    )
    return [(item_id, reference, ItemKind(kind)) for item_id, reference, kind in rows]


def create_item(session: Session, ctx: EditContext, new: NewItem) -> TrackedItem:
    from sscp_tui.db.models import Action, Recommendation

    new = replace(
        new,  # no control character is stored (see text_safety)
        reference=clean(new.reference), text=clean(new.text), timescale=clean(new.timescale),
        owner=clean(new.owner), evidence_completion=clean(new.evidence_completion),
        evidence_impact=clean(new.evidence_impact), themes=tuple(clean(t) for t in new.themes),
    )  # fmt: skip

    if not new.text.strip():
        raise EditError("The text cannot be empty.", "text")
    if not new.reference.strip():
        raise EditError("The reference cannot be empty.", "reference")
    if new.review_id is None and new.priority_id is None:
        raise EditError("An item belongs to a review or a priority.", "review")
    _refuse_a_taken_reference(session, new)
    impossible = impossible_date(new.timescale)
    if impossible:
        raise EditError(impossible, "timescale")
    parsed = parse_timescale(new.timescale)
    due = new.due_on or parsed.due_on
    cls: Callable[..., TrackedItem] = Recommendation if new.kind is ItemKind.RECOMMENDATION else Action
    item = cls(
        review_id=new.review_id,
        priority_id=new.priority_id,
        parent_id=new.parent_id,
        reference=new.reference.strip(),
        reference_key=reference_key(new.reference),
        text=new.text.strip(),
        lead_agency=_agency_by_short(session, new.lead_agency) if new.lead_agency else None,
        supporting_agencies=[_agency_by_short(session, s) for s in new.supporting_agencies],
        themes=[_theme(session, t) for t in new.themes],
        timescale=parsed.text,
        due_on=due,
        original_timescale=parsed.text,
        original_due_on=due,
        rating=None,
        owner=new.owner,
        evidence_completion=new.evidence_completion,
        evidence_impact=new.evidence_impact,
        illustrative=new.illustrative,
        created_on=new.created_on or ctx.now.date(),
        delivered_on=(new.created_on or ctx.now.date()) if new.evidence_completion.strip() else None,
    )
    session.add(item)
    session.flush()
    refresh_search(session, item)
    record(session, ctx, "item", item.id, "created", None, f"{new.kind.value} {item.reference}")
    if new.rating is not None:
        change_field(session, ctx, item, "rating", new.rating.value)
    return item


def undo_batch(session: Session, ctx: EditContext, batch: str) -> int:
    """Reverse one earlier batch of item changes by writing new history (never removing any)."""
    entries = list(
        session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.batch == batch, HistoryEntry.entity == "item")
            .order_by(HistoryEntry.id.desc())
        )
    )
    reversible = [e for e in entries if e.field in TRACKED_FIELDS]
    if not reversible:
        raise EditError("There is nothing to undo.")
    touched = sorted({e.entity_id for e in reversible})
    items = {item.id: item for item in load_items(session, touched, deleted_too=True)}
    for entry in reversible:
        current = _get(items[entry.entity_id], entry.field)
        if current != entry.new_value:
            raise EditError(f"Item {items[entry.entity_id].reference} has changed since; nothing was undone.")
    return sum(change_field(session, ctx, items[e.entity_id], e.field, e.old_value) for e in reversible)
