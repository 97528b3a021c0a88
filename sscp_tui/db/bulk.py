"""Many rows written at once, for an import: each value converted by its column's type as
SQLAlchemy converts it, handed to the driver's executemany in one go."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from sscp_tui.db.tracker_file import CACHE_KIB

BULK_CACHE_KIB = 64 * 1024


@contextmanager
def roomy_cache(session: Session) -> Iterator[None]:
    """A SQLite page cache of 64 MiB for one large write, then the usual small one again. A
    write of thousands of rows touches every page of a dozen indexes; with the usual 512 KiB
    each page was written out of the cache and read back in several times (a tenth of a
    10,000-row import's write). Nothing is done on PostgreSQL, which has its own buffers."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")


def _processor(impl: TypeEngine[Any], dialect: Dialect) -> Any:
    """The column type's own conversion, except SQLite's dates and times: the same text, made
    by the date's own method (a tenth of the time; an import converts some 150,000)."""
    process = impl.bind_processor(dialect)
    if dialect.name != "sqlite" or process is None:
        return process
    if isinstance(impl, DateTime):
        return lambda value: (
            value.isoformat(" ", "microseconds")
            if type(value) is datetime and value.tzinfo is None
            else process(value)
        )
    if isinstance(impl, Date):
        return lambda value: value.isoformat() if type(value) is date else process(value)
    return process


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows into ``table`` through the driver's executemany, each value converted by its
    column's own type as SQLAlchemy would, but without SQLAlchemy's handling of each row's
    parameters, which was a third of a large import's write (70,000 rows: 1.2 s). Every row
    has the same keys; only the columns whose type converts (dates, flags) are touched."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = insert(table).values({name: bindparam(name) for name in names}).compile(dialect=dialect)
    order = (compiled.positiontup or []) if compiled.positional else names
    converting = [
        (position, name, process)
        for position, name in enumerate(order)
        if (process := _processor(table.c[name].type.dialect_impl(dialect), dialect)) is not None
    ]
    params: list[Any]
    if compiled.positional:
        pick = itemgetter(*order)
        if len(order) == 1:
            params = [(pick(row),) for row in rows]
        elif not converting:
            params = [pick(row) for row in rows]
        else:
            params = []
            for row in rows:
                values = list(pick(row))
                for position, _name, process in converting:
                    values[position] = process(values[position])
                params.append(tuple(values))
    else:
        params = [
            {**row, **{name: process(row[name]) for _position, name, process in converting}} for row in rows
        ] if converting else rows  # fmt: skip
    connection.exec_driver_sql(compiled.string, params)


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids for rows about to be inserted into ``table`` in the caller's write
    transaction, so that they can be written in one executemany instead of an insert that
    returns each row's id. SQLite gives the ids after the highest (the write lock is held, so
    no one else can take them); PostgreSQL takes them from the column's sequence."""
    if count <= 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        taken = connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, %(n)s)",
            {"n": count},
        )
        return sorted(row[0] for row in taken)
    highest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar() or 0
    return list(range(highest + 1, highest + 1 + count))
