"""An index of the progress updates that propose a rating (and are not withdrawn)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 10:40:00

The log's "proposals not yet answered" (P, and a saved view of it) and its "Proposed" column
start from the updates that propose a rating, which are few. With no index of them, SQLite
read every item and each one's updates to find them: 0.9-1.1 s for the page and as long again
for its count at 100,000 items, against some 10 ms from this index. PostgreSQL is given the
same index so that both stores have one schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_progress_updates_proposing"
WHERE = "proposed_rating IS NOT NULL AND withdrawn_at IS NULL"


def upgrade() -> None:
    where = sa.text(WHERE)
    op.create_index(
        NAME, "progress_updates", ["item_id", "written_on"], sqlite_where=where, postgresql_where=where
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE progress_updates")


def downgrade() -> None:
    op.drop_index(NAME, table_name="progress_updates")
