"""The first screen's reads in plain sqlite3, so it is painted before SQLAlchemy is loaded.

Loading SQLAlchemy and the models takes about as long again as Textual takes to start. So a
tracker that is a file at this version's schema is opened in two steps: these reads, with the
standard library, give the dashboard or the log its first screen; the store opens in the
background once that screen is painted, and every later read and every edit goes through it.

Each read here mirrors one in ``queries`` for the two filters a first screen uses: the whole
log (the dashboard's counts) and open items, worst alert first (the dashboard's worst items
and the log's first page). The counts are summed from the tallies that triggers keep of the
log (migration 0005), so they take as long at 100,000 items as at 1,000; the store counts
the items themselves. Rows are made by the same ``build_rows``. A test compares every result
with the store's, on the demo and on a synthetic log at several dates, so the two cannot
drift apart unnoticed; another checks the tallies against a recount after every kind of
write.

Anything else, such as a new file, an older schema to migrate, a newer one to refuse or a
database URL, goes through the store as before (``FirstLook.open`` returns None).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sscp_tui.config import Settings
from sscp_tui.db.enums import Rating
from sscp_tui.db.stored import stored_date, stored_day, stored_kind, stored_rating, stored_review_kind
from sscp_tui.db.tracker_file import BUSY_TIMEOUT_MS, CACHE_KIB, HEAD_REVISION, SQLITE_MAGIC
from sscp_tui.services.alerts import AlertRules, tally_by_rating
from sscp_tui.services.item_rows import build_rows
from sscp_tui.services.records import (
    AgencyMatrixRow,
    AlertCounts,
    AlertKind,
    DashboardData,
    ItemRow,
    MeetingRecord,
    Page,
)

if TYPE_CHECKING:
    from sscp_tui.services.tracker import Tracker

_OPEN = "items.deleted_at IS NULL AND (items.rating IS NULL OR items.rating != 'blue')"

# queries._alert_classes: the open log sorted by alerts (queries.alert_rank(open_only=True),
# then due date, then queries.rating_severity, then id), read a class of alert at a time, each
# walked in order along the due-date index and stopped at a page.
_RANK = """CASE WHEN (items.due_on < :as_of) THEN 0 WHEN (items.due_on IS NULL) THEN 2
  WHEN (coalesce(items.last_update_on, items.created_on) < :stale_before) THEN 3
  WHEN (items.due_on <= :due_soon_until) THEN 4 ELSE 5 END"""
_SEVERITY = """CASE WHEN (items.rating = 'red') THEN 0 WHEN (items.rating = 'amber') THEN 1
  WHEN (items.rating IS NULL) THEN 2 WHEN (items.rating = 'green') THEN 3 ELSE 4 END"""
_ALERT_CLASSES = tuple(
    f"SELECT items.id FROM items WHERE {_OPEN} AND {where} ORDER BY {order}, items.id LIMIT :limit"
    for where, order in (
        ("items.due_on < :as_of", f"items.due_on, {_SEVERITY}"),
        ("items.due_on IS NULL", _SEVERITY),
        (f"items.due_on >= :as_of AND {_RANK} = 3", f"items.due_on, {_SEVERITY}"),
        (f"items.due_on >= :as_of AND {_RANK} = 4", f"items.due_on, {_SEVERITY}"),
        (f"items.due_on >= :as_of AND {_RANK} = 5", f"items.due_on, {_SEVERITY}"),
    )
)

# The columns of queries._row_columns, in that order.
_ROWS = """
SELECT items.id, items.kind, items.reference, items.text, items.timescale, items.due_on,
 items.rating, items.last_update_on, items.created_on, items.evidence_completion,
 reviews.kind, reviews.title, reviews.year, agencies.short_name, priorities.number,
 strategic_plans.title, items.timescale_revisions, items.delivered_on, items.evidence_impact
