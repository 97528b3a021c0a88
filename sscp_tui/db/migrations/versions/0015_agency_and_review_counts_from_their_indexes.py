"""Each agency's and each review's counts read from an index of their own

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 13:20:00

The Agencies screen counts each agency's open items by rating and by alert. Its index by
lead agency held the rating and the due date but not the last update, so judging "stale"
sent SQLite to every item's row: 280-320 ms at 100,000 items. With the last update, the
creation date and the evidenced flag in the index, the counts of every agency are one pass
along it in its own order (35-50 ms).

The Reviews screen counts each review's items by rating. No index held both, so SQLite read
the whole covering index and grouped it in a sort of its own (150 ms); an index by review
and rating is read in its own order (15 ms).

PostgreSQL is given the same indexes so that both stores have one schema.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD = "ix_items_lead_rating"
LEAD_BEFORE = ["deleted_at", "lead_agency_id", "rating", "due_on"]
LEAD_AFTER = [*LEAD_BEFORE, "last_update_on", "created_on", "evidenced"]
REVIEW = "ix_items_review_rating"
REVIEW_COLUMNS = ["deleted_at", "review_id", "rating"]


def upgrade() -> None:
    op.drop_index(LEAD, table_name="items")
    op.create_index(LEAD, "items", LEAD_AFTER)
    op.create_index(REVIEW, "items", REVIEW_COLUMNS)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE items")


def downgrade() -> None:
    op.drop_index(REVIEW, table_name="items")
    op.drop_index(LEAD, table_name="items")
    op.create_index(LEAD, "items", LEAD_BEFORE)
