"""The alerts command's listing of a tracker file, read with plain sqlite3.

``sscp-tui alerts`` on a large log spent most of its time loading SQLAlchemy and the models
and making a full log row (text and all) of every item it lists: at 100,000 items, nearly five
seconds for what SQLite reads in half a second. So where opening the store has nothing to
check, back up or make private (see :func:`quick_listing`), the listing is read here instead:
one statement, in which SQLite works out from each item's dates which alerts it has, then the
names of its review, plan and lead agency from their few rows, and the order made in Python.
What each alert means is the store's (``services/alert_sql.py``): a test compares the
command's output both ways, in every format, on the demo and a synthetic log at several
dates, so the two cannot drift apart unnoticed. Anything else (a database URL, a schema to
migrate or refuse, a file the store's opening would check, back up or make private, one
agency's items, a day in the past) goes through the store as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from json.encoder import encode_basestring as quoted
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sscp_tui.db import backups, tracker_file
from sscp_tui.db.enums import ItemKind, Rating
from sscp_tui.db.stored import stored_kind, stored_rating, stored_review_kind
from sscp_tui.services.alerts import ALERT_SEVERITY, AlertRules
from sscp_tui.services.first_look import FirstLook, dates_of
from sscp_tui.services.item_rows import awaits_impact, source_label
from sscp_tui.services.records import AlertKind
from sscp_tui.text_safety import shown

# Open items with an alert the command lists (overdue, due soon, no timescale, stale) or
# delivered and awaiting evidence of impact, as queries.alert_rows(awaiting_too=True) reads
# them and the command keeps them. SQLite works out which alerts each has from its dates; an
# item awaiting evidence of impact is judged in Python, as the store's rows judge it
# (item_rows.awaits_impact, whose strip() is not SQLite's trim()); the names of its review,
# plan and lead agency are looked up from the few rows of theirs, and the order is made in
# Python (_listed): done in the statement, both took a third of its time.
_LISTING = """
SELECT items.id, items.kind, items.reference, items.timescale, items.due_on, items.rating,
 items.last_update_on,
 CASE WHEN items.due_on IS NULL THEN 'none' WHEN items.due_on < :as_of THEN 'late'
  WHEN items.due_on <= :due_soon_until THEN 'soon' ELSE '' END,
 coalesce(items.last_update_on, items.created_on) < :stale_before,
 CASE WHEN items.rating = 'green' THEN items.evidence_completion END,
 CASE WHEN items.rating = 'green' THEN items.evidence_impact END,
 coalesce(items.delivered_on, items.last_update_on, items.created_on),
 items.review_id, items.priority_id, items.lead_agency_id
FROM items
WHERE items.deleted_at IS NULL AND (items.rating IS NULL OR items.rating != 'blue')
 AND (items.due_on IS NULL OR items.due_on <= :due_soon_until
  OR coalesce(items.last_update_on, items.created_on) < :stale_before
  OR (items.rating = 'green' AND items.evidenced IS 1 AND trim(items.evidence_impact) = ''))
"""
_REVIEWS = "SELECT id, kind, title, year FROM reviews"
_PRIORITIES = (
    "SELECT priorities.id, priorities.number, strategic_plans.title FROM priorities "
    "JOIN strategic_plans ON strategic_plans.id = priorities.plan_id"
)
_AGENCIES = "SELECT id, short_name FROM agencies"

# The command's order: by lead agency (none last), then the log's sort by alerts
# (queries._order(SortKey.ALERTS, open_only=True)): overdue, then no timescale, stale, due
# soon and the rest; then by due date (none last), by rating (worst first) and as entered.
_SEVERITY = {"red": 0, "amber": 1, None: 2, "green": 3}
_NO_NAME = "~"  # as the command sorts an item without a lead agency
_NO_DATE = "~"  # after every ISO date


class AlertLine(NamedTuple):
    """One item the alerts command lists: the fields of a log row (records.ItemRow) it shows."""

    id: int
    kind: ItemKind
    source: str
    reference: str
    lead_agency: str | None
    timescale: str
    due_on: date | None
    rating: Rating | None
    days_overdue: int | None
    last_update_on: date | None
    alerts: frozenset[AlertKind]
    awaiting_days: int | None


def quick_listing(path: Path, today: date) -> FirstLook | None:
    """A first look at the tracker file ``path`` when opening its store has nothing to check,
    back up or make private: at this version's schema, too large to be checked on opening (the
    daily backup checks it), today's backup taken, and readable by its owner only. Else None.
    (Nothing the store's opening might still do, such as putting a restored backup back in WAL
    mode, changes what is read.)"""
    try:
        if path.stat().st_size <= backups.CHECK_ON_OPEN_BYTES or not backups.taken(path, today):
            return None
        if any(map(tracker_file.others_may_read, tracker_file.parts(path))):
            return None
    except OSError:
        return None  # the store says what is wrong
    if not os.access(path, os.R_OK):
        return None
    return FirstLook.open(path)


def alert_lines(look: FirstLook, rules: AlertRules) -> list[AlertLine]:
    """The items the alerts command lists, in its order, as log rows have them."""
    day = date.fromisoformat
    lines = []
    for entry in _listed(look, rules):
        item_id, kind, source, reference, lead, timescale, due_on, rating, late, last_on, alerts, waiting = (
            entry
        )
        lines.append(AlertLine(item_id, stored_kind(kind), source, reference, lead, timescale,
                               day(due_on) if due_on else None, stored_rating(rating), late,
                               day(last_on) if last_on else None, alerts, waiting))  # fmt: skip
    return lines


def json_lines(look: FirstLook, rules: AlertRules) -> list[str]:
    """The same, each item as the command's JSON has it (see :func:`json_line`), made from
    the stored text: 60,000 items need no date or choice made and written back."""
    names: dict[tuple[frozenset[AlertKind], bool], str] = {}
    lines = []
    for entry in _listed(look, rules):
        item_id, kind, source, reference, lead, timescale, due_on, rating, late, last_on, alerts, waiting = (
            entry
        )
        key = (alerts, waiting is not None)
        listed = names.get(key)
        if listed is None:
            listed = names[key] = quoted_list(alert_names(*key))
        lines.append(json_line(item_id, kind, source, reference, lead, timescale, due_on, rating, late,
                               last_on, listed, waiting))  # fmt: skip
    return lines


def json_line(
    item_id: int,
    kind: str,
    source: str,
    reference: str,
    lead: str | None,
    timescale: str | None,
    due_on: str | None,
    rating: str | None,
    late: int | None,
    last_on: str | None,
    alerts: str,
    waiting: int | None,
) -> str:
    """One item of the command's JSON, exactly as ``json.dumps`` writes its record with
    ``ensure_ascii=False`` (a test holds the two together): dates in ISO form, the kind and
    rating by their stored values, ``alerts`` a JSON list already written."""
    return (
        f'{{"id": {item_id}, "kind": {quoted(kind)}, "review": {quoted(source)}, '
        f'"reference": {quoted(reference)}, "lead_agency": {_text(lead)}, '
        f'"timescale": {_text(timescale)}, "due_on": {_text(due_on)}, "rating": {_text(rating)}, '
        f'"days_overdue": {_number(late)}, "last_update_on": {_text(last_on)}, "alerts": {alerts}, '
        f'"awaiting_impact_days": {_number(waiting)}}}'
    )


def quoted_list(names: Iterable[str]) -> str:
    return "[" + ", ".join(map(quoted, names)) + "]"


def alert_names(alerts: frozenset[AlertKind], awaiting: bool) -> tuple[str, ...]:
    """An item's alerts by name, worst first, and "awaiting impact" where it waits."""
    names = tuple(kind.value for kind in ALERT_SEVERITY if kind in alerts)
    return (*names, "awaiting impact") if awaiting else names


