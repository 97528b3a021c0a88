"""The exceptions a panel looks at first: each list, which items are on it, and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sscp_tui.db.models import Rating
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.packs.model import (
    ExceptionEntry,
    ExceptionKind,
    ExceptionList,
    PackItem,
    improved,
    long_date,
    shortened,
    worsened,
)
from sscp_tui.services.records import AlertKind, rating_label


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _timescale(text: str, due_on: date | None) -> str:
    written = f"'{text}'" if text else "no timescale"
    return f"{written} (due {long_date(due_on)})" if due_on else written


def _overdue(item: PackItem) -> str | None:
    if AlertKind.OVERDUE not in item.alerts or item.days_overdue is None:
        return None
    return f"{_days(item.days_overdue)} overdue (due {item.due_text})"


def _red(item: PackItem) -> str | None:
    if item.rating is not Rating.RED:
        return None
    parts = [item.movement] if item.movement else []
    parts.append(f"due {item.due_text}" if item.due_on else _timescale(item.timescale, None))
    return "; ".join(parts)


def _worsened(item: PackItem) -> str | None:
    base = item.baseline
    if base is None or not base.existed or not worsened(base.rating, item.rating):
        return None
    return f"{rating_label(base.rating)} → {rating_label(item.rating)}"


def _closure(item: PackItem) -> str | None:
    """Moved to Blue since the last meeting: the board is asked to accept its evidence."""
    base = item.baseline
    if item.rating is not Rating.BLUE or base is None or base.rating is Rating.BLUE:
        return None
    completion = shortened(item.evidence_completion, 300) or "none recorded"
    impact = shortened(item.evidence_impact, 300) or "none recorded"
    moved = f"{rating_label(base.rating)} → Blue" if base.existed else "New, rated Blue"
    return f"{moved}. Evidence of completion: {completion} Evidence of impact: {impact}"


def _improved(item: PackItem) -> str | None:
    base = item.baseline
    if (
        base is None
        or not base.existed
        or item.rating is Rating.BLUE
        or not improved(base.rating, item.rating)
    ):
        return None
    return f"{rating_label(base.rating)} → {rating_label(item.rating)}"


def _revised(item: PackItem) -> str | None:
    base = item.baseline
    if base is None or not base.existed:
        return None
    if (base.timescale, base.due_on) == (item.timescale, item.due_on):
        return None
    if base.timescale == item.timescale:
        old = long_date(base.due_on) if base.due_on else "none"
        new = item.due_text or "none"
        return f"Due date moved from {old} to {new}"
    old_text = _timescale(base.timescale, base.due_on)
    return f"From {old_text} to {_timescale(item.timescale, item.due_on)}"


def _stale(item: PackItem) -> str | None:
    if AlertKind.STALE not in item.alerts:
        return None
    if item.last_update_on is None:
        return "No progress update since it was added to the log"
    return f"Last progress update {long_date(item.last_update_on)}"


def _no_timescale(item: PackItem) -> str | None:
    if AlertKind.NO_TIMESCALE not in item.alerts:
        return None
    return f"Timescale written as '{item.timescale}'" if item.timescale else "No timescale written"


def _inconsistent(item: PackItem) -> str | None:
    if AlertKind.INCONSISTENT not in item.alerts:
        return None
    if item.rating is Rating.BLUE:
        return "Blue, but no evidence of completion is recorded"
    return f"Green, but its due date ({item.due_text}) has passed"


def _revised_often(item: PackItem) -> str | None:
    if item.revisions < 2 or item.rating is Rating.BLUE:
        return None
    return f"Revised {item.revisions} times; now {_timescale(item.timescale, item.due_on)}"


def _awaiting_impact(item: PackItem) -> str | None:
    if item.awaiting_days is None:
        return None
    return f"Delivered {_days(item.awaiting_days)} ago; evidence of completion: {item.evidence_completion}"


def _closed_open(item: PackItem) -> str | None:
    if not item.open_actions:
        return None
    actions = "action" if len(item.open_actions) == 1 else "actions"
    return f"Blue, with {actions} {', '.join(item.open_actions)} still open"


_RULES: tuple[tuple[ExceptionKind, Callable[[PackItem], str | None]], ...] = (
    (ExceptionKind.CLOSURE, _closure),
    (ExceptionKind.OVERDUE, _overdue),
    (ExceptionKind.RED, _red),
    (ExceptionKind.WORSENED, _worsened),
    (ExceptionKind.IMPROVED, _improved),
    (ExceptionKind.REVISED, _revised),
    (ExceptionKind.STALE, _stale),
    (ExceptionKind.NO_TIMESCALE, _no_timescale),
    (ExceptionKind.INCONSISTENT, _inconsistent),
    (ExceptionKind.REVISED_OFTEN, _revised_often),
    (ExceptionKind.AWAITING_IMPACT, _awaiting_impact),
    (ExceptionKind.CLOSED_OPEN, _closed_open),
)


def _explanation(kind: ExceptionKind, rules: AlertRules, previous: date | None) -> str:
    since = (
        f"since the previous meeting on {long_date(previous)}"
        if previous
        else "(no earlier meeting is recorded, so there is nothing to compare with)"
    )
    match kind:
        case ExceptionKind.OVERDUE:
            return "Open items past their due date, longest overdue first."
        case ExceptionKind.RED:
            return (
                "Items rated Red: off track, not started when they should have been, "
                "or overdue without an agreed revised date."
            )
        case ExceptionKind.CLOSURE:
            return (
                f"Items rated Blue {since}: the board is asked to accept the evidence of completion "
                "and of impact each gives, and so close it."
            )
        case ExceptionKind.WORSENED:
            return f"Items whose rating has moved toward Red {since}."
        case ExceptionKind.IMPROVED:
            return (
                f"Items whose rating has moved toward Green {since} (those moved to Blue are listed above)."
            )
        case ExceptionKind.REVISED:
            return f"Items whose timescale or due date has changed {since}."
        case ExceptionKind.STALE:
            return f"Open items with no progress update in the last {rules.stale_days} days."
        case ExceptionKind.NO_TIMESCALE:
            return (
                "Open items with no due date: no timescale written, or one such as "
                "'tbc' or 'ongoing' from which no date follows."
            )
        case ExceptionKind.INCONSISTENT:
            return (
                "Ratings that contradict the facts: Green but past the due date, or Blue without "
                "evidence of completion."
            )
        case ExceptionKind.REVISED_OFTEN:
            return "Open items whose timescale has been revised two or more times, most revised first."
        case ExceptionKind.AWAITING_IMPACT:
            return (
                "Items delivered (Green, with evidence of completion) and waiting for evidence of "
                "impact before they can be closed, longest waiting first."
            )
    return "Recommendations closed (Blue) while some of their actions were still open, as the user confirmed."


def _may_be_listed(item: PackItem) -> bool:
    """A quick test that rules out most closed and on-track items before the rules run."""
    if item.rating is Rating.RED or (item.alerts and item.alerts != {AlertKind.DUE_SOON}):
        return True
    if item.revisions >= 2 or item.awaiting_days is not None or item.open_actions:
        return True
    base = item.baseline
    if base is None:
        return False
    if item.rating is Rating.BLUE and base.rating is not Rating.BLUE:
        return True  # put forward for closure
    if not base.existed:
        return False
    return (base.rating, base.timescale, base.due_on) != (item.rating, item.timescale, item.due_on)


def exception_lists(
    items: Sequence[PackItem], rules: AlertRules, previous: date | None
) -> tuple[ExceptionList, ...]:
    """Every exception list, in the order the panel reads them; empty lists are kept."""
    candidates = [item for item in items if _may_be_listed(item)]
    result = []
    for kind, rule in _RULES:
        entries = []
        for item in candidates:
            detail = rule(item)
            if detail is not None:
                entries.append(ExceptionEntry(item, detail))
        if kind is ExceptionKind.OVERDUE:
            entries.sort(key=lambda e: -(e.item.days_overdue or 0))
        elif kind is ExceptionKind.REVISED_OFTEN:
            entries.sort(key=lambda e: -e.item.revisions)
        elif kind is ExceptionKind.AWAITING_IMPACT:
            entries.sort(key=lambda e: -(e.item.awaiting_days or 0))
        result.append(ExceptionList(kind, _explanation(kind, rules, previous), tuple(entries)))
    return tuple(result)
