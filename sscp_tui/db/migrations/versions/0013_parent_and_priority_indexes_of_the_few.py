"""The indexes of an item's parent and of its priority hold only the items that have one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 04:50:00

Most items have no parent (recommendations; only actions sit under one) and no priority
(review items; only the strategic plan's have one). SQLite's statistics count the NULLs as
one value shared by nearly every row, so the planner took "the items under item 5" for
nearly the whole log and read all of it: opening an item at 100,000 items spent 35-40 ms on
its sub-items alone, and a priority's items the same. Indexes of the items that have a
parent (a priority) are small, their statistics true, and every "= ?" lookup uses them (an
equality implies the column is not NULL). PostgreSQL, whose statistics know NULLs apart, is
given the same indexes so that both stores have one schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (("ix_items_parent", "parent_id"), ("ix_items_priority", "priority_id"))


def upgrade() -> None:
    for name, column in INDEXES:
        op.drop_index(name, table_name="items")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "items", [column], sqlite_where=where, postgresql_where=where)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE items")


def downgrade() -> None:
    for name, column in INDEXES:
        op.drop_index(name, table_name="items")
        op.create_index(name, "items", [column])
