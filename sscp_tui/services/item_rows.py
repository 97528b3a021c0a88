"""A log row made from its columns: the source's label, the alerts, the days overdue.

Plain Python, no SQLAlchemy: the first screen is drawn from plain sqlite3 reads
(``first_look``) before SQLAlchemy is loaded, and those rows must be the same as the store's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sscp_tui.db.enums import Rating, ReviewKind
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.records import AlertKind, ItemRow
from sscp_tui.text_safety import shown


def source_label(
    review_kind: ReviewKind | None,
    review_title: str | None,
    review_year: int | None,
    plan_title: str | None,
    priority_number: str | None,
) -> str:
    if review_title is not None and review_kind is not None:
        return review_label(review_kind, review_title, review_year)
    if plan_title is not None:
        return f"{plan_title} › Priority {priority_number}"
    return ""


def review_label(kind: ReviewKind, title: str, year: int | None) -> str:
    """ "SCR Child A (2019)"; a title that already names its kind is not repeated."""
    words = title.casefold()
    named = (
        kind is ReviewKind.TO_CONFIRM  # its type is not known: the title alone
        or kind.value.casefold() in words
        or (kind is ReviewKind.INSPECTION and "inspection" in words)
    )
    head = title if named else f"{kind.value} {title}"
    return f"{head} ({year})" if year and str(year) not in title else head


def awaiting_impact_since(
    rating: Rating | None,
    evidence_completion: str,
    evidence_impact: str,
    delivered_on: date | None,
    last_update_on: date | None,
    created_on: date,
) -> date | None:
    """Since when an item has been delivered (Green, with evidence of completion) and waited
    for evidence of impact; None when it is not waiting."""
    if not awaits_impact(rating, evidence_completion, evidence_impact):
        return None
    return delivered_on or last_update_on or created_on


def awaits_impact(rating: Rating | None, evidence_completion: str, evidence_impact: str) -> bool:
    """Delivered (Green, with evidence of completion) and without evidence of impact yet."""
    return (
        rating is Rating.GREEN
        and bool((evidence_completion or "").strip())
        and not (evidence_impact or "").strip()
    )


def build_rows(
    rows: Iterable[Sequence[Any]], themes: Mapping[int, tuple[str, ...]], rules: AlertRules
) -> tuple[ItemRow, ...]:
    """Log rows from the columns of ``queries._row_columns``, in that order, with their alerts
    worked out. The store's reads and the first look (plain sqlite3) share it."""
    labels: dict[tuple[Any, ...], str] = {}  # a review's label is made once, not once per item
    as_of, for_item, overdue_kind = rules.as_of, rules.for_item, AlertKind.OVERDUE
    result = []
    # Rows are unpacked by position (the order of _row_columns): a SQLAlchemy Row's named
    # attributes cost most of a microsecond each, which at 25 a row was most of this loop.
    for (item_id, kind, reference, text, timescale, due_on, rating, last_update_on, created_on,
         evidence_completion, review_kind, review_title, review_year, lead_short, priority_number,
         plan_title, revisions, delivered_on, evidence_impact) in rows:  # fmt: skip
        where = (review_kind, review_title, review_year, plan_title, priority_number)
        source = labels.get(where)
        if source is None:
            source = labels[where] = shown(source_label(*where))
        since = awaiting_impact_since(
            rating, evidence_completion, evidence_impact, delivered_on, last_update_on, created_on
        )
        alerts = for_item(
            rating=rating,
            due_on=due_on,
            last_update_on=last_update_on,
            created_on=created_on,
            evidence_completion=evidence_completion,
        )
        result.append(
            ItemRow(
                id=item_id,
                kind=kind,
                source=source,
                review_kind=review_kind,
                # Shown as text, whatever an older database holds (see text_safety).
                reference=shown(reference),
                text=shown(text),
                themes=tuple(map(shown, themes.get(item_id, ()))),
                lead_agency=shown(lead_short) if lead_short else lead_short,
                timescale=shown(timescale) if timescale else timescale,
                due_on=due_on,
                rating=rating,
                last_update_on=last_update_on,
                alerts=alerts,
                days_overdue=(as_of - due_on).days if overdue_kind in alerts else None,
                revisions=revisions or 0,
                awaiting_impact_since=since,
                awaiting_days=(as_of - since).days if since else None,
            )
        )
    return tuple(result)
