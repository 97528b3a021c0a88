"""Items count their timescale's revisions and keep the day they were delivered (evidence of
completion recorded), for "revised 2+ times" and "delivered, awaiting evidence of impact"

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy): every row, index and trigger stays as it is.
    op.add_column("items", sa.Column("timescale_revisions", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("items", sa.Column("delivered_on", sa.Date(), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    # A revision is one timescale for another (not a first one, nor a clearing); an undo
    # takes one back. SQLite's two-argument max() is PostgreSQL's greatest().
    revisions = (
        "SELECT count(*) FROM history h WHERE h.entity = 'item' AND h.entity_id = items.id"
        " AND h.field = 'timescale' AND h.old_value IS NOT NULL AND h.new_value IS NOT NULL"
    )
    larger = "max" if sqlite else "greatest"
    op.execute(
        f"UPDATE items SET timescale_revisions = {larger}(0, ({revisions} AND h.source <> 'undo')"
        f" - ({revisions} AND h.source = 'undo'))"
    )
    # Delivered on the day its evidence of completion was last recorded; where history does
    # not say (an item made with it), its latest update's day, else the day it was added.
    day = "date(max(h.changed_at))" if sqlite else "max(h.changed_at)::date"
    op.execute(
        f"UPDATE items SET delivered_on = coalesce((SELECT {day} FROM history h WHERE h.entity = 'item'"
        " AND h.entity_id = items.id AND h.field = 'evidence_completion' AND h.new_value IS NOT NULL),"
        " last_update_on, created_on) WHERE evidenced"
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose its triggers.
    op.execute("ALTER TABLE items DROP COLUMN delivered_on")
    op.execute("ALTER TABLE items DROP COLUMN timescale_revisions")
