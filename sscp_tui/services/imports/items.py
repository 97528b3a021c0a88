"""The items an import may update, as snapshots, and the changes a row makes to one.

A snapshot holds each field in the form :func:`sscp_tui.services.edits.change_field` reads
it (ratings by value, dates in ISO form, agencies by short name, lists sorted and joined with
"; "), so what the dry run calls a change is what the real run writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sscp_tui.db.models import (
    Agency,
    ItemKind,
    ProgressUpdate,
    Theme,
    TrackedItem,
    item_supporting_agencies,
    item_themes,
)
from sscp_tui.services.imports.rows import ReadRow


@dataclass(frozen=True, slots=True)
class ItemSnap:
    id: int
    kind: ItemKind
    reference: str
    text: str
    values: dict[str, str | None]  # as edits.change_field reads them
    latest_update: str | None


def load_items(session: Session, column: Any, ids: list[object]) -> list[tuple[object, ItemSnap]]:
    """The live items whose ``column`` (review or priority id) is one of ``ids``, as snapshots
    in the form ``edits.change_field`` compares values: a few queries, whatever the count."""
    item = TrackedItem
    where = [column.in_(ids), item.deleted_at.is_(None)]
    chosen = select(item.id).where(*where)
    supporting: dict[int, list[str]] = defaultdict(list)
    for item_id, short in session.execute(
        select(item_supporting_agencies.c.item_id, Agency.short_name)
        .join(Agency, Agency.id == item_supporting_agencies.c.agency_id)
        .where(item_supporting_agencies.c.item_id.in_(chosen))
    ):
        supporting[item_id].append(short)
    themes: dict[int, list[str]] = defaultdict(list)
    for item_id, name in session.execute(
        select(item_themes.c.item_id, Theme.name)
        .join(Theme, Theme.id == item_themes.c.theme_id)
        .where(item_themes.c.item_id.in_(chosen))
    ):
        themes[item_id].append(name)
    latest: dict[int, str] = {}
    for item_id, text in session.execute(
        select(ProgressUpdate.item_id, ProgressUpdate.text)
        .where(ProgressUpdate.item_id.in_(chosen))
        .order_by(ProgressUpdate.item_id, ProgressUpdate.written_on, ProgressUpdate.id)
    ):
        latest[item_id] = text
    lead = select(Agency.short_name).where(Agency.id == item.lead_agency_id)
    statement = select(
        column, item.id, item.kind, item.reference, item.text, item.rating, item.timescale,
        item.due_on, item.owner, item.evidence_completion, item.evidence_impact,
        lead.scalar_subquery().label("lead"),
    ).where(*where)  # fmt: skip
    found = []
    for owner, *rest in session.execute(statement):
        item_id, kind, reference, text, rating, timescale, due_on = rest[:7]
        owner_name, completion, impact, lead_short = rest[7:]
        values: dict[str, str | None] = {
            "rating": rating.value if rating else None,
            "timescale": timescale or None,
            "due_on": due_on.isoformat() if due_on else None,
            "lead_agency": lead_short,
            "supporting_agencies": "; ".join(sorted(supporting[item_id])) or None,
            "themes": "; ".join(sorted(themes[item_id])) or None,
            "owner": owner_name or None,
            "evidence_completion": completion or None,
            "evidence_impact": impact or None,
        }
        snap = ItemSnap(item_id, kind, reference, text, values, latest.get(item_id))
        found.append((owner, snap))
    return found


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def changes_for(
    row: ReadRow, snap: ItemSnap, lead: str | None, supporting: list[str], themes: list[str]
) -> dict[str, str | None]:
    """The fields a row changes on an existing item. A blank cell never clears a value."""
    want: dict[str, str | None] = {}
    if row.reference and row.reference != snap.reference:
        want["reference"] = row.reference
    if row.text != snap.text:
        want["text"] = row.text
    if row.rating is not None:
        want["rating"] = row.rating.value
    if row.timescale is not None and row.timescale.text != snap.values["timescale"]:
        want["timescale"] = row.timescale.text
        want["due_on"] = iso(due_date(row))
    elif row.due_on is not None:
        want["due_on"] = row.due_on.isoformat()
    if lead:
        want["lead_agency"] = lead
    if supporting:
        chosen = set(supporting)
        if not row.supporting_agencies:  # only agencies named with the lead: add them
            chosen |= set(split(snap.values["supporting_agencies"]))
        want["supporting_agencies"] = "; ".join(sorted(chosen))
    if themes:
        want["themes"] = "; ".join(themes)
    for name in ("owner", "evidence_completion", "evidence_impact"):
        value = getattr(row, name)
        if value:
            want[name] = value
    current = {**snap.values, "reference": snap.reference, "text": snap.text}
    return {name: value for name, value in want.items() if current.get(name) != value}


def split(value: str | None) -> list[str]:
    """A "; "-joined list of names, as snapshots and decisions hold them."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def due_date(row: ReadRow) -> date | None:
    """The due date a row gives: its target date, else the one its timescale names."""
    if row.due_on is not None:
        return row.due_on
    return row.timescale.due_on if row.timescale else None
