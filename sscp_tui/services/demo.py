"""The demo partnership: built from the shipped assets/demo.json, relative to the day it is loaded.

Open items in the data give their due date as days from today and a timescale form, so the
demo always shows a live picture: some overdue, some due soon, some stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
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
    TrackedItem,
)
from sscp_tui.db.store import Store
from sscp_tui.errors import InstallationError
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


def _at(today: date, days_ago: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(10, 0))


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_demo(store: Store, today: date | None = None, data: dict[str, Any] | None = None) -> DemoSummary:
    """Fill an empty tracker with the demo partnership."""
    today = today or date.today()
    data = data or demo_data()
    with store.write() as session:
        if session.scalar(select(func.count()).select_from(TrackedItem)):
            raise DemoError("This tracker already holds items; the demo goes into an empty one.")
        summary = _load(session, data, today)
    store.refresh_statistics()
    return summary


def _load(session: Session, data: dict[str, Any], today: date) -> DemoSummary:
    for entry in data["agencies"]:
        session.add(
            Agency(
                name=entry["name"],
                short_name=entry["short_name"],
                kind=AgencyKind(entry["kind"]),
                active=entry.get("active", True),
            )
        )
    reviews: dict[str, int] = {}
    for entry in data["reviews"]:
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
        reviews[entry["key"]] = review.id
    items = updates = 0
    for entry in data["items"]:
        updates += _item(session, entry, today, review_id=reviews[entry["review"]], parents={})
        items += 1
    for plan_entry in data.get("plans", []):
        plan = StrategicPlan(
            title=plan_entry["title"],
            period=plan_entry["period"],
            starts_on=_iso(plan_entry.get("starts_on")),
            ends_on=_iso(plan_entry.get("ends_on")),
        )
        session.add(plan)
        for position, p in enumerate(plan_entry["priorities"]):
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
            for action in p.get("actions", []):
                updates += _item(session, action, today, priority_id=priority.id, parents={})
                items += 1
    meetings = 0
    for entry in data.get("meetings", []):
        held = today + timedelta(days=entry["days_from_today"])
        session.add(Meeting(group=entry["group"], held_on=held, notes=entry.get("notes", "")))
        meetings += 1
    session.flush()
    return DemoSummary(len(data["agencies"]), len(reviews), items, updates, meetings)


def _timescale(entry: dict[str, Any], today: date) -> str:
    if "due_in_days" in entry:
        due = today + timedelta(days=entry["due_in_days"])
        return format_timescale(due, TimescaleForm(entry.get("timescale_form", "date")))
    return str(entry.get("timescale", ""))


def _item(
    session: Session,
    entry: dict[str, Any],
    today: date,
    *,
    review_id: int | None = None,
    priority_id: int | None = None,
    parents: dict[str, int],
) -> int:
    updates = entry.get("updates", [])
    history = sorted(entry.get("history", []), key=lambda h: -h["days_ago"])
    ratings = [h for h in history if h["field"] == "rating"]
    oldest = max([u["days_ago"] for u in updates] + [h["days_ago"] for h in history] + [60])
    created = _at(today, oldest + 30)
    rating = entry.get("rating")
    first_rating = ratings[0]["old"] if ratings else rating
    parent_id = None
    if entry.get("parent") and review_id is not None:
        parent_id = session.scalar(
            select(TrackedItem.id).where(
                TrackedItem.review_id == review_id, TrackedItem.reference == entry["parent"]
            )
        )
    ctx = EditContext(author="SSCP business team", source="demo", now=created,
                      note="Added to the log")  # fmt: skip
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
            rating=Rating(first_rating) if first_rating else None,
            owner=entry.get("owner", ""),
            evidence_completion=entry.get("evidence_completion", ""),
            evidence_impact=entry.get("evidence_impact", ""),
            illustrative=bool(entry.get("illustrative", False)),
            created_on=created.date(),
        ),
    )
    for change in ratings:
        ctx = EditContext(author=change.get("author", "Chair, Case Review Panel"),
                          note=change.get("note", ""), source="demo",
                          now=_at(today, change["days_ago"]))  # fmt: skip
        change_field(session, ctx, item, "rating", change["new"] or None)
    if rating != (item.rating.value if item.rating else None):
        ctx = EditContext(author="Chair, Case Review Panel", source="demo",
                          note="Rated at panel", now=_at(today, 14))  # fmt: skip
        change_field(session, ctx, item, "rating", rating)
    for update in updates:
        ctx = EditContext(author=update["author"], source="demo", now=_at(today, update["days_ago"]))
        proposed = update.get("proposed_rating")
        add_update(
            session,
            ctx,
            item.id,
            update["text"],
            written_on=ctx.now.date(),
            proposed_rating=Rating(proposed) if proposed else None,
        )
    return len(updates)


def write_demo(target: str | Path, today: date | None = None) -> tuple[Store, DemoSummary]:
    from sscp_tui.db.store import open_store

    store = open_store(target)
    return store, load_demo(store, today)
