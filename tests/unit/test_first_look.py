"""The first look (plain sqlite3) gives exactly what the store gives, or stands aside."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.enums import ItemKind, Rating
from sscp_tui.db.store import open_store
from sscp_tui.services import exporter
from sscp_tui.services.edits import NewItem
from sscp_tui.services.first_look import FirstLook
from sscp_tui.services.imports import plan as importer
from sscp_tui.services.imports import write as import_write
from sscp_tui.services.imports.plan import ImportOptions
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.stores import read_both_ways

# The first look reads a SQLite file before the store opens; a PostgreSQL tracker has none.
pytestmark = pytest.mark.sqlite_only

DAYS = [date(2019, 6, 1), date(2026, 11, 28), date(2027, 3, 15), date(2031, 1, 1)]


def assert_same_as_the_store(path: Path, day: date, settings: Settings) -> None:
    with read_both_ways(path, settings, day) as (look, tracker):
        seen = look.dashboard(tracker.rules, 6)
        everything = ItemFilter(state=ItemState.ALL)
        ratings, alerts = tracker.rating_and_alert_counts(everything)
        assert seen.ratings == ratings
        assert seen.alerts == alerts
        assert seen.worst == tracker.page(ItemFilter(), limit=6, with_total=False).rows
        assert seen.matrix == tracker.agency_matrix(everything)
        assert seen.next_meeting == tracker.next_meeting()
        assert seen == tracker.dashboard(6)  # what the dashboard reads once the store is open
        assert look.open_items(tracker.rules, 100) == tracker.page(ItemFilter(), limit=100)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_first_look_matches_the_store_on_the_demo(demo_template: Path, tmp_path: Path, day: date) -> None:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    assert_same_as_the_store(path, day, Settings())


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_first_look_matches_the_store_on_a_synthetic_log(synthetic: Path, day: date) -> None:
    assert_same_as_the_store(synthetic, day, Settings(due_soon_days=14, stale_days=60))


def test_first_look_sees_edits_and_deletions(demo: Tracker) -> None:
    path = Path(demo.store.location)
    first = demo.page(ItemFilter(), limit=3).rows
    demo.set_rating([first[0].id], None, "rated down for the test")
    demo.delete([first[1].id], "a duplicate")
    assert_same_as_the_store(path, date(2026, 11, 28), demo.settings)
    look = FirstLook.open(path)
    assert look is not None
    ids = [row.id for row in look.open_items(demo.rules, 100).rows]
    assert first[1].id not in ids


# The tallies (migration 0005) as a plain count of the items would make them.
RECOUNTS = {
    "item_tally_due": "SELECT coalesce(rating, ''), coalesce(due_on, ''), count(*) FROM items "
    "WHERE deleted_at IS NULL GROUP BY 1, 2",
    "item_tally_last": "SELECT coalesce(rating, ''), coalesce(last_update_on, created_on), count(*) "
    "FROM items WHERE deleted_at IS NULL GROUP BY 1, 2",
    "item_tally_lead": "SELECT coalesce(rating, ''), coalesce(lead_agency_id, 0), evidenced, count(*) "
    "FROM items WHERE deleted_at IS NULL GROUP BY 1, 2, 3",
}


def assert_tallies_are_counts(path: Path) -> None:
    with closing(sqlite3.connect(path)) as raw:
        for table, recount in RECOUNTS.items():
            tallied = sorted(raw.execute(f"SELECT * FROM {table}").fetchall())
            assert tallied == sorted(raw.execute(recount).fetchall()), table
            assert all(row[-1] > 0 for row in tallied), table  # no empty groups are kept


def test_the_tallies_follow_every_kind_of_write(demo: Tracker, tmp_path: Path) -> None:
    path = Path(demo.store.location)
    assert_tallies_are_counts(path)
    first, second, third, fourth = (row.id for row in demo.page(ItemFilter(), limit=4).rows)
    agencies = [agency.short_name for agency in demo.agencies()]
    review = demo.reviews(with_counts=False)[0].id
    steps = [
        lambda: demo.set_rating([first, second], Rating.RED, "worse"),
        lambda: demo.set_rating([first], None, "not yet rated"),
        lambda: demo.revise_timescale([second], "by spring", "agreed", due_on=date(2027, 4, 1)),
        lambda: demo.update_item(third, {"timescale": ""}, "no timescale any more"),
        lambda: demo.set_lead_agency([third], agencies[1], "handed over"),
        lambda: demo.set_lead_agency([fourth], None, "no lead"),
        lambda: demo.add_update(fourth, "met today", written_on=date(2026, 11, 27)),
        lambda: demo.mark_complete(
            second, "evidence seen", "re-audit held", note="done", with_open_actions=True
        ),
        lambda: demo.create_item(
            NewItem(ItemKind.ACTION, "T1", "a new action", review_id=review, lead_agency=agencies[0])
        ),
    ]
    for step in steps:
        step()
        assert_tallies_are_counts(path)
    removed = demo.delete([first, fourth], "duplicates")
    assert_tallies_are_counts(path)
    demo.undo(removed.batch)
    assert_tallies_are_counts(path)
    demo.delete([third], "a duplicate")
    with closing(sqlite3.connect(path)) as raw, raw:  # another program writing to the file
        raw.execute("UPDATE items SET due_on = NULL, rating = 'amber' WHERE id = ?", (first,))
        raw.execute("DELETE FROM item_search WHERE item_id = ?", (second,))
        raw.execute("DELETE FROM item_themes WHERE item_id = ?", (second,))
        raw.execute("DELETE FROM item_supporting_agencies WHERE item_id = ?", (second,))
        raw.execute("DELETE FROM progress_updates WHERE item_id = ?", (second,))
        raw.execute("UPDATE items SET parent_id = NULL WHERE parent_id = ?", (second,))
        raw.execute("DELETE FROM items WHERE id = ?", (second,))
    assert_tallies_are_counts(path)
    assert_same_as_the_store(path, demo.as_of, demo.settings)

    exported = tmp_path / "log.csv"
    exporter.export(demo, exported, ItemFilter(state=ItemState.ALL))
    other = open_store(tmp_path / "other.sqlite3")
    try:
        found = importer.plan(
            Tracker(other, demo.settings, demo.as_of), exported, ImportOptions(create_agencies=True)
        )
        assert found.ok, found.rejected
        into = Tracker(other, demo.settings, demo.as_of)
        import_write.apply(into, found)
        assert_tallies_are_counts(tmp_path / "other.sqlite3")
        # The import counts its items in bulk with the insert trigger stood aside: the trigger
        # is back afterwards, and keeps counting the items made by hand.
        imported = into.page(ItemFilter(), limit=1).rows[0]
        review_of = into.reviews(with_counts=False)[0].id
        into.create_item(NewItem(ItemKind.ACTION, "T9", "made after the import", review_id=review_of,
                                 lead_agency=agencies[0]))  # fmt: skip
        into.set_rating([imported.id], Rating.AMBER, "after the import")
    finally:
        other.close()
    assert_tallies_are_counts(tmp_path / "other.sqlite3")
    assert_same_as_the_store(tmp_path / "other.sqlite3", demo.as_of, demo.settings)


def test_the_store_opens_what_the_first_look_stands_aside_from(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite3"
    assert FirstLook.open(missing) is None
    assert not missing.exists()  # nothing was created

    text = tmp_path / "notes.sqlite3"
    text.write_text("=HYPERLINK('x') not a database")
    assert FirstLook.open(text) is None
    assert text.read_text() == "=HYPERLINK('x') not a database"

    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()  # a SQLite file with no tables (0 bytes)
    assert FirstLook.open(empty) is None

    for revision in ("0002", "9999"):
        path = tmp_path / f"rev{revision}.sqlite3"
        open_store(path).close()
        with sqlite3.connect(path) as raw:
            raw.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        raw.close()
        assert FirstLook.open(path) is None, revision
        with sqlite3.connect(path) as raw:
            assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(revision,)]
        raw.close()


@pytest.mark.parametrize(
    "module",
    ["sscp_tui.app", "sscp_tui.screens.dashboard", "sscp_tui.screens.log", "sscp_tui.cli"],
)
def test_the_first_screen_does_not_load_sqlalchemy(module: str) -> None:
    """The point of the first look: these load before the first paint, SQLAlchemy after it."""
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("module", ["sscp_tui.app", "sscp_tui.screens.dashboard", "sscp_tui.screens.log"])
def test_the_first_screen_leaves_widgets_it_does_not_show_unloaded(module: str) -> None:
    """Tables, text boxes, tick lists and progress bars load when a screen or form shows one:
    at every start they cost 1.2 MiB of the memory budget (peak at most twice an empty app's)."""
    later = ("_data_table", "_text_area", "_selection_list", "_progress_bar")
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        f"print(','.join(sorted(m for m in sys.modules if m.startswith('textual.widgets.') and m.endswith({later!r}))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
