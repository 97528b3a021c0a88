"""Every test runs with its own data, config and state directories under tmp_path."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.models import AgencyKind, ItemKind, Rating, Review, ReviewKind, ReviewStatus
from sscp_tui.db.store import Store, open_store
from sscp_tui.services.edits import EditContext, NewItem, add_update, create_item
from sscp_tui.services.tracker import Tracker

AS_OF = date(2026, 11, 28)

# `make test-pg` sets this to a throwaway PostgreSQL server (tests/pg_server.py): the store,
# service and CLI tests that take a tracker from the fixtures below then run on PostgreSQL,
# each with a database of its own, and the tests that cannot (SQLite files, the TUI) are left
# out of that run. Under `make test`, everything runs on SQLite as before.
PG_SERVER = os.environ.get("SSCP_TEST_PG")
# The fixtures through which a test's tracker can be on either store.
STORE_FIXTURES = {"store", "demo_store", "tracker_target", "demo_target"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about a SQLite file itself; not run on PostgreSQL")
    config.addinivalue_line("markers", "postgres_only: needs the PostgreSQL server of `make test-pg`")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, left = [], []
    if not PG_SERVER:  # the server's own tests are left out (deselected, not skipped)
        for item in items:
            (left if item.get_closest_marker("postgres_only") else kept).append(item)
        if left:
            config.hook.pytest_deselected(items=left)
        items[:] = kept
        return
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        on_either = fixtures & STORE_FIXTURES and item.get_closest_marker("sqlite_only") is None
        (kept if on_either else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
    items[:] = kept


class PgDatabases:
    """Databases on the throwaway server: one per test, copied from a template made once."""

    def __init__(self, server: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(server)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.counter = itertools.count(1)
        self.templates: dict[str, str] = {}

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _run(self, statement: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def new(self, template: str | None = None) -> str:
        name = f"t{os.getpid()}_{next(self.counter)}"
        self._run(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop(self, name: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def template(self, kind: str) -> str:
        """A database made once per session (an empty tracker, or the demo) to copy from."""
        if kind not in self.templates:
            name = self.new()
            if kind == "demo":
                from sscp_tui.services.demo import write_demo

                built, _ = write_demo(self.url(name), AS_OF)
                built.close()
            else:
                open_store(self.url(name)).close()
            self.templates[kind] = name
        return self.templates[kind]


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases | None]:
    if not PG_SERVER:
        yield None
        return
    databases = PgDatabases(PG_SERVER)
    yield databases
    for name in databases.templates.values():
        databases.drop(name)
    databases.admin.dispose()


def _target(pg: PgDatabases | None, kind: str, path: Path, template: Path | None = None) -> Iterator[str]:
    """Where a test's tracker lives: a SQLite file at ``path`` (a copy of ``template``), or a
    fresh PostgreSQL database copied from the session's template of that kind."""
    if pg is None:
        if template is not None:
            shutil.copy(template, path)
        yield str(path)
        return
    name = pg.new(pg.template(kind))
    try:
        yield pg.url(name)
    finally:
        pg.drop(name)


@pytest.fixture
def tracker_target(pg_databases: PgDatabases | None, tmp_path: Path) -> Iterator[str]:
    """An empty tracker's path or URL, for a test to open or hand to the CLI's --db."""
    yield from _target(pg_databases, "empty", tmp_path / "tracker.sqlite3")


@pytest.fixture
def demo_target(pg_databases: PgDatabases | None, demo_template: Path, tmp_path: Path) -> Iterator[str]:
    """A tracker holding the demo partnership: its path or URL."""
    yield from _target(pg_databases, "demo", tmp_path / "demo.sqlite3", demo_template)


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSCP_TUI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SSCP_TUI_DB", raising=False)
    monkeypatch.delenv("SSCP_TUI_CONFIG", raising=False)
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LOGNAME", "tester")


@pytest.fixture
def settings() -> Settings:
    return Settings(author="Test Chair")


