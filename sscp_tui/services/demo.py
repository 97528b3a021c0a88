"""The demo partnership: built from the shipped assets/demo.json.

What the sources record keeps its real date whatever the day the demo is built: progress
updates and rating changes are dated ("on": "2013-07-17"), and so is the day each historical
item was added to the log ("created_on"). Only the open items that exist to show a live log —
overdue, due soon, stale, awaiting a timescale or a first rating — are placed relative to the
day of building: their due date ("due_in_days") and their recent updates and rating changes
("days_ago"). Such an item is "live" (it has "due_in_days", or says "live": true) and is always
marked illustrative. A historical item may not use a relative date.

Everything invented for the demo is marked illustrative, and the item's creation is recorded with
a note saying what was invented ("illustrative_note" on the item, or on its review or plan for all
of theirs); the item screen shows that note.

Meetings are the live schedule, placed relative to the day of building and moved to the next
working day when they would fall on a weekend, 25 or 26 December or 1 January.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sscp_tui.db.models import (
    Agency,
    AgencyKind,
    ItemKind,
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
from sscp_tui.db.store import Store
from sscp_tui.errors import EditError, InstallationError
from sscp_tui.resources import asset_json
from sscp_tui.services.edits import EditContext, NewItem, add_update, change_field, create_item
from sscp_tui.services.timescales import TimescaleForm, format_timescale

DEMO_PARTS = ("agencies", "reviews", "items", "plans", "meetings")


class DemoError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class DemoSummary:
    agencies: int
    reviews: int
    items: int
    updates: int
    meetings: int


def demo_data() -> dict[str, Any]:
    data = asset_json("demo.json")
    if not isinstance(data, dict) or not all(isinstance(data.get(key), list) for key in DEMO_PARTS):
        raise InstallationError(
            "sscp-tui is not installed correctly: assets/demo.json is damaged "
            f"(it lacks one of {', '.join(DEMO_PARTS)}); reinstall it."
        )
    return data


# The partnership replaced the Board at the end of September 2019: who wrote what before then.
PARTNERSHIP_BEGAN = date(2019, 9, 29)
# Days no meeting is held on, besides weekends: (month, day).
CLOSED_DAYS = frozenset({(12, 25), (12, 26), (1, 1)})
# What an illustrative item's creation note says, after "Added to the log. ": the item screen
# shows the rest of the note.
ILLUSTRATIVE_MARK = "Illustrative: "
LIVE_NOTE = "Its timescale and recent progress move with the day the demo is built, to keep the log live."
_AT = time(10, 0)


def _at(today: date, days_ago: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), _AT)


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def working_day(day: date) -> date:
    """The day itself, or the next day that is not a weekend, 25 or 26 December or 1 January."""
    while day.weekday() >= 5 or (day.month, day.day) in CLOSED_DAYS:
        day += timedelta(days=1)
    return day


def is_live(entry: dict[str, Any]) -> bool:
    """Whether an item is placed relative to the day the demo is built (see the module's note)."""
    return "due_in_days" in entry or entry.get("live") is True


def _damaged(detail: str) -> InstallationError:
    return InstallationError(
        f"sscp-tui is not installed correctly: assets/demo.json is damaged ({detail}); reinstall it."
    )


@contextmanager
def _reading(label: str) -> Iterator[None]:
    """Any fault in the data read here becomes one sentence naming the entry."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, EditError, IntegrityError) as exc:
        if isinstance(exc, KeyError):
            detail = f"it has no {exc.args[0]!r}"
        elif isinstance(exc, IntegrityError):
            detail = "it repeats a name or reference that must be unique"
        else:
            detail = str(exc).strip().rstrip(".") or type(exc).__name__
        raise _damaged(f"{label}: {detail}") from None


def load_demo(store: Store, today: date | None = None, data: dict[str, Any] | None = None) -> DemoSummary:
    """Fill an empty tracker with the demo partnership."""
    today = today or date.today()
    data = data or demo_data()
    with store.write() as session:
        if session.scalar(select(func.count()).select_from(TrackedItem)):
            raise DemoError("This tracker already holds items; the demo goes into an empty one.")
        held = [name for name, model in (("agencies", Agency), ("reviews", Review), ("themes", Theme),
                                         ("strategic plans", StrategicPlan), ("meetings", Meeting))
                if session.scalar(select(func.count()).select_from(model))]  # fmt: skip
        if held:
            raise DemoError(f"This tracker already holds {', '.join(held)}; the demo goes into an empty one.")
        summary = _load(session, data, today)
    store.refresh_statistics()
    return summary


def _load(session: Session, data: dict[str, Any], today: date) -> DemoSummary:
    for entry in data["agencies"]:
        with _reading(f"agency {_name(entry, 'short_name')}"):
            session.add(
                Agency(
                    name=entry["name"],
                    short_name=entry["short_name"],
                    kind=AgencyKind(entry["kind"]),
                    active=entry.get("active", True),
                )
            )
            session.flush()
    reviews: dict[str, tuple[int, str | None]] = {}
    for entry in data["reviews"]:
        with _reading(f"review {_name(entry, 'key')}"):
            review = Review(
                kind=ReviewKind(entry["kind"]),
                title=entry["title"],
                year=entry.get("year"),
                status=ReviewStatus(entry["status"]),
                commissioned_on=_iso(entry.get("commissioned_on")),
                published_on=_iso(entry.get("published_on")),
                closed_on=_iso(entry.get("closed_on")),
                notes=entry.get("notes", ""),
            )
            session.add(review)
            session.flush()
            reviews[entry["key"]] = (review.id, entry.get("illustrative_note"))
    items = updates = 0
    for entry in data["items"]:
        with _reading(f"item {_name(entry, 'reference')} of review {_name(entry, 'review')}"):
            if entry["review"] not in reviews:
                raise ValueError("that review is not in the file")
            review_id, note = reviews[entry["review"]]
            updates += _item(session, entry, today, review_id=review_id, note=note)
            items += 1
    for plan_entry in data.get("plans", []):
        with _reading(f"plan {_name(plan_entry, 'period')}"):
            plan = StrategicPlan(
                title=plan_entry["title"],
                period=plan_entry["period"],
                starts_on=_iso(plan_entry.get("starts_on")),
                ends_on=_iso(plan_entry.get("ends_on")),
            )
            session.add(plan)
            priorities = list(enumerate(plan_entry["priorities"]))
        for position, p in priorities:
            with _reading(f"priority {_name(p, 'number')} of the {plan_entry['period']} plan"):
                rating = p.get("rating")
                priority = Priority(
                    plan=plan,
                    number=str(p["number"]),
                    position=position,
                    title=p["title"],
                    objective=p.get("objective", ""),
                    rating=Rating(rating) if rating else None,
                )
                session.add(priority)
                session.flush()
                actions = list(p.get("actions", []))
            for action in actions:
                with _reading(f"action {_name(action, 'reference')} of the {plan_entry['period']} plan"):
                    note = plan_entry.get("illustrative_note")
                    updates += _item(session, action, today, priority_id=priority.id, note=note)
                    items += 1
    meetings = 0
    for entry in data.get("meetings", []):
        with _reading(f"meeting of {_name(entry, 'group')}"):
            held = working_day(today + timedelta(days=int(entry["days_from_today"])))
            session.add(Meeting(group=entry["group"], held_on=held, notes=entry.get("notes", "")))
            session.flush()
            meetings += 1
    return DemoSummary(len(data["agencies"]), len(reviews), items, updates, meetings)


def _name(entry: Any, key: str) -> str:
    """How an entry is named in a message about damaged data."""
    value = entry.get(key) if isinstance(entry, dict) else None
    return repr(value) if value is not None else "(unnamed)"


def _timescale(entry: dict[str, Any], today: date) -> str:
    if "due_in_days" in entry:
        due = today + timedelta(days=entry["due_in_days"])
        return format_timescale(due, TimescaleForm(entry.get("timescale_form", "date")))
    return str(entry.get("timescale", ""))


def _when(event: dict[str, Any], today: date, *, live: bool) -> datetime:
    """When an update or a rating change happened: a real date, or (live items only) relative to today."""
    if "on" in event:
        return datetime.combine(date.fromisoformat(event["on"]), _AT)
    if "days_ago" in event:
        if not live:
            raise ValueError("a historical item gives a date relative to the day the demo is built")
        return _at(today, int(event["days_ago"]))
    raise ValueError("an update or a change of rating has no date")


def _created(entry: dict[str, Any], events: list[datetime], today: date, *, live: bool) -> datetime:
    """When the item was added to the log: its own date, or a month before a live item's first news."""
    if "created_on" in entry:
        created = datetime.combine(date.fromisoformat(entry["created_on"]), _AT)
        if events and min(events) < created:
            if not live:
                raise ValueError("it has news dated before the day it was added to the log")
            created = min(events) - timedelta(days=30)  # a live item, built for a day long past
        return created
    if not live:
        raise ValueError("a historical item does not say when it was added to the log")
    return min([*events, _at(today, 60)]) - timedelta(days=30)


def _item(
    session: Session,
    entry: dict[str, Any],
    today: date,
    *,
    review_id: int | None = None,
    priority_id: int | None = None,
    note: str | None = None,
) -> int:
    live = is_live(entry)
    updates = [(_when(u, today, live=live), u) for u in entry.get("updates", [])]
    history = sorted(
        ((_when(h, today, live=live), h) for h in entry.get("history", [])), key=lambda pair: pair[0]
    )
    ratings = [(when, h) for when, h in history if h["field"] == "rating"]
    created = _created(entry, [when for when, _ in [*updates, *history]], today, live=live)
    rating = entry.get("rating")
    first_rating = ratings[0][1]["old"] if ratings else rating
    parent_id = None
    if entry.get("parent") and review_id is not None:
        parent_id = session.scalar(
            select(TrackedItem.id).where(
                TrackedItem.review_id == review_id, TrackedItem.reference == entry["parent"]
            )
        )
    illustrative = bool(entry.get("illustrative", False)) or live
    added = "Added to the log"
    if illustrative:
        said = str(entry.get("illustrative_note") or note or "written for the demo.")
        said = said[:1].lower() + said[1:]  # it follows "Illustrative: "
        added = f"{added}. {ILLUSTRATIVE_MARK}{said}" + (f" {LIVE_NOTE}" if live else "")
    team = "SSCB business team" if created.date() < PARTNERSHIP_BEGAN else "SSCP business team"
    ctx = EditContext(author=team, source="demo", now=created, note=added)
    item = create_item(
        session,
        ctx,
        NewItem(
            kind=ItemKind(entry["kind"]),
            reference=str(entry["reference"]),
            text=entry["text"],
            review_id=review_id,
            priority_id=priority_id,
            parent_id=parent_id,
            lead_agency=entry.get("lead_agency"),
            supporting_agencies=tuple(entry.get("supporting_agencies", ())),
            themes=tuple(entry.get("themes", ())),
            timescale=_timescale(entry, today),
            owner=entry.get("owner", ""),
            evidence_completion=entry.get("evidence_completion", ""),
            evidence_impact=entry.get("evidence_impact", ""),
            illustrative=illustrative,
            created_on=created.date(),
        ),
    )
    if first_rating:
        change_field(session, replace(ctx, note="Rated when added to the log"), item, "rating",
                     Rating(first_rating).value)  # fmt: skip
    for when, change in ratings:
        chair = "Chair, Case Review Panel" if when.date() >= PARTNERSHIP_BEGAN else (
            "Chair, SSCB Strategic Case Review Group")  # fmt: skip
        ctx = EditContext(author=change.get("author", chair), note=change.get("note", ""), source="demo",
                          now=when)  # fmt: skip
        new = change["new"]
        change_field(session, ctx, item, "rating", Rating(new).value if new else None)
    if rating != (item.rating.value if item.rating else None):
        if not live:
            raise ValueError("its history of ratings does not end at its rating")
        ctx = EditContext(author="Chair, Case Review Panel", source="demo",
                          note="Rated at panel", now=_at(today, 14))  # fmt: skip
        change_field(session, ctx, item, "rating", Rating(rating).value if rating else None)
    for when, update in updates:
        ctx = EditContext(author=update["author"], source="demo", now=when)
        proposed = update.get("proposed_rating")
        add_update(
            session,
            ctx,
            item.id,
            update["text"],
            written_on=when.date(),
            proposed_rating=Rating(proposed) if proposed else None,
        )
    return len(updates)


def write_demo(target: str | Path, today: date | None = None) -> tuple[Store, DemoSummary]:
    from sscp_tui.db.store import open_store

    store = open_store(target)
    return store, load_demo(store, today)
