"""Copying a whole tracker from one store to another: how a partnership moves its log from a
SQLite file onto a PostgreSQL server (or back, or to a file kept as a copy).

Everything in the database comes across as it is — reviews, plans, items, their updates,
history and meetings, with their ids — in one transaction on the destination, so a failure
leaves it as empty as it was. The destination must be a new or empty tracker; the source is
only read. Afterwards each table is counted on both sides, and the copy is reported as done
only if every count agrees. The destination's own id counters are moved past the ids copied,
so the next item or meeting added there is given a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update

from sscp_tui.db.models import Base, HistoryEntry, Meeting
from sscp_tui.db.store import Store
from sscp_tui.errors import StoreError

CHUNK = 2_000  # rows read and written at a time

Progress = Callable[[str, int, int], None]  # table, rows copied so far, rows in the table


class CopyError(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class CopyReport:
    counts: tuple[tuple[str, int], ...]  # each table, in the order copied, and its rows

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


def tables() -> list[Table]:
    """The tracker's tables, each after the tables it refers to."""
    return list(Base.metadata.sorted_tables)


def count_rows(connection: Connection) -> dict[str, int]:
    return {table.name: connection.scalar(select(func.count()).select_from(table)) or 0 for table in tables()}


def copy_tracker(source: Store, destination: Store, progress: Progress | None = None) -> CopyReport:
    """Copy every row of ``source`` into the empty ``destination``, or nothing at all."""
    if destination.read_only:
        raise CopyError(f"{destination.location} is open read-only; nothing can be copied into it.")
    consistent = {"isolation_level": "REPEATABLE READ"} if source.engine.dialect.name == "postgresql" else {}
    # One read transaction on the source, so the copy is of one moment even while others edit.
    with source.engine.connect().execution_options(**consistent) as reading, \
            destination.engine.connect() as writing:  # fmt: skip
        found = count_rows(reading)
        held = {name: count for name, count in count_rows(writing).items() if count}
        writing.rollback()
        if held:
            named: list[str] = [
                n for n in ("items", "reviews", "agencies", "history", "meetings") if n in held
            ]
            what = ", ".join(f"{held[name]:,} {name}" for name in named or sorted(held))
            raise CopyError(
                f"{destination.location} already holds a tracker ({what}); a copy goes only into a new or "
                "empty one, so nothing was copied."
            )
        with writing.begin():
            for table in tables():
                _copy_table(reading, writing, table, found[table.name], progress)
            _move_counters_past(writing)
            copied = count_rows(writing)
            if copied != found:
                wrong = [f"{name}: {found[name]} read, {copied[name]} written" for name in found
                         if copied[name] != found[name]]  # fmt: skip
                raise CopyError(
                    f"The copy did not match its source ({'; '.join(wrong)}); nothing was copied."
                )
    destination.refresh_statistics()  # the planner's view of a tracker that just filled
    return CopyReport(tuple((table.name, found[table.name]) for table in tables()))


def _copy_table(reading: Connection, writing: Connection, table: Table, total: int,
                progress: Progress | None) -> None:  # fmt: skip
    """The table's rows, a chunk at a time, in id order. A column naming a row of its own
    table (an action's recommendation) is filled in afterwards, when every row is there."""
    own = [column.name for column in table.columns
           if any(key.column.table is table for key in column.foreign_keys)]  # fmt: skip
    keys = list(table.primary_key.columns)
    statement = select(table).order_by(*keys)
    done = 0
    later: list[dict[str, Any]] = []
    result = reading.execution_options(yield_per=CHUNK).execute(statement)
    for chunk in result.mappings().partitions(CHUNK):
        rows = [dict(row) for row in chunk]
        for row in rows:
            pointing = {name: row[name] for name in own if row[name] is not None}
            if pointing:
                later.append({"_id": row[keys[0].name], **pointing})
                row.update(dict.fromkeys(pointing))
        writing.execute(insert(table), rows)
        done += len(rows)
        if progress is not None:
            progress(table.name, done, total)
    for name in own:
        wanted = [{"_id": row["_id"], "_value": row[name]} for row in later if name in row]
        if wanted:
            key = keys[0]
            writing.execute(
                update(table).where(key == bindparam("_id")).values({name: bindparam("_value")}), wanted
            )


def _move_counters_past(writing: Connection) -> None:
    """PostgreSQL's sequences move past the ids copied (SQLite's counters follow the rows
    inserted by themselves); a meeting's counter also past any meeting history names."""
    highest_meeting = (
        writing.scalar(select(func.max(HistoryEntry.entity_id)).where(HistoryEntry.entity == "meeting")) or 0
    )
    highest_meeting = max(highest_meeting, writing.scalar(select(func.max(Meeting.id))) or 0)
    if writing.dialect.name == "postgresql":
        for table in tables():
            if [column.name for column in table.primary_key.columns] != ["id"]:
                continue
            highest = writing.scalar(select(func.max(table.c.id))) or 0
            if table.name == "meetings":
                highest = highest_meeting
            if highest:
                writing.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :highest)"),
                    {"table": table.name, "highest": highest},
                )
    elif writing.dialect.name == "sqlite" and highest_meeting:
        writing.execute(text("DELETE FROM sqlite_sequence WHERE name = 'meetings'"))
        writing.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES ('meetings', :highest)"),
            {"highest": highest_meeting},
        )
