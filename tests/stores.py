"""Reaching a test's tracker past the app, as another program would, on either store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from sscp_tui.config import Settings
from sscp_tui.db.store import open_store
from sscp_tui.services.first_look import FirstLook
from sscp_tui.services.tracker import Tracker


def is_postgres(url: str) -> bool:
    return "://" in url and make_url(url).get_backend_name() == "postgresql"


@contextmanager
def raw_connection(url: str) -> Iterator[Any]:
    """A DB-API connection of the database's own driver (sqlite3 or psycopg), committing on
    success. Parameters are written ``?`` for both: they are translated for psycopg."""
    if is_postgres(url):
        import psycopg

        parsed = make_url(url).set(drivername="postgresql")
        with psycopg.connect(parsed.render_as_string(hide_password=False)) as connection:
            yield _Questioned(connection)
        return
    path = make_url(url).database if "://" in url else url
    connection = sqlite3.connect(path)
    try:
        with connection:
            yield connection
    finally:
        connection.close()


class _Questioned:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, statement: str, parameters: tuple[Any, ...] = ()) -> Any:
        return self._connection.execute(statement.replace("?", "%s"), parameters)


def drop_history_guard(raw: Any, url: str) -> None:
    """Lift the history table's append-only triggers, as another program on an older file might."""
    if is_postgres(url):
        raw.execute("ALTER TABLE history DISABLE TRIGGER history_append_only")
    else:
        raw.execute("DROP TRIGGER IF EXISTS history_append_only_update")


TABLES = ("agencies", "reviews", "items", "progress_updates", "history", "meetings", "item_search")


def table_counts(url: str) -> dict[str, int]:
    """How many rows each of the tracker's main tables holds, read past the app."""
    with raw_connection(url) as raw:
        return {table: raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


@contextmanager
def read_both_ways(path: Path, settings: Settings, day: date) -> Iterator[tuple[FirstLook, Tracker]]:
    """A tracker file read both ways: by a first look (plain sqlite3) and through the store."""
    look = FirstLook.open(path)
    assert look is not None
    store = open_store(path, create=False)
    try:
        yield look, Tracker(store, settings, day)
    finally:
        store.close()
