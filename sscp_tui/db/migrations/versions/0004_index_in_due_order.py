"""An index of the log in due-date order, for the first page of the log sorted by alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["deleted_at", "due_on", "rating", "last_update_on", "created_on", "lead_agency_id", "review_id",
           "kind", "priority_id", "evidenced"]  # fmt: skip


def upgrade() -> None:
    # See services.queries._walked_ids: the log's first pages, worst alert first, are read
    # by walking this index in due-date order and stopping at a page, not by sorting the log.
    op.create_index("ix_items_due_cover", "items", COLUMNS)
    op.execute("ANALYZE items")


def downgrade() -> None:
    op.drop_index("ix_items_due_cover", table_name="items")