def _text(value: str | None) -> str:
    return "null" if value is None else quoted(value)


def _number(value: int | None) -> str:
    return "null" if value is None else str(value)


def _listed(look: FirstLook, rules: AlertRules) -> list[tuple[Any, ...]]:
    """Each item listed, as stored (dates in ISO form, kind and rating by value) but with its
    texts shown safe, its source named, its alerts and days worked out; worst first within each
    lead agency, agencies in order and items with none last."""
    with look.connection() as connection:
        connection.execute("BEGIN")  # one read: the names agree with the items
        rows = connection.execute(_LISTING, dates_of(rules)).fetchall()
        reviews = {row[0]: row[1:] for row in connection.execute(_REVIEWS)}
        priorities = {row[0]: row[1:] for row in connection.execute(_PRIORITIES)}
        agencies = connection.execute(_AGENCIES).fetchall()
    as_of, day = rules.as_of, date.fromisoformat
    sources: dict[tuple[int | None, int | None], str] = {}  # each review's label, made once
    leads: dict[int | None, str | None] = {None: None, **{key: shown(name) for key, name in agencies}}
    kinds: dict[tuple[object, ...], frozenset[AlertKind]] = {}
    keyed = []
    for (
        item_id,
        kind,
        reference,
        timescale,
        due_on,
        rating,
        last_on,
        due,
        stale,
        completion,
        impact,
        delivered,
        review_id,
        priority_id,
        lead_id,
    ) in rows:
        where = (review_id, priority_id)
        source = sources.get(where)
        if source is None:
            source = sources[where] = _source(reviews.get(review_id), priorities.get(priority_id))
        key = (due, stale, rating)
        alerts = kinds.get(key)
        if alerts is None:
            alerts = kinds[key] = _alerts(*key)
        lead = leads.get(lead_id)
        waiting = None
        if completion is not None and awaits_impact(Rating.GREEN, completion, impact):  # read for Green only
            waiting = (as_of - day(delivered)).days
        if due == "late":
            rank, late = 0, (as_of - day(due_on)).days
        else:
            rank, late = (2 if due == "none" else 3 if stale else 4 if due == "soon" else 5), None
        keyed.append(
            (
                (lead or _NO_NAME, rank, due_on or _NO_DATE, _SEVERITY.get(rating, 4), item_id),
                (
                    item_id,
                    kind,
                    source,
                    shown(reference),
                    lead,
                    shown(timescale) if timescale else timescale,
                    due_on,
                    rating,
                    late,
                    last_on,
                    alerts,
                    waiting,
                ),
            )
        )
    keyed.sort(key=itemgetter(0))
    return [entry for _key, entry in keyed]


def _source(review: Any, priority: Any) -> str:
    """ "SCR Child A (2019)", or "Plan › Priority 2", as the log names them."""
    kind, title, year = review or (None, None, None)
    number, plan = priority or (None, None)
    return shown(source_label(stored_review_kind(kind), title, year, plan, number))


def _alerts(due: object, stale: object, rating: object) -> frozenset[AlertKind]:
    """An open item's alerts (AlertRules.for_item), from what SQLite worked out of its dates."""
    found = set()
    if due == "none":
        found.add(AlertKind.NO_TIMESCALE)
    elif due == "late":
        found.add(AlertKind.OVERDUE)
        if rating == Rating.GREEN.value:  # Green and overdue cannot both be true
            found.add(AlertKind.INCONSISTENT)
    elif due == "soon":
        found.add(AlertKind.DUE_SOON)
    if stale:
        found.add(AlertKind.STALE)
    return frozenset(found)
