"""A review's type may be "To confirm": an import creates the reviews a log names even where
the log never says whether each is an SCR, an LCSPR or another kind

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ["SCR", "LCSPR", "Rapid Review", "Thematic Review", "DHR", "Inspection", "Section 11 audit",
         "Multi-agency audit"]  # fmt: skip


def _kind(values: list[str]) -> sa.Enum:
    return sa.Enum(*values, name="review_kind", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # The kind is a VARCHAR with a CHECK of its values; SQLite changes a CHECK only by copying
    # the table (batch mode), which keeps every row and the items that point at them.
    with op.batch_alter_table("reviews") as batch:
        batch.alter_column("kind", existing_type=_kind(KINDS), type_=_kind([*KINDS, "To confirm"]),
                           existing_nullable=False)  # fmt: skip


def downgrade() -> None:
    op.execute("UPDATE reviews SET kind = 'LCSPR' WHERE kind = 'To confirm'")
    with op.batch_alter_table("reviews") as batch:
        batch.alter_column("kind", existing_type=_kind([*KINDS, "To confirm"]), type_=_kind(KINDS),
                           existing_nullable=False)  # fmt: skip
