"""History is append-only in the database itself: triggers refuse any UPDATE or DELETE of a
history row, whichever program sends it (the app's ORM already refuses; raw SQL, another
client or a script did not)

There is no exception: nothing in sscp-tui changes or removes a history row. A correction is
a new row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "history is append-only: a history row cannot be changed or deleted"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER history_append_only_{event.lower()} BEFORE {event} ON history "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        return
    # PostgreSQL: one function, raised from a row trigger for each (and from TRUNCATE).
    op.execute(
        "CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$"
    )
    op.execute(
        "CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history "
        "FOR EACH ROW EXECUTE FUNCTION history_append_only()"
    )
    op.execute(
        "CREATE TRIGGER history_append_only_truncate BEFORE TRUNCATE ON history "
        "FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS history_append_only_update")
        op.execute("DROP TRIGGER IF EXISTS history_append_only_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS history_append_only_truncate ON history")
    op.execute("DROP TRIGGER IF EXISTS history_append_only ON history")
    op.execute("DROP FUNCTION IF EXISTS history_append_only()")
