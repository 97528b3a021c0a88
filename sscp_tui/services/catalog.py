"""Reference data: agencies, reviews, themes, plans and meetings — reading and editing them."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sscp_tui.db.models import (
    Agency,
    AgencyKind,
    HistoryEntry,
    Meeting,
    Priority,
    Rating,
    Review,
    ReviewKind,
    ReviewStatus,
    StrategicPlan,
    Theme,
    TrackedItem,
)
from sscp_tui.services.edits import EditContext, EditError, record, refresh_search
from sscp_tui.services.edits import undo_batch as undo_item_batch
from sscp_tui.services.item_rows import review_label
from sscp_tui.services.records import (
    AgencyRecord,
    MeetingRecord,
    PlanRecord,
    PriorityRecord,
    ReviewRecord,
)
from sscp_tui.text_safety import clean, shown


class UnknownName(EditError):
    """A name typed by a user matched nothing; the message suggests the nearest."""


_NOT_A_LETTER = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # an import squashes the same few names and words row after row
def squash(text: str) -> str:
    """Lower case with punctuation and spacing removed: "Surrey Police." == "surrey-police"."""
    return _NOT_A_LETTER.sub("", text.casefold())


def to_agency_record(agency: Agency) -> AgencyRecord:
    return AgencyRecord(agency.id, agency.name, agency.short_name, agency.kind, agency.active)


def agencies(session: Session) -> list[AgencyRecord]:
    return [to_agency_record(a) for a in session.scalars(select(Agency).order_by(Agency.name))]


def find_agency(session: Session, name: str) -> AgencyRecord:
    """Match by name or short name, ignoring case and punctuation."""
    wanted = squash(name)
    every = list(session.scalars(select(Agency)))
    for agency in every:
        if wanted and wanted in (squash(agency.name), squash(agency.short_name)):
            return to_agency_record(agency)
    names = [a.short_name for a in every] + [a.name for a in every]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownName(f"There is no agency called '{name}'.{hint}", "agency")


def create_agency(
    session: Session, ctx: EditContext, name: str, short_name: str, kind: AgencyKind
) -> AgencyRecord:
    name, short_name = clean(name), clean(short_name)  # no control character is stored
    if ";" in name or ";" in short_name:  # ";" separates agencies in a log's cell and an export
        raise EditError(
            "An agency's name cannot hold a semicolon (;), which separates agencies in a log.", "name"
        )
    if not name.strip() or not short_name.strip():
        raise EditError("An agency needs a name and a short name.", "name")
    for existing in session.scalars(select(Agency)):
        if squash(existing.name) == squash(name) or squash(existing.short_name) == squash(short_name):
            raise EditError(f"The agency '{existing.name}' already exists.", "name")
    agency = Agency(name=name.strip(), short_name=short_name.strip(), kind=kind, active=True)
    session.add(agency)
    session.flush()
    record(session, ctx, "agency", agency.id, "created", None, agency.name)
    return to_agency_record(agency)


def themes(session: Session) -> list[tuple[int, str]]:
    return [(t.id, shown(t.name)) for t in session.scalars(select(Theme).order_by(Theme.name))]


def find_theme(session: Session, name: str) -> int:
    wanted = squash(name)
    found = [(i, n) for i, n in themes(session) if squash(n) == wanted]
    if not found:
        raise UnknownName(f"There is no theme called '{name}'.", "theme")
    return found[0][0]


def _review_record(review: Review, counts: dict[Rating | None, int]) -> ReviewRecord:
    return ReviewRecord(
        id=review.id,
        kind=review.kind,
        title=review.title,
        year=review.year,
        status=review.status,
        commissioned_on=review.commissioned_on,
        published_on=review.published_on,
        closed_on=review.closed_on,
        notes=review.notes,
        counts=counts,
    )


def reviews(session: Session, *, with_counts: bool = True) -> list[ReviewRecord]:
    """Every review, newest first. Counting each review's items by rating scans the items, so a
    caller that only needs names and labels (the log's filter line) asks for no counts."""
    counts: dict[int, dict[Rating | None, int]] = defaultdict(dict)
    # Read in the order of the index by review and rating (migration 0015): 15 ms at 100,000
    # items, against 150 ms grouping the covering index by rating and 370-470 ms going from
    # the index by review to every row for its rating.
    statement = review_counts_select()
    connection = session.connection()  # rows of columns, past the ORM's steps for loading
    for review_id, rating, count in connection.execute(statement) if with_counts else ():
        if review_id is not None:
            counts[review_id][rating] = count
    # Their columns, not mapped objects: 800 reviews loaded as objects took 60 ms.
    rows = connection.execute(
        select(
            Review.id,
            Review.kind,
            Review.title,
            Review.year,
            Review.status,
            Review.commissioned_on,
            Review.published_on,
            Review.closed_on,
            Review.notes,
        )
        .where(Review.deleted_at.is_(None))
        .order_by(Review.year.desc().nulls_last(), Review.kind, Review.title)
    )
    return [ReviewRecord(*row, counts=counts.get(row.id, {})) for row in rows]


def review_counts_select() -> Select[int | None, Rating | None, int]:
    return (
        select(TrackedItem.review_id, TrackedItem.rating, func.count())
        .where(TrackedItem.deleted_at.is_(None), TrackedItem.review_id.is_not(None))
        .group_by(TrackedItem.review_id, TrackedItem.rating)
    )


def review_labels(session: Session) -> list[tuple[int, str]]:
    """Each review's id and label, newest first as :func:`reviews` lists them: a narrow read
    for the screens that name reviews (reading 800 reviews in full took 24-130 ms, and with
    their counts a scan of the log)."""
    statement = (
        select(Review.id, Review.kind, Review.title, Review.year)
        .where(Review.deleted_at.is_(None))
        .order_by(Review.year.desc().nulls_last(), Review.kind, Review.title)
    )
    return [(r.id, shown(review_label(r.kind, r.title, r.year))) for r in session.execute(statement)]


def ids_named(
    session: Session, *, agency: str | None, review: str | None, theme: str | None
) -> tuple[int | None, int | None, int | None]:
    """The ids of an agency by short name, a review by label and a theme by name, as a saved
    view names them: each read only when named, and None when no longer there. A narrow read,
    as applying a view waits on it (reading every review in full took 24-150 ms at 800)."""
    agency_id = review_id = theme_id = None
    if agency:
        agency_id = session.scalar(select(Agency.id).where(Agency.short_name == agency))
    if review:  # of two reviews with one label, the last listed (as the views always took)
        review_id = {label: found for found, label in review_labels(session)}.get(review)
    if theme:
        theme_id = session.scalar(select(Theme.id).where(Theme.name == theme))
    return agency_id, review_id, theme_id


def find_review(session: Session, name: str) -> ReviewRecord:
    """Match a review by title or by 'kind title', ignoring case and punctuation."""
    wanted = squash(name)
    every = reviews(session)
    for review in every:
        if wanted in (squash(review.title), squash(f"{review.kind.value} {review.title}"),
                      squash(review.label)):  # fmt: skip
            return review
    labels = [r.label for r in every]
    close = difflib.get_close_matches(name, labels, n=1, cutoff=0.4)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownName(f"There is no review called '{name}'.{hint}", "review")


REVIEW_FIELDS = ("kind", "title", "year", "status", "commissioned_on", "published_on",
                 "closed_on", "notes")  # fmt: skip


def save_review(session: Session, ctx: EditContext, review_id: int | None, values: dict[str, object]) -> int:
    """Create (``review_id`` None) or edit a review; each changed field goes to history."""
    values = {name: clean(value) if type(value) is str else value for name, value in values.items()}
    title = str(values.get("title", "") or "").strip()
    if review_id is None and not title:
        raise EditError("A review needs a title.", "title")
    if "title" in values and not title:
        raise EditError("A review needs a title.", "title")
    if review_id is None:
        review = Review(
            kind=ReviewKind(str(values.get("kind", ReviewKind.LCSPR))),
            title=title,
            status=ReviewStatus(str(values.get("status", ReviewStatus.COMMISSIONED))),
            notes="",
        )
        session.add(review)
        session.flush()
        record(session, ctx, "review", review.id, "created", None, title)
    else:
        found = session.get(Review, review_id)
        if found is None or found.deleted_at is not None:
            raise EditError("That review no longer exists.")
        review = found
    for name in values:
        if name not in REVIEW_FIELDS:
            raise EditError(f"'{name}' is not a field of a review.")
    _refuse_a_twin(
        session,
        review,
        ReviewKind(str(values["kind"])) if "kind" in values else review.kind,
        title if "title" in values else review.title,
        cast("int | None", values.get("year", review.year)),
    )
    for name, value in values.items():
        old = getattr(review, name)
        if name == "kind":
            value = ReviewKind(str(value))
        elif name == "status":
            value = ReviewStatus(str(value))
        elif name == "title":
            value = title
        if old != value:
            setattr(review, name, value)
            record(session, ctx, "review", review.id, name, _text(old), _text(value))
            if name == "title":
                session.flush()
                for item in review.items:
                    refresh_search(session, item)
    session.flush()
    return review.id


def withdraw_review(session: Session, ctx: EditContext, review_id: int) -> int:
    """A review added by mistake withdrawn: kept, marked withdrawn (its history says who,
    when and why, the note being asked for), and left out of screens, packs and exports. A
    review with items in the log is refused: its items are deleted first, each recorded."""
    if not ctx.note.strip():
        raise EditError("Say why the review is withdrawn: a note is required.", "note")
    review = session.get(Review, review_id)
    if review is None or review.deleted_at is not None:
        raise EditError("That review no longer exists.")
    items = session.scalar(
        select(func.count()).where(TrackedItem.review_id == review_id, TrackedItem.deleted_at.is_(None))
    )
    label = _review_record(review, {}).label
    if items:
        raise EditError(
            f"{label} has {items} item{'s' if items != 1 else ''} in the log; delete them first (d on the "
            "log, which records each), then withdraw the review."
        )
    review.deleted_at = ctx.now
    record(session, ctx, "review", review.id, "withdrawn", None, "withdrawn")
    session.flush()
    return 1


def _refuse_a_twin(session: Session, review: Review, kind: ReviewKind, title: str, year: int | None) -> None:
    """Refuse, in a sentence, a review that would share its kind, title and year with another
    (the database would refuse it too, in its own words). Asked before any change is written."""
    with session.no_autoflush:
        twin = session.scalar(
            select(Review.id).where(
                Review.kind == kind,
                Review.title == title,
                Review.year.is_(None) if year is None else Review.year == year,
                Review.id != review.id,
            )
        )
    if twin is not None:
        label = review_label(kind, title, year)
        raise EditError(f"There is already a review called {label}; change the title or the year.", "title")


# The fields of reviews and priorities whose changes undo reverses (items': edits.undo_batch).
_UNDOABLE = {("review", name) for name in REVIEW_FIELDS} | {
    ("priority", "rating"),
    ("priority", "title"),
    ("priority", "objective"),
}


def undo_batch(session: Session, ctx: EditContext, batch: str) -> int:
    """Reverse one earlier batch of changes by writing new history (never removing any): an
    edit of items, of a review or of a priority. Nothing is reversed if any of them has been
    changed again since."""
    entries = list(
        session.scalars(
            select(HistoryEntry).where(HistoryEntry.batch == batch).order_by(HistoryEntry.id.desc())
        )
    )
    if any(entry.entity == "item" for entry in entries):
        return undo_item_batch(session, ctx, batch)
    reversible = [e for e in entries if (e.entity, e.field) in _UNDOABLE]
    if not reversible:
        raise EditError("There is nothing to undo.")
    by_review: dict[int, dict[str, object]] = defaultdict(dict)
    by_priority: dict[int, dict[str, str | None]] = defaultdict(dict)
    for entry in reversible:
        if entry.entity == "review":
            review = session.get(Review, entry.entity_id)
            if review is None or review.deleted_at is not None:
                raise EditError("That review no longer exists; nothing was undone.")
            if _text(getattr(review, entry.field)) != entry.new_value:
                label = _review_record(review, {}).label
                raise EditError(f"The review {label} has changed since; nothing was undone.")
            by_review[review.id][entry.field] = _review_value(entry.field, entry.old_value)
        else:
            priority = session.get(Priority, entry.entity_id)
            if priority is None:
                raise EditError("That priority no longer exists; nothing was undone.")
            if _text(getattr(priority, entry.field)) != entry.new_value:
                raise EditError(f"Priority {priority.number} has changed since; nothing was undone.")
            by_priority[priority.id][entry.field] = entry.old_value
    for review_id, values in by_review.items():
        save_review(session, ctx, review_id, values)
    for priority_id, olds in by_priority.items():
        if "rating" in olds:
            old = olds["rating"]
            set_priority_rating(session, ctx, priority_id, Rating(old) if old else None)
        if "title" in olds or "objective" in olds:
            priority = session.get(Priority, priority_id)
            assert priority is not None  # looked up above, in this transaction
            title = olds.get("title", priority.title) or ""
            objective = olds.get("objective", priority.objective) or ""
            update_priority(session, ctx, priority_id, title, objective)
    return len(reversible)


def _review_value(name: str, text: str | None) -> object:
    """A review field's value from its history text (see :func:`_text`)."""
    if name == "year":
        return int(text) if text else None
    if name in ("commissioned_on", "published_on", "closed_on"):
        return date.fromisoformat(text) if text else None
    return text or ""


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def plans(session: Session) -> list[PlanRecord]:
    result = []
    for plan in session.scalars(select(StrategicPlan).order_by(StrategicPlan.starts_on.desc())):
        priorities = tuple(
            PriorityRecord(p.id, plan.id, plan.title, p.number, p.title, p.objective, p.rating)
            for p in plan.priorities
        )
        result.append(PlanRecord(plan.id, plan.title, plan.period, plan.starts_on, plan.ends_on, priorities))
    return result


def save_plan(session: Session, ctx: EditContext, plan_id: int | None, title: str, period: str) -> int:
    """Add a strategic plan (``plan_id`` None) or change its title and period; each change,
    and the creation, goes to history. Returns the plan's id."""
    title, period = clean(title).strip(), clean(period).strip()
    if not title:
        raise EditError("A plan needs a title.", "title")
    twin = session.scalar(select(StrategicPlan.id).where(func.lower(StrategicPlan.title) == title.lower()))
    if twin is not None and twin != plan_id:
        raise EditError(f"There is already a plan called '{title}'.", "title")
    if plan_id is None:
        plan = StrategicPlan(title=title, period=period)
        session.add(plan)
        session.flush()
        record(session, ctx, "plan", plan.id, "created", None, title)
        if period:
            record(session, ctx, "plan", plan.id, "period", None, period)
        return plan.id
    found = session.get(StrategicPlan, plan_id)
    if found is None:
        raise EditError("That plan no longer exists.")
    for name, value in (("title", title), ("period", period)):
        old = getattr(found, name)
        if old != value:
            setattr(found, name, value)
            record(session, ctx, "plan", found.id, name, old or None, value or None)
    return found.id


def add_priority(
    session: Session, ctx: EditContext, plan_id: int, number: str, title: str, objective: str
) -> int:
    """A new priority of a plan, numbered as the plan numbers them; its creation in history."""
    number, title, objective = clean(number), clean(title), clean(objective)
    number, title = number.strip(), title.strip()
    if session.get(StrategicPlan, plan_id) is None:
        raise EditError("That plan no longer exists.")
    if not number:
        raise EditError("A priority needs a number.", "number")
    if not title:
        raise EditError("A priority needs a title.", "title")
    taken = session.scalar(select(Priority.id).where(Priority.plan_id == plan_id, Priority.number == number))
    if taken is not None:
        raise EditError(f"The plan already has a priority {number}; give another number.", "number")
    position = int(number) if number.isdigit() else (session.scalar(
        select(func.max(Priority.position)).where(Priority.plan_id == plan_id)) or 0) + 1  # fmt: skip
    priority = Priority(plan_id=plan_id, number=number, position=position, title=title,
                        objective=objective.strip())  # fmt: skip
    session.add(priority)
    session.flush()
    record(session, ctx, "priority", priority.id, "created", None, f"{number} {title}")
    if objective.strip():
        record(session, ctx, "priority", priority.id, "objective", None, objective.strip())
    return priority.id


def set_priority_rating(session: Session, ctx: EditContext, priority_id: int, rating: Rating | None) -> bool:
    priority = session.get(Priority, priority_id)
    if priority is None:
        raise EditError("That priority no longer exists.")
    if priority.rating == rating:
        return False
    if not ctx.note.strip():
        raise EditError("Say why the rating changed: a note is required.", "note")
    old = priority.rating.value if priority.rating else None
    priority.rating = rating
    record(session, ctx, "priority", priority.id, "rating", old, rating.value if rating else None)
    return True


def update_priority(session: Session, ctx: EditContext, priority_id: int, title: str, objective: str) -> int:
    """Change a priority's title and strategic objective; each change goes to history."""
    title, objective = clean(title), clean(objective)
    priority = session.get(Priority, priority_id)
    if priority is None:
        raise EditError("That priority no longer exists.")
    if not title.strip():
        raise EditError("A priority needs a title.", "title")
    changed = 0
    for name, value in (("title", title.strip()), ("objective", objective.strip())):
        old = getattr(priority, name)
        if old != value:
            setattr(priority, name, value)
            record(session, ctx, "priority", priority.id, name, old or None, value or None)
            changed += 1
    return changed


def meetings(session: Session, group: str | None = None) -> list[MeetingRecord]:
    statement = select(Meeting).order_by(Meeting.held_on, Meeting.id)
    if group:
        statement = statement.where(Meeting.group == group)
    return [MeetingRecord(m.id, m.group, m.held_on, m.notes) for m in session.scalars(statement)]


def record_meeting(session: Session, ctx: EditContext, group: str, held_on: date) -> MeetingRecord:
    group = clean(group).strip()
    if not group:
        raise EditError("A meeting needs a group, such as Case Review Panel.", "group")
    exists = session.scalar(select(Meeting).where(Meeting.group == group, Meeting.held_on == held_on))
    if exists is not None:
        raise EditError(f"A {group} meeting on {held_on:%d %b %Y} is already recorded.", "date")
    # The id comes from the database, which never gives one twice (migration 0011): a removed
    # meeting's history can never read as this meeting's.
    meeting = Meeting(group=group, held_on=held_on, notes="")
    session.add(meeting)
    session.flush()
    record(session, ctx, "meeting", meeting.id, "created", None, f"{group} {held_on.isoformat()}")
    return MeetingRecord(meeting.id, meeting.group, meeting.held_on, meeting.notes)


def delete_meeting(session: Session, ctx: EditContext, meeting_id: int) -> int:
    """Remove a meeting recorded by mistake; history keeps what it was, who removed it and why.

    Packs for the group then compare with the meeting before it. Nothing refers to a meeting
    but history, which names it in words."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise EditError("That meeting is no longer recorded.")
    if not ctx.note.strip():
        raise EditError("Say why the meeting is removed: a note is required.", "note")
    record(
        session, ctx, "meeting", meeting.id, "deleted", f"{meeting.group} {meeting.held_on.isoformat()}", None
    )
    session.delete(meeting)
    return 1
