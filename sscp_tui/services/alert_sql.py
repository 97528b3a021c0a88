"""Alert rules as SQL conditions, for filtering and counting (their Python twin, for a row, is
``AlertRules.for_item``; a test checks that both agree)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_

from sscp_tui.db.models import Rating, TrackedItem
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.records import AlertKind


def alert_sql(rules: AlertRules, kind: AlertKind) -> ColumnElement[bool]:
    item = TrackedItem
    is_open = is_open_sql()
    if kind is AlertKind.OVERDUE:
        return and_(is_open, item.due_on.is_not(None), item.due_on < rules.as_of)
    if kind is AlertKind.DUE_SOON:
        return and_(is_open, item.due_on >= rules.as_of, item.due_on <= rules.due_soon_until)
    if kind is AlertKind.NO_TIMESCALE:
        return and_(is_open, item.due_on.is_(None))
    if kind is AlertKind.STALE:
        last = func.coalesce(item.last_update_on, item.created_on)
        return and_(is_open, last < rules.stale_before)
    return or_(
        and_(item.rating == Rating.GREEN, item.due_on < rules.as_of),
        and_(item.rating == Rating.BLUE, item.evidenced.is_(False)),
    )


def awaiting_impact_sql() -> ColumnElement[bool]:
    """Delivered (Green, with evidence of completion), awaiting evidence of impact (the SQL
    twin of item_rows.awaiting_impact_since)."""
    item = TrackedItem
    return and_(item.rating == Rating.GREEN, item.evidenced.is_(True), func.trim(item.evidence_impact) == "")


def any_alert_sql(rules: AlertRules) -> ColumnElement[bool]:
    return or_(*(alert_sql(rules, kind) for kind in AlertKind))


def is_open_sql() -> ColumnElement[bool]:
    return or_(TrackedItem.rating.is_(None), TrackedItem.rating != Rating.BLUE)