FROM items
LEFT OUTER JOIN reviews ON items.review_id = reviews.id
LEFT OUTER JOIN agencies ON items.lead_agency_id = agencies.id
LEFT OUTER JOIN priorities ON items.priority_id = priorities.id
LEFT OUTER JOIN strategic_plans ON priorities.plan_id = strategic_plans.id
WHERE items.id IN ({marks})
"""

_THEMES = """
SELECT item_themes.item_id, themes.name FROM item_themes
JOIN themes ON themes.id = item_themes.theme_id
WHERE item_themes.item_id IN ({marks}) ORDER BY themes.name
"""

# queries.rating_and_alert_counts and queries.agency_matrix over the whole log, summed from the
# tallies that triggers keep of it (migration 0005), so they take as long at 100,000 items as
# at 1,000. A missing rating, due date or lead agency is tallied as '' or 0.
_COUNTS = """
SELECT rating, sum(n),
 sum(CASE WHEN (due_on != '' AND due_on < :as_of) THEN n ELSE 0 END),
 sum(CASE WHEN (due_on >= :as_of AND due_on <= :due_soon_until) THEN n ELSE 0 END),
 sum(CASE WHEN (due_on = '') THEN n ELSE 0 END)
FROM item_tally_due GROUP BY rating
"""
_STALE = "SELECT rating, sum(n) FROM item_tally_last WHERE last_on < :stale_before GROUP BY rating"
_BLUE_UNEVIDENCED = "SELECT coalesce(sum(n), 0) FROM item_tally_lead WHERE rating = 'blue' AND evidenced = 0"
_MATRIX = "SELECT lead_agency_id, rating, sum(n) FROM item_tally_lead GROUP BY lead_agency_id, rating"
# Open items: every tallied item but the Blue ones.
_OPEN_TOTAL = "SELECT coalesce(sum(n), 0) FROM item_tally_lead WHERE rating != 'blue'"
_AGENCIES = "SELECT id, short_name, name, active FROM agencies ORDER BY short_name"
_NEXT_MEETING = (
    'SELECT id, "group", held_on, notes FROM meetings WHERE held_on >= ? ORDER BY held_on, id LIMIT 1'
)


class FirstLook:
    """Reads for a first screen from a tracker file at this version's schema."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def open(cls, path: Path) -> FirstLook | None:
        """A first look at ``path``, or None when only the store can open it (a missing file,
        not SQLite, an older or newer schema). Nothing is written either way."""
        try:
            with path.open("rb") as handle:
                if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                    return None
            look = cls(path)
            with look.connection() as connection:
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except (OSError, sqlite3.Error):
            return None  # the store will say what is wrong, in one sentence
        return look if revision == [(HEAD_REVISION,)] else None

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        # mode=rw: never create the file. Only SELECTs are run; nothing is committed.
        uri = f"{self.path.resolve().as_uri()}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
            connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            yield connection

    # --- reads -----------------------------------------------------------------------------
    def dashboard(self, rules: AlertRules, worst: int) -> DashboardData:
        # One connection, one read transaction: the counts agree with the rows.
        with self.connection() as connection:
            connection.execute("BEGIN")
            ratings, alerts = _counts(connection, rules)
            return DashboardData(
                ratings,
                alerts,
                _worst_rows(connection, rules, worst),
                _matrix(connection),
                _next_meeting(connection, rules.as_of),
            )

    def open_items(self, rules: AlertRules, limit: int) -> Page:
        """The first page of open items, worst alert first (the log as it opens)."""
        with self.connection() as connection:
            connection.execute("BEGIN")
            rows = _worst_rows(connection, rules, limit)
            total = connection.execute(_OPEN_TOTAL).fetchone()[0]
        return Page(rows=rows, total=total, offset=0)


def dates_of(rules: AlertRules) -> dict[str, str]:
    return {
        "as_of": rules.as_of.isoformat(),
        "due_soon_until": rules.due_soon_until.isoformat(),
        "stale_before": rules.stale_before.isoformat(),
    }


