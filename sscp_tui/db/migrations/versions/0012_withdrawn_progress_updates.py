"""A progress update added by mistake can be withdrawn: kept, marked with who withdrew it,
when and why, and left out of every screen, pack and export

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs on both stores (no table copy): every row and index stays as it is.
    op.add_column("progress_updates", sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
    op.add_column("progress_updates", sa.Column("withdrawn_by", sa.Text(), nullable=True))
    op.add_column("progress_updates", sa.Column("withdrawn_why", sa.Text(), nullable=True))


def downgrade() -> None:
    for name in ("withdrawn_why", "withdrawn_by", "withdrawn_at"):
        op.execute(f"ALTER TABLE progress_updates DROP COLUMN {name}")