@pytest.fixture
def store(tracker_target: str) -> Iterator[Store]:
    opened = open_store(tracker_target)
    yield opened
    opened.close()


@pytest.fixture
def tracker(store: Store, settings: Settings) -> Tracker:
    return Tracker(store, settings, AS_OF)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sscp_tui.services.demo import write_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    built, _ = write_demo(path, AS_OF)
    built.close()
    return path


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic log of 600 items (bench.synth), for reads held to the store's."""
    from bench.synth import build

    path = tmp_path_factory.mktemp("synthetic") / "synthetic.sqlite3"
    build(600, path, today=date(2026, 11, 28))
    return path


@pytest.fixture
def demo_store(demo_target: str) -> Iterator[Store]:
    opened = open_store(demo_target)
    yield opened
    opened.close()


@pytest.fixture
def demo(demo_store: Store, settings: Settings) -> Tracker:
    return Tracker(demo_store, settings, AS_OF)


@pytest.fixture
def small(store: Store) -> dict[str, int]:
    """A tiny partnership whose every date is known, for exact assertions."""
    from sscp_tui.db.models import Agency

    ids: dict[str, int] = {}
    with store.write() as s:
        for name, short in [("Surrey County Council", "SCC"), ("Surrey Police", "SP"),
                            ("Surrey Heartlands", "SH")]:  # fmt: skip
            s.add(Agency(name=name, short_name=short, kind=AgencyKind.STATUTORY, active=True))
        review = Review(kind=ReviewKind.SCR, title="Child A", year=2019,
                        status=ReviewStatus.PUBLISHED, notes="")  # fmt: skip
        thematic = Review(kind=ReviewKind.THEMATIC, title="Adolescent suicide", year=2020,
                          status=ReviewStatus.PUBLISHED, notes="")  # fmt: skip
        s.add_all([review, thematic])
        s.flush()
        ids["review"], ids["thematic"] = review.id, thematic.id
        ctx = EditContext(author="Setup", note="set up", source="test")
        specs = [
            # key, review, ref, lead, supporting, themes, timescale, rating, last update
            ("overdue", review.id, "1", "SCC", ("SP",), ("neglect",), "31/10/2026", Rating.RED, date(2026, 11, 1)),
            ("soon", review.id, "2", "SP", (), ("information sharing",), "15/12/2026", Rating.AMBER, date(2026, 11, 20)),
            ("later", review.id, "10", "SH", ("SCC",), ("neglect", "voice of the child"), "March 2027", Rating.GREEN, date(2026, 10, 1)),
            ("tbc", thematic.id, "A1", "SCC", (), (), "tbc", None, None),
            ("stale", thematic.id, "A2", "SP", (), ("domestic abuse",), "2027-28", Rating.AMBER, date(2026, 6, 1)),
            ("green_overdue", thematic.id, "A3", "SH", (), (), "Sept 26", Rating.GREEN, date(2026, 11, 2)),
            ("blue_no_evidence", review.id, "3", "SCC", (), (), "31/03/2026", Rating.BLUE, date(2026, 3, 1)),
            ("blue", review.id, "4", "SP", (), (), "31/03/2026", Rating.BLUE, date(2026, 3, 1)),
        ]  # fmt: skip
        for key, rid, ref, lead, supporting, themes, timescale, rating, last in specs:
            item = create_item(
                s,
                ctx,
                NewItem(
                    kind=ItemKind.RECOMMENDATION if rid == review.id else ItemKind.ACTION,
                    reference=ref,
                    text=f"Recommendation {key}: agencies should strengthen practice.",
                    review_id=rid,
                    lead_agency=lead,
                    supporting_agencies=supporting,
                    themes=themes,
                    timescale=timescale,
                    rating=rating,
                    evidence_completion="Audit report" if key == "blue" else "",
                    created_on=date(2026, 1, 5),
                ),
            )
            if last:
                add_update(s, ctx, item.id, f"Update on {key}", written_on=last)
            ids[key] = item.id
    return ids
