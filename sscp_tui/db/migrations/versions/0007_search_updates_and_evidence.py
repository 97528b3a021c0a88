"""Search looks in an item's evidence and its latest progress update too: every item's
search words are composed again to include them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 2000


def upgrade() -> None:
    # The same composition as services.edits.compose_search_words, frozen here as it stands
    # at this revision. The words' table keeps its full-text index in step by its triggers.
    _compose(
        "items.evidence_completion, items.evidence_impact, "
        "(SELECT p.text FROM progress_updates p WHERE p.item_id = items.id "
        " ORDER BY p.written_on DESC, p.id DESC LIMIT 1)"
    )


def downgrade() -> None:
    _compose()  # as revision 0002 composed them: reference, text, owner, review title


def _compose(more: str = "") -> None:
    """Every item's search words again: its reference, text, owner, review title and ``more``
    columns, the empty ones left out, lower-cased."""
    bind = op.get_bind()
    extra = f", {more}" if more else ""
    rows = bind.execute(
        sa.text(
            f"SELECT items.id, items.reference, items.text, items.owner, reviews.title{extra} "
            "FROM items LEFT OUTER JOIN reviews ON reviews.id = items.review_id"
        )
    ).all()
    words = [
        {"item": row[0], "words": " ".join(str(part) for part in row[1:] if part).casefold()} for row in rows
    ]
    statement = sa.text("UPDATE item_search SET words = :words WHERE item_id = :item")
    for start in range(0, len(words), CHUNK):
        bind.execute(statement, words[start : start + CHUNK])
