"""On PostgreSQL, text columns hold any length, as they do on SQLite

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:40:00

The schema names lengths (a reference of 40 characters, a title of 200) that SQLite records
and never enforces. PostgreSQL enforces them: a long title typed into a form, or a tracker
copied up from SQLite holding one, would fail on the server alone. Every VARCHAR column
becomes TEXT there, so both stores take the same texts; the app's own checks, and the export
formats' limits, are what keep texts within bounds. The columns of choices (ratings, kinds)
keep their CHECK constraints, so nothing but their values is accepted on either store.

SQLite: nothing to do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    columns = bind.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'character varying' "
            "AND table_name <> 'alembic_version' ORDER BY table_name, ordinal_position"
        )
    ).all()
    for table, column in columns:
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE text')


def downgrade() -> None:
    """The lengths are not put back: a text longer than its old limit would have to be cut."""
