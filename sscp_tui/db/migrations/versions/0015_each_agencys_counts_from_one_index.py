"""The index by lead agency covers the dates alerts are judged on

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 13:20:00

The Agencies screen counts each agency's open items by rating and by alert. Its index by
lead agency held the rating and the due date but not the last update, so judging "stale"
sent SQLite to every item's row: 280-320 ms at 100,000 items, the slowest first visit of any
screen. With the last update, the creation date and the evidenced flag in the index, the
counts of every agency are one pass along it in its own order (35-50 ms). PostgreSQL is
given the same index so that both stores have one schema.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_items_lead_rating"
BEFORE = ["deleted_at", "lead_agency_id", "rating", "due_on"]
AFTER = [*BEFORE, "last_update_on", "created_on", "evidenced"]


def upgrade() -> None:
    op.drop_index(NAME, table_name="items")
    op.create_index(NAME, "items", AFTER)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE items")


def downgrade() -> None:
    op.drop_index(NAME, table_name="items")
    op.create_index(NAME, "items", BEFORE)
