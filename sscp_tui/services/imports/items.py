"""The items an import may update, as snapshots, and the changes a row makes to one.

A snapshot holds each field typed (a rating, a date, agencies by short name, lists as sorted
tuples), and a change is made of the same types, so what the dry run calls a change is what
the real run writes: the write hands each to :func:`sscp_tui.services.edits.change_field`
in the text form history records (:func:`field_text`).
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
    Rating,
    Theme,
    TrackedItem,
    item_supporting_agencies,
    item_themes,
)
from sscp_tui.services.imports.rows import ReadRow

# A field's value in a snapshot or a change: text, a date, a rating, or names (sorted).
FieldValue = str | date | Rating | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class ItemSnap:
    id: int
    kind: ItemKind
    reference: str
    text: str
    values: dict[str, FieldValue]  # by field name, as edits.change_field names them
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
        values: dict[str, FieldValue] = {
            "rating": rating,
            "timescale": timescale or None,
            "due_on": due_on,
            "lead_agency": lead_short,
            "supporting_agencies": tuple(sorted(supporting[item_id])),
            "themes": tuple(sorted(themes[item_id])),
            "owner": owner_name or None,
            "evidence_completion": completion or None,
            "evidence_impact": impact or None,
        }
        snap = ItemSnap(item_id, kind, reference, text, values, latest.get(item_id))
        found.append((owner, snap))
    return found


def changes_for(
    row: ReadRow, snap: ItemSnap, lead: str | None, supporting: list[str], themes: list[str]
) -> dict[str, FieldValue]:
    """The fields a row changes on an existing item. A blank cell never clears a value."""
    want: dict[str, FieldValue] = {}
    if row.reference and row.reference != snap.reference:
        want["reference"] = row.reference
    if row.text != snap.text:
        want["text"] = row.text
    if row.rating is not None:
        want["rating"] = row.rating
    if row.timescale is not None and row.timescale.text != snap.values["timescale"]:
        want["timescale"] = row.timescale.text
        want["due_on"] = due_date(row)
    elif row.due_on is not None:
        want["due_on"] = row.due_on
    if lead:
        want["lead_agency"] = lead
    if supporting:
        chosen = set(supporting)
        if not row.supporting_agencies:  # only agencies named with the lead: add them
            chosen |= set(names(snap.values["supporting_agencies"]))
        want["supporting_agencies"] = tuple(sorted(chosen))
    if themes:
        want["themes"] = tuple(themes)
    for name in ("owner", "evidence_completion", "evidence_impact"):
        value = getattr(row, name)
        if value:
            want[name] = value
    current = {**snap.values, "reference": snap.reference, "text": snap.text}
    return {name: value for name, value in want.items() if current.get(name) != value}


def names(value: FieldValue) -> tuple[str, ...]:
    """The agencies or themes a snapshot or change holds: a lead agency's short name, or a
    list of them (none for any other value)."""
    if isinstance(value, str):
        return (value,)
    return value if isinstance(value, tuple) else ()


def field_text(value: FieldValue) -> str | None:
    """A change as edits.change_field takes it and history records it: a rating by its value,
    a date in ISO form, names joined with "; "."""
    if isinstance(value, Rating):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "; ".join(value) or None
    return value


def due_date(row: ReadRow) -> date | None:
    """The due date a row gives: its target date, else the one its timescale names."""
    if row.due_on is not None:
        return row.due_on
    return row.timescale.due_on if row.timescale else None
