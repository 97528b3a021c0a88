"""PostgreSQL figures beside SQLite's, at the largest size: the same tracker copied onto a
throwaway server (tests/pg_server.py), then the log's page and count, a search and the alerts
through the app, each in turns with the same statement compiled for PostgreSQL and run with
psycopg alone (no ORM), and the TUI's filter, search, rating and cursor timings."""

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
    with destination.engine.connect() as connection:
        connection.exec_driver_sql("COMMIT")
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    destination.close()
    size = dict(copied.counts)["items"]
    report.add(figure(f"{size:,}: sscp-tui copy, SQLite file to PostgreSQL ({copied.total:,} rows)", "ms",
                      [elapsed]))  # fmt: skip
    return size


def _queries(report: Any, figure: Any, url: str, size: int, runs: int, paired: Callable[..., Any],
             as_of: Any) -> None:  # fmt: skip
    import psycopg
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.engine import make_url

    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services import queries
    from sscp_tui.services.alerts import AlertRules
    from sscp_tui.services.records import ItemFilter, SortKey
    from sscp_tui.services.tracker import Tracker

    store = open_store(url)
    tracker = Tracker(store, Settings(), as_of)
    rules = AlertRules(as_of)
    raw = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    first_agency = tracker.agencies()[0].id

    def compiled(statement: Any) -> str:
        return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    with store.read() as session:  # the statements the app runs, compiled as they are
        agency = ItemFilter(agency_id=first_agency)
        page_sql = compiled(queries._id_select(session, agency, rules, SortKey.ALERTS, False).limit(100))
        count_sql = compiled(queries._count_select(agency, rules, queries.search_flavour(session)))
        search = ItemFilter(text="neglect")
        search_sql = compiled(queries._id_select(session, search, rules, SortKey.ALERTS, False).limit(100))
        rows_sql = compiled(queries._rows_by_id_select()).replace("__[POSTCOMPILE_ids]", "{ids}")

    def raw_page(sql: str) -> Callable[[], Any]:
        def run() -> Any:
            ids = [row[0] for row in raw.execute(sql)]
            if ids:
                raw.execute(rows_sql.format(ids=", ".join(map(str, ids)))).fetchall()
            raw.rollback()

        return run

    def raw_count() -> Any:
        raw.execute(count_sql).fetchone()
        raw.rollback()

    pairs = {
        "filtered log page (one agency)": (lambda: tracker.page(ItemFilter(agency_id=first_agency),
                                                                with_total=False), raw_page(page_sql)),
        "its count": (lambda: tracker.count(ItemFilter(agency_id=first_agency)), raw_count),
        "word search page": (lambda: tracker.page(ItemFilter(text="neglect"), with_total=False),
                             raw_page(search_sql)),
    }  # fmt: skip
    for name, (mine, floor) in pairs.items():
        for _ in range(2):
            mine()
            floor()
        app_times, floor_times = paired(mine, floor, runs)
        report.add(figure(f"{size:,} on PostgreSQL: {name} (app)", "ms", app_times, "psycopg (in turns)",
                          statistics.median(floor_times), "≤5× psycopg"))  # fmt: skip
    alerts = [0.0] * 0
    for _ in range(runs):
        start = time.perf_counter()
        with store.read() as session:
            queries.alert_rows(session, rules, None, awaiting_too=True)
        alerts.append((time.perf_counter() - start) * 1000)
    report.add(figure(f"{size:,} on PostgreSQL: alerts of the whole log (app)", "ms", alerts))
    raw.close()
    store.close()
