"""What only a PostgreSQL server can show: roles, restarts, its index, its sequences, and an
older tracker upgraded there. Run by `make test-pg` (marked postgres_only, so `make test`,
which has no server, leaves them out rather than skipping them)."""

from __future__ import annotations

import stat
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from sscp_tui.cli import main
from sscp_tui.config import Settings
from sscp_tui.db import migrate
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.db.store import HEAD_REVISION, current_revision, open_store
from sscp_tui.errors import EditError
from sscp_tui.services.demo import load_demo
from sscp_tui.services.records import ItemFilter
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.stores import raw_connection, table_counts

pytestmark = pytest.mark.postgres_only


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def as_role(url: str, role: str, password: str) -> str:
    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)


def test_a_server_restart_costs_a_retry_not_an_error(demo: Tracker) -> None:
    before = demo.page(ItemFilter(), limit=5).rows
    with raw_connection(demo.store.url) as raw:  # every other session of this database ends
        raw.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert demo.page(ItemFilter(), limit=5).rows == before  # the pool found its connection dead
    demo.set_rating([before[0].id], Rating.RED, "After the restart")


def test_a_role_that_may_only_read_opens_the_tracker_read_only(demo_target: str) -> None:
    database = make_url(demo_target).database
    with raw_connection(demo_target) as raw:
        raw.execute("DROP ROLE IF EXISTS sscp_board_test")
        raw.execute("CREATE ROLE sscp_board_test LOGIN PASSWORD 'board-secret'")
        raw.execute(f'GRANT CONNECT ON DATABASE "{database}" TO sscp_board_test')
        raw.execute("GRANT USAGE ON SCHEMA public TO sscp_board_test")
        raw.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO sscp_board_test")
    board = as_role(demo_target, "sscp_board_test", "board-secret")
    try:
        store = open_store(board)
        assert store.read_only
        assert store.notices == [
            "Your database role can read this tracker but not change it, so it is open read-only."
        ]
        reading = Tracker(store, Settings(author="Board member"), AS_OF)
        first = reading.page(ItemFilter(), limit=1).rows[0]
        with pytest.raises(EditError, match="read-only"):
            reading.set_rating([first.id], Rating.RED, "Not mine to change")
        store.close()
        alerts = run("alerts", "--db", board, "--as-of", AS_OF.isoformat())
        assert alerts.exit_code == 0 and "need attention" in alerts.output
        assert "board-secret" not in alerts.output + alerts.stderr
    finally:
        with raw_connection(demo_target) as raw:
            raw.execute("DROP OWNED BY sscp_board_test")
            raw.execute("DROP ROLE sscp_board_test")


def test_connection_failures_are_one_sentence_without_the_password(tracker_target: str) -> None:
    url = make_url(tracker_target)
    cases = [
        (url.set(password="not-the-password"), "refused the login"),
        (url.set(database="no_such_tracker"), "has no database named in"),
        (url.set(host="127.0.0.1", port=1), "Cannot reach the database server"),
    ]
    for target, said in cases:
        result = run("alerts", "--db", target.render_as_string(hide_password=False))
        assert result.exit_code == 1
        assert said in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "not-the-password" not in result.stderr and url.password not in result.stderr
        assert "Traceback" not in result.stderr


def test_two_meetings_recorded_at_once_get_ids_of_their_own(store: Any, settings: Settings) -> None:
    stores = [open_store(store.url) for _ in range(2)]
    trackers = [Tracker(s, settings, AS_OF) for s in stores]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def record(tracker: Tracker, day: int) -> None:
        start.wait()
        try:
            for month in range(1, 7):
                tracker.record_meeting(f"Panel {day}", date(2027, month, day))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=record, args=(t, d)) for t, d in zip(trackers, (5, 12), strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    ids = [m.id for m in trackers[0].meetings()]
    assert len(ids) == 12 == len(set(ids))
    for s in stores:
        s.close()


def test_a_search_is_answered_from_the_gin_index(demo: Tracker) -> None:
    from sscp_tui.services import queries

    with demo.store.read() as session:
        # On a log this small, reading every row would be as quick: the planner is told not to.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_indexscan = off"))
        statement = queries._id_select(
            session, ItemFilter(text="neglect"), demo.rules, queries.SortKey.DUE, False
        )
        compiled = statement.compile(session.connection(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))
    assert "item_search_words_tsv" in plan, plan


def test_an_older_tracker_on_the_server_is_upgraded_with_nothing_lost(tracker_target: str) -> None:
    """A tracker made at revision 0009 (before text columns lost their limits and meeting ids
    came from the database), holding the demo, is brought up to date when opened."""
    with raw_connection(tracker_target) as raw:  # start from nothing, not from the template
        raw.execute("DROP SCHEMA public CASCADE")
        raw.execute("CREATE SCHEMA public")
    engine = create_engine(tracker_target)
    migrate.upgrade(engine, "0009")
    engine.dispose()
    # Today's demo written into the old schema: the columns later revisions added are there
    # while it is written (the models name them), and gone again before the upgrade.
    later_columns = ("withdrawn_at timestamp", "withdrawn_by text", "withdrawn_why text")  # 0012
    with raw_connection(tracker_target) as raw:
        for column in later_columns:
            raw.execute(f"ALTER TABLE progress_updates ADD COLUMN {column}")
    old = open_store(tracker_target, migrate=False)
    load_demo(old, AS_OF)
    old.close()
    with raw_connection(tracker_target) as raw:
        for column in later_columns:
            raw.execute(f"ALTER TABLE progress_updates DROP COLUMN {column.split()[0]}")
    before = table_counts(tracker_target)
    with raw_connection(tracker_target) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0009"
    upgraded = open_store(tracker_target)
    assert current_revision(upgraded.engine) == HEAD_REVISION
    assert table_counts(tracker_target) == before
    tracker = Tracker(upgraded, Settings(author="Owner"), AS_OF)
    tracker.record_meeting("Case Review Panel", date(2027, 5, 20))
    with upgraded.read() as session:
        named = session.scalar(select(HistoryEntry.entity_id).where(HistoryEntry.entity == "meeting")
                               .order_by(HistoryEntry.id.desc()).limit(1))  # fmt: skip
    assert named is not None and named > 13  # after the demo's 13: the sequence moved past them
    tracker.save_review(tracker.reviews()[0].id, {"title": "A title far longer than the old limit " * 8})
    upgraded.close()


def test_a_server_tracker_is_backed_up_as_a_file(demo_target: str, tmp_path: Path) -> None:
    target = tmp_path / "server-backup.sqlite3"
    result = run("backup", "--db", demo_target, str(target))
    assert result.exit_code == 0, result.output
    assert "Backed up postgresql+psycopg://" in result.output and "***" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert table_counts(str(target)) == table_counts(demo_target)
    again = run("backup", "--db", demo_target, str(target))
    assert again.exit_code == 1 and "already exists" in again.stderr
