"""Alert rules, once: as SQL conditions for filtering and counting, and in Python for a row.

A test checks that both agree on every demo item at several as-of dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, or_

from sscp_tui.db.models import Rating, TrackedItem
from sscp_tui.services.records import AlertKind


@dataclass(frozen=True, slots=True)
class AlertRules:
    as_of: date
    due_soon_days: int = 28
    stale_days: int = 90

    @property
    def due_soon_until(self) -> date:
        return self.as_of + timedelta(days=self.due_soon_days)

    @property
    def stale_before(self) -> date:
        return self.as_of - timedelta(days=self.stale_days)

    # --- SQL -------------------------------------------------------------------------------
    def sql(self, kind: AlertKind) -> ColumnElement[bool]:
        item = TrackedItem
        is_open = is_open_sql()
        if kind is AlertKind.OVERDUE:
            return and_(is_open, item.due_on.is_not(None), item.due_on < self.as_of)
        if kind is AlertKind.DUE_SOON:
            return and_(is_open, item.due_on >= self.as_of, item.due_on <= self.due_soon_until)
        if kind is AlertKind.NO_TIMESCALE:
            return and_(is_open, item.due_on.is_(None))
        if kind is AlertKind.STALE:
            last = func.coalesce(item.last_update_on, item.created_on)
            return and_(is_open, last < self.stale_before)
        return or_(
            and_(item.rating == Rating.GREEN, item.due_on < self.as_of),
            and_(item.rating == Rating.BLUE, item.evidenced.is_(False)),
        )

    def any_sql(self) -> ColumnElement[bool]:
        return or_(*(self.sql(kind) for kind in AlertKind))

    # --- Python ----------------------------------------------------------------------------
    def for_item(
        self,
        *,
        rating: Rating | None,
        due_on: date | None,
        last_update_on: date | None,
        created_on: date,
        evidence_completion: str,
    ) -> frozenset[AlertKind]:
        found: set[AlertKind] = set()
        if rating is not Rating.BLUE:
            if due_on is None:
                found.add(AlertKind.NO_TIMESCALE)
            elif due_on < self.as_of:
                found.add(AlertKind.OVERDUE)
            elif due_on <= self.due_soon_until:
                found.add(AlertKind.DUE_SOON)
            if (last_update_on or created_on) < self.stale_before:
                found.add(AlertKind.STALE)
        if rating is Rating.GREEN and due_on is not None and due_on < self.as_of:
            found.add(AlertKind.INCONSISTENT)
        if rating is Rating.BLUE and not evidence_completion.strip():
            found.add(AlertKind.INCONSISTENT)
        return frozenset(found)


def is_open_sql() -> ColumnElement[bool]:
    return or_(TrackedItem.rating.is_(None), TrackedItem.rating != Rating.BLUE)


# Worst first, for the chair's pass and the alert listings.
ALERT_SEVERITY: tuple[AlertKind, ...] = (
    AlertKind.OVERDUE,
    AlertKind.INCONSISTENT,
    AlertKind.NO_TIMESCALE,
    AlertKind.STALE,
    AlertKind.DUE_SOON,
)
