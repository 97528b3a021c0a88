"""The first look (plain sqlite3) gives exactly what the store gives, or stands aside."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.store import open_store
from sscp_tui.services.first_look import FirstLook
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker

DAYS = [date(2019, 6, 1), date(2026, 11, 28), date(2027, 3, 15), date(2031, 1, 1)]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.synth import build

    path = tmp_path_factory.mktemp("synthetic") / "synthetic.sqlite3"
    build(600, path, today=date(2026, 11, 28))
    return path


def assert_same_as_the_store(path: Path, day: date, settings: Settings) -> None:
    look = FirstLook.open(path)
    assert look is not None
    store = open_store(path, create=False)
    try:
        tracker = Tracker(store, settings, day)
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
    finally:
        store.close()


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