def _counts(
    connection: sqlite3.Connection, rules: AlertRules
) -> tuple[dict[Rating | None, int], AlertCounts]:
    dates = dates_of(rules)
    stale = dict(connection.execute(_STALE, dates).fetchall())
    groups = connection.execute(_COUNTS, dates).fetchall()
    ratings, counts = tally_by_rating(
        (_tallied_rating(raw), *sums, stale.get(raw, 0)) for raw, *sums in groups
    )
    if ratings.get(Rating.BLUE):
        counts[AlertKind.INCONSISTENT] += connection.execute(_BLUE_UNEVIDENCED).fetchone()[0]
    return ratings, AlertCounts(counts)


def _tallied_rating(raw: str) -> Rating | None:
    return stored_rating(raw or None)


def _worst_rows(connection: sqlite3.Connection, rules: AlertRules, limit: int) -> tuple[ItemRow, ...]:
    ids: list[int] = []
    for statement in _ALERT_CLASSES:
        if len(ids) >= limit:
            break
        walked = connection.execute(statement, {**dates_of(rules), "limit": limit - len(ids)})
        ids += [row[0] for row in walked]
    if not ids:
        return ()
    marks = ",".join("?" * len(ids))
    found = {row[0]: _typed(row) for row in connection.execute(_ROWS.format(marks=marks), ids)}
    themes: dict[int, list[str]] = defaultdict(list)
    for item_id, name in connection.execute(_THEMES.format(marks=marks), ids):
        themes[item_id].append(name)
    return build_rows([found[i] for i in ids if i in found], {k: tuple(v) for k, v in themes.items()}, rules)


def _typed(row: Sequence[Any]) -> tuple[Any, ...]:
    """A row as the store's types would give it: enums and dates, not their stored text."""
    (item_id, kind, reference, text, timescale, due_on, rating, last_update_on, created_on,
     evidence_completion, review_kind, review_title, review_year, lead_short, priority_number,
     plan_title, revisions, delivered_on, evidence_impact) = row  # fmt: skip
    return (
        item_id, stored_kind(kind), reference, text, timescale, stored_date(due_on),
        stored_rating(rating), stored_date(last_update_on), stored_day(created_on),
        evidence_completion, stored_review_kind(review_kind), review_title, review_year,
        lead_short, priority_number, plan_title, revisions, stored_date(delivered_on), evidence_impact,
    )  # fmt: skip


def _matrix(connection: sqlite3.Connection) -> list[AgencyMatrixRow]:
    counts: dict[int | None, dict[Rating | None, int]] = defaultdict(dict)
    for agency_id, rating, count in connection.execute(_MATRIX):
        counts[agency_id or None][_tallied_rating(rating)] = count
    rows = [
        AgencyMatrixRow(agency_id, short_name, name, counts.get(agency_id, {}))
        for agency_id, short_name, name, active in connection.execute(_AGENCIES)
        if active or agency_id in counts
    ]
    if None in counts:
        rows.append(AgencyMatrixRow(None, "—", "No lead agency", counts[None]))
    return rows


def _next_meeting(connection: sqlite3.Connection, as_of: date) -> MeetingRecord | None:
    row = connection.execute(_NEXT_MEETING, (as_of.isoformat(),)).fetchone()
    return MeetingRecord(row[0], row[1], stored_day(row[2]), row[3]) if row else None


@dataclass(frozen=True)
class Opening:
    """A tracker file the app opens in the background, with a first look for its first screen."""

    path: Path
    settings: Settings
    as_of: date | None
    look: FirstLook
    read_only: bool = False

    @property
    def location(self) -> str:
        return str(self.path.expanduser().resolve())

    def open_tracker(self) -> Tracker:
        """Load SQLAlchemy and open the store (raises StoreError, in one sentence)."""
        from sscp_tui.db.store import open_store
        from sscp_tui.services.tracker import Tracker

        store = open_store(self.path, create=False, daily_backup=True, read_only=self.read_only)
        return Tracker(store, self.settings, self.as_of)
