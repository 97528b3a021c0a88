"""The store: file safety, SQLite settings, migrations, and history that only grows."""

from __future__ import annotations

import itertools
import sqlite3
import stat
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from sscp_tui.db import migrate
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.db.store import HEAD_REVISION, HistoryIsAppendOnly, StoreError, open_store
from tests.stores import is_postgres, raw_connection
from tests.unit.test_first_look import assert_tallies_are_counts


def test_new_database_is_private_to_its_owner(tmp_path: Path) -> None:
    store = open_store(tmp_path / "nested" / "tracker.sqlite3")
    with store.write() as s:
        s.execute(text("SELECT 1"))
    mode = stat.S_IMODE((tmp_path / "nested" / "tracker.sqlite3").stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE((tmp_path / "nested").stat().st_mode) == 0o700
    assert store.created
    store.close()


@pytest.mark.sqlite_only
def test_sqlite_is_configured_for_safe_concurrent_use(store) -> None:
    with store.read() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.sqlite_only
def test_write_transactions_take_the_write_lock_at_once(store, tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: while one writer holds the lock, another writer waits, then fails."""
    other = sqlite3.connect(tmp_path / "tracker.sqlite3", timeout=0.1, isolation_level=None)
    entered = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store.write() as s:
            s.execute(text("SELECT count(*) FROM agencies"))  # a read inside a write txn
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    entered.wait(5)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    release.set()
    worker.join()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


@pytest.mark.sqlite_only
def test_statistics_give_way_to_another_writer_without_failing_the_work(
    store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Refreshing the planner's statistics follows committed work (an import): if another
    writer holds the lock it is skipped at once with a warning, and writes still wait as usual."""
    other = sqlite3.connect(tmp_path / "tracker.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    store.refresh_statistics()
    assert time.monotonic() - started < 2  # not the 5-second wait a write would make
    assert "ANALYZE was skipped" in caplog.text
    other.execute("ROLLBACK")
    other.close()
    with store.write() as s:  # the pooled connection waits for the lock again, and can write
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    store.refresh_statistics()
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 1


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just notes")
    with pytest.raises(StoreError, match="not an sscp-tui database"):
        open_store(path)
    assert path.read_text() == "not a database, just notes"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)


def test_an_unwritable_location_gives_a_sentence(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    target = locked / "sub" / "tracker.sqlite3"
    if _running_as_root():
        target = Path("/proc/no/such/place/tracker.sqlite3")
    with pytest.raises(StoreError, match="Cannot create the tracker database"):
        open_store(target)


def _running_as_root() -> bool:
    import os

    return os.geteuid() == 0


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of sscp-tui"):
        open_store(path)
    assert path.read_bytes() == before


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="not an sscp-tui tracker"):
        open_store(path)


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert migrate.head() == HEAD_REVISION


def test_migrations_build_a_new_tracker_to_head(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"  # (an existing empty file is refused as damaged instead)
    store = open_store(path)
    with store.read() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        tables = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert {"agencies", "reviews", "items", "history", "progress_updates", "meetings"} <= tables
    store.close()


def first_revision_tracker(path: Path) -> Path:
    """A tracker at the first schema revision holding one review's one item (an SCR's
    recommendation led by Surrey Police, rated Blue, timescale "tbc")."""
    store = open_store(path, migrate=False)
    migrate.upgrade(store.engine, "0001")
    with store.write() as s:
        s.execute(text("INSERT INTO agencies (name, short_name, kind, active) "
                       "VALUES ('Surrey Police', 'SP', 'statutory partner', 1)"))  # fmt: skip
        s.execute(text("INSERT INTO reviews (kind, title, year, status, notes) "
                       "VALUES ('SCR', 'Child A', 2019, 'published', '')"))  # fmt: skip
        s.execute(text(
            "INSERT INTO items (kind, review_id, reference, reference_key, text, lead_agency_id, timescale, "
            "original_timescale, rating, owner, evidence_completion, evidence_impact, illustrative, created_on) "
            "VALUES ('recommendation', 1, '1', '000001', 'Share Information Promptly', 1, 'tbc', 'tbc', "
            "'blue', '', 'Audit report', '', 0, '2020-01-01')"
        ))  # fmt: skip
    store.close()
    return path


def test_a_first_revision_database_upgrades_without_loss(tmp_path: Path) -> None:
    path = first_revision_tracker(tmp_path / "old.sqlite3")
    reopened = open_store(path)
    with reopened.read() as s:
        assert s.execute(text("SELECT short_name FROM agencies")).scalar() == "SP"
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
        assert s.execute(text("SELECT evidenced FROM items")).scalar() == 1
        words = s.execute(text("SELECT words FROM item_search")).scalar()
    assert "share information promptly" in words and "child a" in words
    reopened.close()


def test_history_cannot_be_rewritten_or_deleted(tracker, small) -> None:
    with pytest.raises(HistoryIsAppendOnly), tracker.store.write() as s:
        entry = s.scalars(select(HistoryEntry)).first()
        entry.note = "quietly changed"
    with pytest.raises(HistoryIsAppendOnly), tracker.store.write() as s:
        s.delete(s.scalars(select(HistoryEntry)).first())
    with pytest.raises(HistoryIsAppendOnly), tracker.store.write() as s:
        s.execute(update(HistoryEntry).values(note="x"))
    with pytest.raises(HistoryIsAppendOnly), tracker.store.write() as s:
        s.execute(delete(HistoryEntry))
    with tracker.store.read() as s:
        notes = set(s.scalars(select(HistoryEntry.note)))
    assert notes == {"set up"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE history SET note = 'quietly changed'",
        "UPDATE history SET new_value = 'green' WHERE field = 'rating'",
        "DELETE FROM history",
        "DELETE FROM history WHERE id = (SELECT max(id) FROM history)",
    ],
)
def test_the_database_itself_refuses_to_rewrite_history(tracker, small, statement: str) -> None:
    """Past the app: Core statements, and another program with the database's own driver
    (sqlite3 on a file, psycopg on PostgreSQL), refused by the triggers of migration 0009."""
    with tracker.store.read() as s:
        before = s.execute(text("SELECT id, note, new_value FROM history ORDER BY id")).all()
    with pytest.raises(DatabaseError, match="append-only"), tracker.store.write() as s:
        s.execute(text(statement))
    with pytest.raises(DatabaseError, match="append-only"), tracker.store.write() as s:
        s.execute(update(HistoryEntry.__table__).values(note="x"))
    with pytest.raises(Exception, match="append-only") as refused, raw_connection(tracker.store.url) as raw:
        raw.execute(statement)
    assert type(refused.value).__name__ in ("DatabaseError", "IntegrityError", "InsufficientPrivilege")
    if is_postgres(tracker.store.url):
        with pytest.raises(Exception, match="append-only"), raw_connection(tracker.store.url) as raw:
            raw.execute("TRUNCATE history")
    with tracker.store.read() as s:
        assert s.execute(text("SELECT id, note, new_value FROM history ORDER BY id")).all() == before
    tracker.set_rating([small["later"]], Rating.RED, "Still appended to")  # writing goes on


def test_upgrading_the_demo_from_the_first_revision_keeps_every_row(
    demo_template: Path, tmp_path: Path
) -> None:
    """A first-revision tracker full of links (updates, parents, themes, supporting agencies,
    history) upgrades with nothing lost: the migration must not cascade into child tables."""
    old = tmp_path / "first.sqlite3"
    store = open_store(old, migrate=False)
    migrate.upgrade(store.engine, "0001")
    store.close()
    tables = ["agencies", "themes", "reviews", "strategic_plans", "priorities", "items", "item_themes",
              "item_supporting_agencies", "progress_updates", "history", "meetings"]  # fmt: skip
    with sqlite3.connect(old) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("ATTACH DATABASE ? AS demo", (str(demo_template),))
        for table in tables:
            columns = ", ".join(f'"{row[1]}"' for row in raw.execute(f"PRAGMA main.table_info({table})"))
            raw.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM demo.{table}")
        before = {t: raw.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0] for t in tables}
        raw.commit()
        raw.execute("DETACH DATABASE demo")
    assert before["progress_updates"] > 100 and before["item_themes"] > 100
    upgraded = open_store(old)
    with upgraded.read() as s:
        after = {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}
        searchable = s.execute(text("SELECT count(*) FROM item_search")).scalar()
        evidenced = s.execute(text("SELECT count(*) FROM items WHERE evidenced")).scalar()
    upgraded.close()
    assert after == before
    assert searchable == before["items"] and evidenced > 0
    assert_tallies_are_counts(old)  # counted as the upgrade made them


def test_writers_at_once_never_break_the_history_chain(store, settings, small) -> None:
    """Four writers, each with a connection of its own, rate the same two items over and over
    at once. Each history row's old rating is the one before it's new: every change read the
    rating it replaced after the change before it was saved (on PostgreSQL too, where reads
    do not wait for writers by themselves)."""
    from sscp_tui.services.tracker import Tracker
    from tests.conftest import AS_OF

    items = [small["overdue"], small["later"]]
    stores = [open_store(store.url) for _ in range(4)]
    start = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def rate(writer: int) -> None:
        tracker = Tracker(stores[writer], settings, AS_OF)
        start.wait()
        try:
            for turn in range(15):
                rating = (Rating.RED, Rating.AMBER, Rating.GREEN)[(writer + turn) % 3]
                tracker.set_rating(items, rating, f"writer {writer}, turn {turn}")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=rate, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened in stores:
        opened.close()
    assert failures == []
    with store.read() as s:
        for item in items:
            chain = s.execute(
                select(HistoryEntry.old_value, HistoryEntry.new_value)
                .where(HistoryEntry.entity == "item", HistoryEntry.entity_id == item,
                       HistoryEntry.field == "rating")
                .order_by(HistoryEntry.id)
            ).all()  # fmt: skip
            assert len(chain) > 30  # many changes of rating (a same-rating save is recorded as reconfirmed)
            for before, after in itertools.pairwise(chain):
                assert after.old_value == before.new_value, chain


def _bare_items(raw: sqlite3.Connection, count: int) -> None:
    """``count`` plain recommendations, ids 1 to ``count``, written past the store (for plans)."""
    raw.executemany(
        "INSERT INTO items (id, kind, reference, reference_key, text, timescale, original_timescale, owner, "
        "evidence_completion, evidence_impact, illustrative, created_on, evidenced, timescale_revisions) "
        "VALUES (?, 'recommendation', ?, ?, 'text', '', '', '', '', '', 0, '2026-01-01', 0, 0)",
        [(n, str(n), str(n)) for n in range(1, count + 1)],
    )


def test_an_items_sub_items_and_a_prioritys_items_are_looked_up_not_scanned(tmp_path: Path) -> None:
    """Nearly every item has no parent and no priority. Counted with their NULLs, the statistics
    made "the items under this one" look like the whole log and SQLite read all of it (40 ms
    an opened item at 100,000 items); the indexes hold only the items that have one."""
    path = tmp_path / "t.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as raw:
        _bare_items(raw, 2000)
        raw.execute("ANALYZE")
        for column, index in (("parent_id", "ix_items_parent"), ("priority_id", "ix_items_priority")):
            plan = " ".join(
                row[-1]
                for row in raw.execute(
                    f"EXPLAIN QUERY PLAN SELECT id FROM items WHERE {column} = 5 AND deleted_at IS NULL "
                    "ORDER BY reference_key"
                )
            )
            assert f"USING INDEX {index}" in plan, plan


def test_pending_proposals_are_found_from_the_updates_that_propose_one(tmp_path: Path) -> None:
    """Few updates propose a rating. Without an index of those, the log's proposals filter read
    every item and its updates (1 s for the page at 100,000 items); with it, the statement
    starts from the proposing updates, and still finds the one pending proposal."""
    from sscp_tui.services import proposals

    path = tmp_path / "t.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as raw:
        _bare_items(raw, 2000)
        raw.executemany(
            "INSERT INTO progress_updates (item_id, written_on, author, text, proposed_rating, created_at) "
            "VALUES (?, '2026-11-01', 'A', 'Progress', ?, '2026-11-01 10:00:00')",
            [(n, "green" if n == 77 else None) for n in range(1, 2001)],
        )
        raw.execute("ANALYZE")
    store = open_store(path)
    with store.read() as s:
        statement = proposals._pending().compile(s.bind, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}"))
        assert "SCAN proposing USING INDEX ix_progress_updates_proposing" in plan, plan
        assert [item_id for item_id, _rating in s.execute(proposals._pending())] == [77]
    store.close()


def _plan_over_bare_items(tmp_path: Path, statement: Callable[[Session], Any]) -> str:
    """The plan SQLite makes for ``statement(session)`` over 2,000 bare items, analysed."""
    path = tmp_path / "t.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as raw:
        _bare_items(raw, 2000)
        raw.execute("ANALYZE")
    store = open_store(path)
    try:
        with store.read() as s:
            compiled = statement(s).compile(s.bind, compile_kwargs={"literal_binds": True})
            return " ".join(
                row[-1] for row in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            )
    finally:
        store.close()


def test_every_agencys_counts_are_one_pass_along_the_index_by_lead_agency(tmp_path: Path) -> None:
    """The Agencies screen counts each agency's open items by rating and alert. Its index by lead
    agency did not hold the last update, so "stale" sent SQLite to every item's row (300 ms at
    100,000 items); the index now covers every date an alert is judged on (migration 0015)."""
    from sscp_tui.services import queries
    from sscp_tui.services.alerts import AlertRules

    rules = AlertRules(date(2026, 11, 28))
    plan = _plan_over_bare_items(
        tmp_path, lambda s: queries.lead_agency_counts_select(rules, queries.search_flavour(s))
    )
    assert "USING COVERING INDEX ix_items_lead_rating" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # grouped in the index's own order


def test_each_reviews_counts_are_read_in_the_order_of_the_index_by_review_and_rating(tmp_path: Path) -> None:
    """The Reviews screen counts each review's items by rating: from an index of both, in its
    own order (15 ms at 100,000 items), not grouped in a sort of SQLite's own (150 ms)."""
    from sscp_tui.services import catalog

    plan = _plan_over_bare_items(tmp_path, lambda _s: catalog.review_counts_select())
    assert "USING COVERING INDEX ix_items_review_rating" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
