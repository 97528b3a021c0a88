"""Alert rules in Python, for a row (their SQL twin, for filtering and counting, is in
``alert_sql``; a test checks that both agree on every demo item at several as-of dates).

Nothing here loads SQLAlchemy: the first screen works out its rows' alerts before it is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sscp_tui.db.enums import Rating
from sscp_tui.services.records import AlertKind

if TYPE_CHECKING:
    from sscp_tui.config import Settings


@dataclass(frozen=True, slots=True)
class AlertRules:
    as_of: date
    due_soon_days: int = 28
    stale_days: int = 90
    # Worked out once: for_item runs for every item of a pack or an export.
    due_soon_until: date = field(init=False, repr=False, compare=False)
    stale_before: date = field(init=False, repr=False, compare=False)

    @classmethod
    def of(cls, settings: Settings, as_of: date) -> AlertRules:
        """The rules the partnership configured (its due-soon and staleness windows), as of a day."""
        return cls(as_of, settings.due_soon_days, settings.stale_days)

    def __post_init__(self) -> None:
        object.__setattr__(self, "due_soon_until", self.as_of + timedelta(days=self.due_soon_days))
        object.__setattr__(self, "stale_before", self.as_of - timedelta(days=self.stale_days))

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


def tally_by_rating(
    groups: Iterable[Sequence[Any]],
) -> tuple[dict[Rating | None, int], dict[AlertKind, int]]:
    """Items by rating and by alert, from one row per rating: its count, then how many are
    overdue, due soon, without a timescale and stale. Blue items raise none of these; a Green
    item overdue is also inconsistent. ("Blue without evidence" is counted by the caller.)"""
    ratings: dict[Rating | None, int] = {}
    counts = dict.fromkeys(AlertKind, 0)
    for rating, total, late, soon, undated, stale in groups:
        ratings[rating] = total
        if rating is Rating.BLUE:
            continue
        counts[AlertKind.OVERDUE] += late or 0
        counts[AlertKind.DUE_SOON] += soon or 0
        counts[AlertKind.NO_TIMESCALE] += undated or 0
        counts[AlertKind.STALE] += stale or 0
        if rating is Rating.GREEN:
            counts[AlertKind.INCONSISTENT] += late or 0
    return ratings, counts


# Worst first, for the chair's pass and the alert listings.
ALERT_SEVERITY: tuple[AlertKind, ...] = (
    AlertKind.OVERDUE,
    AlertKind.INCONSISTENT,
    AlertKind.NO_TIMESCALE,
    AlertKind.STALE,
    AlertKind.DUE_SOON,
)
