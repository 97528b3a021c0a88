"""PostgreSQL figures beside SQLite's, at the largest size: the same tracker copied onto a
throwaway server (tests/pg_server.py), then the log's page and count and a search's through
the app, each in turns with its floor — the very statements the app sent, replayed with
psycopg alone (no ORM, no rows built) — the alerts, and the TUI's filter, search, rating and
cursor timings."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def measure(report: Any, figure: Any, db: Path, runs: int, paired: Callable[..., Any],
            interactions: Callable[..., Any], as_of: Any) -> None:  # fmt: skip
    from sqlalchemy import create_engine, text

    from tests.pg_server import throwaway_server

    with throwaway_server() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        url = server.rsplit("/", 1)[0] + "/bench"
        size = _copy_up(report, figure, db, url)
        _queries(report, figure, url, size, runs, paired, as_of)
        found = asyncio.run(interactions(url, runs))
        name = f"{size:,} on PostgreSQL"
        report.add(figure(f"{name}: filter change, key to repaint", "ms", found["filter"], target="<120 ms"))
        report.add(figure(f"{name}: free-text search, Enter to repaint", "ms", found["search"],
                          target="<120 ms"))  # fmt: skip
        report.add(figure(f"{name}: rating change, Enter to committed and repainted", "ms", found["rate"],
                          target="<50 ms"))  # fmt: skip
        report.add(figure(f"{name}: cursor one row", "ms", found["cursor"], target="<16 ms"))


def _copy_up(report: Any, figure: Any, db: Path, url: str) -> int:
    from sscp_tui.db.store import open_store
    from sscp_tui.services.copying import copy_tracker

    source, destination = open_store(db, create=False), open_store(url)
    start = time.perf_counter()
    copied = copy_tracker(source, destination)
    elapsed = (time.perf_counter() - start) * 1000
    source.close()
    with destination.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")  # as a server's autovacuum soon would
    destination.close()
    size = dict(copied.counts)["items"]
    report.add(figure(f"{size:,}: sscp-tui copy, SQLite file to PostgreSQL ({copied.total:,} rows)", "ms",
                      [elapsed]))  # fmt: skip
    return size


def _queries(report: Any, figure: Any, url: str, size: int, runs: int, paired: Callable[..., Any],
             as_of: Any) -> None:  # fmt: skip
    import psycopg
    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services import queries
    from sscp_tui.services.alerts import AlertRules
    from sscp_tui.services.records import ItemFilter
    from sscp_tui.services.tracker import Tracker

    store = open_store(url)
    tracker = Tracker(store, Settings(), as_of)
    rules = AlertRules(as_of)
    raw = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    first_agency = tracker.agencies()[0].id

    def replayed(call: Callable[[], Any]) -> Callable[[], Any]:
        """The floor of ``call``: the very statements it sent, with their parameters, run again
        with psycopg alone, rows fetched and nothing built from them."""
        sent: list[tuple[str, Any]] = []

        def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
            sent.append((statement, parameters))

        event.listen(store.engine, "before_cursor_execute", listen)
        call()
        event.remove(store.engine, "before_cursor_execute", listen)

        def run() -> Any:
            for statement, parameters in sent:
                raw.execute(statement, parameters).fetchall()
            raw.rollback()

        return run

    agency = ItemFilter(agency_id=first_agency)
    searched = ItemFilter(text="neglect")
    calls = {
        "filtered log page (one agency)": lambda: tracker.page(agency, with_total=False),
        "its count": lambda: tracker.count(agency),
        "word search page": lambda: tracker.page(searched, with_total=False),
        "its count (search)": lambda: tracker.count(searched),
    }
    for name, mine in calls.items():
        floor = replayed(mine)
        for _ in range(2):
            mine()
            floor()
        app_times, floor_times = paired(mine, floor, runs)
        report.add(figure(f"{size:,} on PostgreSQL: {name} (app)", "ms", app_times, "psycopg (in turns)",
                          statistics.median(floor_times), "≤5× psycopg"))  # fmt: skip
    alerts: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        with store.read() as session:
            queries.alert_rows(session, rules, None, awaiting_too=True)
        alerts.append((time.perf_counter() - start) * 1000)
    report.add(figure(f"{size:,} on PostgreSQL: alerts of the whole log (app)", "ms", alerts))
    raw.close()
    store.close()
