"""Tallies of the whole log kept by triggers, so the first screen's counts do not grow with it

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 01:40:00

The dashboard opens on counts of the whole log: items by rating, by alert and by lead agency.
Counted from the items, they took 80 ms at 100,000 items against 8 ms at 1,000. These
tables keep the same counts grouped by what the alerts ask of an item (its rating with its
due date, with its last update, and with its lead agency), so the first screen sums a few
thousand rows whatever the log's size (services.first_look). Triggers keep them in step with
every write to an item, whichever code path makes it; only items not deleted are counted.

The tallies serve the first screen only. Every later count is made from the items by the
store, and the screen is read again through it once the store is open, so a tally could never
hold a wrong count on screen for longer than the start.

A later migration that rebuilds the items table (Alembic's batch mode does, on SQLite) drops
these triggers with it and must make them again from ``TRIGGERS``; the first-look tests,
which edit a tracker built by every migration and recount, fail if it does not.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each tally: its table, then its key columns with how each is worked out from an item. A key
# column is never NULL (SQLite would count each NULL as a key of its own): a missing rating,
# due date or lead agency is kept as '' or 0.
TALLIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "item_tally_due": (
        ("rating", "TEXT", "coalesce({row}.rating, '')"),
        ("due_on", "TEXT", "coalesce({row}.due_on, '')"),
    ),
    "item_tally_last": (
        ("rating", "TEXT", "coalesce({row}.rating, '')"),
        ("last_on", "TEXT", "coalesce({row}.last_update_on, {row}.created_on, '')"),
    ),
    "item_tally_lead": (
        ("rating", "TEXT", "coalesce({row}.rating, '')"),
        ("lead_agency_id", "INTEGER", "coalesce({row}.lead_agency_id, 0)"),
        ("evidenced", "INTEGER", "coalesce({row}.evidenced, 0)"),
    ),
}
# The item's columns the keys are worked out from.
WATCHED = "rating, due_on, last_update_on, created_on, lead_agency_id, evidenced, deleted_at"


def _add(table: str, row: str) -> str:
    keys = TALLIES[table]
    names = ", ".join(name for name, _, _ in keys)
    values = ", ".join(value.format(row=row) for _, _, value in keys)
    return (
        f"INSERT INTO {table} ({names}, n) SELECT {values}, 1 WHERE {row}.deleted_at IS NULL "
        f"ON CONFLICT ({names}) DO UPDATE SET n = n + 1;"
    )


def _take(table: str, row: str) -> str:
    match = " AND ".join(f"{name} = {value.format(row=row)}" for name, _, value in TALLIES[table])
    return (
        f"UPDATE {table} SET n = n - 1 WHERE {row}.deleted_at IS NULL AND {match}; "
        f"DELETE FROM {table} WHERE n <= 0 AND {match};"
    )


TRIGGERS = {
    "items_tally_insert": ("INSERT", " ".join(_add(t, "new") for t in TALLIES)),
    "items_tally_delete": ("DELETE", " ".join(_take(t, "old") for t in TALLIES)),
    "items_tally_update": (
        f"UPDATE OF {WATCHED}",
        " ".join(_take(t, "old") + " " + _add(t, "new") for t in TALLIES),
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # the first look, their only reader, opens SQLite files alone
    for table, keys in TALLIES.items():
        columns = ", ".join(f"{name} {kind} NOT NULL" for name, kind, _ in keys)
        names = ", ".join(name for name, _, _ in keys)
        op.execute(
            f"CREATE TABLE {table} ({columns}, n INTEGER NOT NULL, PRIMARY KEY ({names})) WITHOUT ROWID"
        )
        values = ", ".join(value.format(row="items") for _, _, value in keys)
        op.execute(
            f"INSERT INTO {table} ({names}, n) SELECT {values}, count(*) FROM items "
            f"WHERE items.deleted_at IS NULL GROUP BY {values}"
        )
    for name, (event, body) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON items BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in TALLIES:
        op.execute(f"DROP TABLE IF EXISTS {table}")
