"""Alert rules in Python, for a row (their SQL twin, for filtering and counting, is in
``alert_sql``; a test checks that both agree on every demo item at several as-of dates).

Nothing here loads SQLAlchemy: the first screen works out its rows' alerts before it is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sscp_tui.db.enums import Rating
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


# Worst first, for the chair's pass and the alert listings.
ALERT_SEVERITY: tuple[AlertKind, ...] = (
    AlertKind.OVERDUE,
    AlertKind.INCONSISTENT,
    AlertKind.NO_TIMESCALE,
    AlertKind.STALE,
    AlertKind.DUE_SOON,
)
