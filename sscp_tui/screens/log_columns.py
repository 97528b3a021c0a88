"""The log's columns: label, width, the sort they map to, and how a row renders in each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rich.text import Text

from sscp_tui.db.enums import ItemKind
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.records import ItemRow, SortKey
from sscp_tui.widgets.rating import ALERT_MARKS, rating_text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None
    sort: SortKey | None
    render: Callable[[ItemRow, Mapping[str, str]], Text]
    optional: bool = True
    by_default: bool = True  # else shown only once chosen (c): its reading costs a query


def _due(row: ItemRow, _v: Mapping[str, str]) -> Text:
    if row.due_on:
        return Text(f"{row.due_on:%d %b %Y}")
    return Text(row.timescale or "none", style="italic")


def _overdue(row: ItemRow, _v: Mapping[str, str]) -> Text:
    return Text(f"{row.days_overdue} d", style="bold") if row.days_overdue else Text("")


def _alerts(row: ItemRow, _v: Mapping[str, str]) -> Text:
    return Text(", ".join(ALERT_MARKS[k] for k in ALERT_SEVERITY if k in row.alerts))


def _revised(row: ItemRow, _v: Mapping[str, str]) -> Text:
    return (
        Text(f"{row.revisions}×", style="bold" if row.revisions >= 2 else "") if row.revisions else Text("")
    )


def _awaiting(row: ItemRow, _v: Mapping[str, str]) -> Text:
    """Delivered and waiting for evidence of impact: for how long."""
    return Text(f"{row.awaiting_days} d") if row.awaiting_days is not None else Text("")


def _proposed(row: ItemRow, variables: Mapping[str, str]) -> Text:
    """The rating proposed in the latest update and not yet answered (y confirms it in the pass)."""
    return rating_text(row.proposed, variables) if row.proposed is not None else Text("")


def _theme(row: ItemRow, _v: Mapping[str, str]) -> Text:
    if not row.themes:
        return Text("")
    more = f" +{len(row.themes) - 1}" if len(row.themes) > 1 else ""
    return Text(row.themes[0] + more)


def _one_line(text: str) -> str:
    return " ".join(text.split())


COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", 7, SortKey.REFERENCE, lambda r, v: Text(r.reference), optional=False),
    Column("rating", "Rating", 9, SortKey.RATING, lambda r, v: rating_text(r.rating, v),
           optional=False),
    Column("proposed", "Proposed", 9, None, _proposed, by_default=False),  # beside the rating it would change
    Column("review", "Review", 26, SortKey.REVIEW, lambda r, v: Text(r.source)),
    Column("lead", "Lead", 8, SortKey.LEAD_AGENCY, lambda r, v: Text(r.lead_agency or "—")),
    Column("due", "Due", 12, SortKey.DUE, _due),
    Column("overdue", "Overdue", 7, SortKey.OVERDUE, _overdue),
    Column("kind", "Kind", 6, SortKey.KIND,
           lambda r, v: Text("Rec" if r.kind is ItemKind.RECOMMENDATION else "Action")),
    Column("theme", "Theme", 18, SortKey.THEME, _theme),
    Column("update", "Updated", 11, SortKey.LAST_UPDATE,
           lambda r, v: Text(f"{r.last_update_on:%d %b %Y}" if r.last_update_on else "never")),
    Column("alerts", "Alerts", 16, SortKey.ALERTS, _alerts),
    Column("revised", "Revised", 7, SortKey.REVISIONS, _revised),
    Column("awaiting", "Impact?", 7, SortKey.AWAITING, _awaiting),
    # A fixed width: an auto-width column as wide as the longest text made every row slow to paint.
    Column("text", "Recommendation / action", 90, None, lambda r, v: Text(_one_line(r.text)[:160])),
)  # fmt: skip
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
