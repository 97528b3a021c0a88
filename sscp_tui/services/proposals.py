"""Ratings proposed in progress updates and not yet answered, read in SQL for the log's
"Proposed" column and its "proposals pending" filter.

The rule is the chair's pass's (``screens.chair.pending_proposal``): an item's latest progress
update (withdrawn ones aside; the latest by the day it was written, then as entered) proposes a
rating other than the item's own, and no rating has been recorded on a later day than that
update was written. Proposals are few, so the statement starts from the updates that make one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from sscp_tui.db import id_lists
from sscp_tui.db.models import HistoryEntry, ProgressUpdate, Rating, TrackedItem


@cache
def _pending(among_ids_on: str | None = None) -> Select[int, Rating | None]:
    """(item id, proposed rating) for every item with a proposal pending; with a dialect's
    name, only for the ids bound as ``ids`` (see db.id_lists)."""
    update = aliased(ProgressUpdate, name="proposing")
    later = aliased(ProgressUpdate, name="later_update")
    item = aliased(TrackedItem, name="proposed_for")
    newer = exists().where(
        later.item_id == update.item_id,
        later.withdrawn_at.is_(None),
        or_(
            later.written_on > update.written_on,
            and_(later.written_on == update.written_on, later.id > update.id),
        ),
    )
    rated_since = exists().where(
        HistoryEntry.entity == "item",
        HistoryEntry.entity_id == update.item_id,
        HistoryEntry.field == "rating",
        func.date(HistoryEntry.changed_at) > update.written_on,
    )
    conditions = [
        update.proposed_rating.is_not(None),
        update.withdrawn_at.is_(None),
        or_(item.rating.is_(None), item.rating != update.proposed_rating),
        ~newer,
        ~rated_since,
    ]
    if among_ids_on is not None:
        conditions.append(id_lists.among(update.item_id, among_ids_on))
    return (
        select(update.item_id, update.proposed_rating)
        .join(item, item.id == update.item_id)
        .where(*conditions)
    )


def pending_sql() -> ColumnElement[bool]:
    """A condition on TrackedItem: a proposal is pending on it."""
    return TrackedItem.id.in_(select(_pending().subquery().c.item_id))


def proposals_for(session: Session, ids: Sequence[int]) -> dict[int, Rating]:
    """The rating each of ``ids`` has pending, for those that have one."""
    if not ids:
        return {}
    connection = session.connection()
    statement = _pending(connection.dialect.name)
    found = connection.execute(statement, {"ids": list(ids)})
    return {item_id: rating for item_id, rating in found if rating is not None}
