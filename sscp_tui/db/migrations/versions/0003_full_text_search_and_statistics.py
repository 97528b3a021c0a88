"""A full-text index for the search box, and statistics for SQLite's query planner

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:05:00
"""

from collections.abc import Sequence

from alembic import op

from sscp_tui.db import search_index

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL: its own full-text search, a stored tsvector of the words with a GIN
        # index (see search_index).
        for statement in search_index.PG_CREATE:
            op.execute(statement)
        op.execute("ANALYZE")
        return
    search_index.ensure(op.get_bind())
    # Without statistics SQLite guesses that "not deleted" picks out a few rows and reads the
    # whole log for an agency's filter; with them it uses the agency's index (40 ms → 12 ms at
    # 100,000 items). The store refreshes them with PRAGMA optimize as it closes.
    op.execute("ANALYZE")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {search_index.PG_INDEX}")
        op.execute(f"ALTER TABLE item_search DROP COLUMN IF EXISTS {search_index.PG_COLUMN}")
        return
    for trigger in search_index.TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if search_index.fts5_available():  # without FTS5, SQLite cannot drop the table either
        op.execute("DROP TABLE IF EXISTS item_fts")
