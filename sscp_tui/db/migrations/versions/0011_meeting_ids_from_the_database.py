"""A new meeting's id comes from the database, never from the highest id plus one

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:55:00

A meeting's history names it by id, so an id must never be given twice, even after the
meeting it named was removed. The app used to work out the next id itself; two people
recording a meeting at once on PostgreSQL could then be given the same one. Now the database
gives it:

- SQLite: the table is rebuilt with AUTOINCREMENT, whose counter never goes back, started
  above every id a meeting (or a removed meeting's history) has had.
- PostgreSQL: the table's own sequence, moved past every such id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HIGHEST = (
    "SELECT max(n) FROM (SELECT max(id) AS n FROM meetings UNION ALL "
    "SELECT max(entity_id) FROM history WHERE entity = 'meeting') AS used"
)


def upgrade() -> None:
    bind = op.get_bind()
    highest = bind.execute(sa.text(HIGHEST)).scalar() or 0
    if bind.dialect.name == "sqlite":
        with op.batch_alter_table(
            "meetings", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch:
            batch.alter_column("id", existing_type=sa.Integer(), autoincrement=True)
        if highest:
            op.execute("DELETE FROM sqlite_sequence WHERE name = 'meetings'")
            op.execute(f"INSERT INTO sqlite_sequence (name, seq) VALUES ('meetings', {int(highest)})")
        return
    op.execute(
        f"SELECT setval(pg_get_serial_sequence('meetings', 'id'), {max(int(highest), 1)}, {bool(highest)})"
    )


def downgrade() -> None:
    """The counter is left as it is: giving an id twice is what this revision prevents."""
