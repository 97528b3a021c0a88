"""`sscp-tui copy`: a whole tracker moved between stores (a file and, under `make test-pg`, a
PostgreSQL server), every row as it was, and the destination usable afterwards."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from sscp_tui.cli import main
from sscp_tui.config import Settings
from sscp_tui.db.models import Rating
from sscp_tui.db.store import open_store
from sscp_tui.services import copying
from sscp_tui.services.records import ItemFilter
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.stores import TABLES, raw_connection, table_counts


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def every_row(target: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order, as Python values (dates as dates)."""
    store = open_store(target)
    try:
        with store.engine.connect() as connection:
            return {
                table.name: [tuple(row) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in copying.tables()
            }  # fmt: skip
    finally:
        store.close()


@pytest.fixture
def source(demo_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "source.sqlite3"
    shutil.copy(demo_template, path)
    return str(path)


def test_a_tracker_is_copied_whole_and_back_again(source: str, tracker_target: str, tmp_path: Path) -> None:
    before = every_row(source)
    up = run("copy", source, tracker_target)
    assert up.exit_code == 0, up.output
    assert "each table's count checked" in up.output
    assert "  items" in up.output and f"{len(before['items']):>10,}" in up.output
    assert "throwaway-test-password" not in up.output  # a URL's password is never printed
    assert every_row(tracker_target) == before  # ids, dates, texts, history: all as they were
    back = tmp_path / "back.sqlite3"
    down = run("copy", tracker_target, str(back))
    assert down.exit_code == 0, down.output
    assert every_row(str(back)) == before


def test_the_copy_can_be_worked_on_at_once(source: str, tracker_target: str) -> None:
    """The destination's id counters follow the copied ids: new rows get new ids."""
    assert run("copy", source, tracker_target).exit_code == 0
    tracker = Tracker(open_store(tracker_target), Settings(author="Business unit"), AS_OF)
    try:
        first = tracker.page(ItemFilter(), limit=1).rows[0]
        tracker.set_rating([first.id], Rating.RED, "After the move")
        tracker.add_update(first.id, "Written on the new store")
        meetings = {m.id for m in tracker.meetings()}
        tracker.record_meeting("Case Review Panel", date(2027, 3, 18))
        (new,) = [m for m in tracker.meetings() if m.id not in meetings]
        assert new.held_on == date(2027, 3, 18) and new.id > max(meetings)
        assert tracker.item(first.id).row.rating is Rating.RED
    finally:
        tracker.store.close()


def test_a_destination_holding_a_tracker_is_refused(source: str, demo_target: str) -> None:
    before = table_counts(demo_target)
    refused = run("copy", source, demo_target)
    assert refused.exit_code == 1
    assert "already holds a tracker (198 items, 32 reviews" in refused.stderr
    assert "nothing was copied" in refused.stderr
    assert table_counts(demo_target) == before


def test_a_copy_that_fails_part_way_leaves_the_destination_empty(
    source: str, tracker_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied = copying._copy_table

    def failing(reading: Any, writing: Any, table: Any, total: int, progress: Any) -> None:
        copied(reading, writing, table, total, progress)
        if table.name == "items":
            raise copying.CopyError("The disk filled (a test).")

    monkeypatch.setattr(copying, "_copy_table", failing)
    result = run("copy", source, tracker_target)
    assert result.exit_code == 1 and "The disk filled" in result.stderr
    if "://" in tracker_target:  # the server's database stays, empty
        assert set(table_counts(tracker_target).values()) == {0}
    else:  # the file this copy made is removed again
        assert not Path(tracker_target).exists()


def test_a_missing_source_is_one_sentence(tracker_target: str, tmp_path: Path) -> None:
    result = run("copy", str(tmp_path / "none.sqlite3"), tracker_target)
    assert result.exit_code == 1
    assert result.stderr.startswith("sscp-tui: There is no tracker database at")


def test_export_selects_by_search_words_as_the_log_does(demo_target: str, tmp_path: Path) -> None:
    import csv

    from sscp_tui.services.records import ItemState

    out = tmp_path / "neglect.csv"
    result = run("export", str(out), "--db", demo_target, "--search", "neglect")
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    tracker = Tracker(open_store(demo_target), Settings(), AS_OF)
    try:
        wanted = tracker.page(ItemFilter(text="neglect", state=ItemState.ALL), limit=1000)
    finally:
        tracker.store.close()
    assert 0 < len(rows) == wanted.total
    assert sorted(r["Ref"] for r in rows) == sorted(row.reference for row in wanted.rows)


@pytest.mark.parametrize(
    "url", ["mysql://user:secret@dbhost/sscp", "oracle+cx_oracle://user:secret@dbhost/sscp"]
)
def test_a_database_other_than_the_two_is_named_in_one_sentence(url: str) -> None:
    result = run("alerts", "--db", url)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "in a SQLite file or on a PostgreSQL server" in line and "secret" not in line


def test_the_source_is_only_read_even_when_it_is_older(
    demo_template: Path, tracker_target: str, tmp_path: Path
) -> None:
    """A source made by an older version is not upgraded by a copy (which only reads it): the
    copy is refused in one sentence, and the file is as it was."""
    from tests.old_trackers import demo_at

    old = tmp_path / "old.sqlite3"
    demo_at(demo_template, old, "0006")

    def state() -> tuple[Any, ...]:
        with raw_connection(str(old)) as raw:
            revision = raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            return revision, *(raw.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES)

    before = state()
    result = run("copy", str(old), tracker_target)
    assert result.exit_code == 1
    assert "needs upgrading by this version of sscp-tui" in result.stderr
    assert state() == before and before[0] == "0006"
