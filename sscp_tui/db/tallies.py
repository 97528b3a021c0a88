"""The whole log's tallies (migration 0005) kept in step with a bulk insert of new items.

On SQLite, triggers keep three small tables of counts for the first screen: items by rating
with their due date, with their last update, and with their lead agency. The insert trigger
adds one to three counts for every new item, which made an import of 10,000 items spend more
than half a second in it. Around a bulk insert, :func:`counted_in_bulk` steps the trigger
aside and adds the new items' counts with one grouped statement a table, inside the caller's
transaction (a failure undoes both). The keys are worked out exactly as the trigger works
them out; the first-look tests recount after an import and fail if the two ever differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

INSERT_TRIGGER = "items_tally_insert"

# Each tally's key columns and how each is worked out from an item, as in migration 0005.
KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "item_tally_due": (("rating", "coalesce(rating, '')"), ("due_on", "coalesce(due_on, '')")),
    "item_tally_last": (
        ("rating", "coalesce(rating, '')"),
        ("last_on", "coalesce(last_update_on, created_on, '')"),
    ),
    "item_tally_lead": (
        ("rating", "coalesce(rating, '')"),
        ("lead_agency_id", "coalesce(lead_agency_id, 0)"),
        ("evidenced", "coalesce(evidenced, 0)"),
    ),
}


def _add_counts(table: str) -> str:
    names = ", ".join(name for name, _ in KEYS[table])
    values = ", ".join(value for _, value in KEYS[table])
    return (
        f"INSERT INTO {table} ({names}, n) SELECT {values}, count(*) FROM items "
        f"WHERE id > :before AND deleted_at IS NULL GROUP BY {values} "
        f"ON CONFLICT ({names}) DO UPDATE SET n = n + excluded.n"
    )


@contextmanager
def counted_in_bulk(connection: Connection) -> Iterator[None]:
    """Around inserting new items in the caller's write transaction (and nothing else to the
    items: an update inside would take from counts not yet added): the insert trigger is
    dropped, and afterwards every item inserted inside (an id above the highest before it, as
    SQLite gives new ids) is counted with one statement a tally, and the trigger made again.
    Nothing is done where there are no tallies (PostgreSQL, or a file without them)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    made = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": INSERT_TRIGGER},
    ).scalar()
    if made is None:
        yield
        return
    before = connection.execute(text("SELECT coalesce(max(id), 0) FROM items")).scalar()
    connection.execute(text(f"DROP TRIGGER {INSERT_TRIGGER}"))
    yield
    for table in KEYS:
        connection.execute(text(_add_counts(table)), {"before": before})
    connection.execute(text(made))
