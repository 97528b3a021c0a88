"""The pack's reading order as a flat list of blocks, so every format says the same thing.

The Word, web page and Markdown renderers walk :func:`outline` and turn each block into their
own markup; the spreadsheet takes the same tables for its two sheets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sscp_tui.db.models import Rating
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.packs.model import (
    AgencyAppendix,
    ExceptionKind,
    ExceptionList,
    GroupBy,
    Pack,
    PackItem,
    Section,
    long_date,
    long_datetime,
    shortened,
)
from sscp_tui.services.records import AlertKind, rating_label


@dataclass(frozen=True, slots=True)
class RatingCell:
    """A cell that shows a rating: shaded in its colour, always with its name."""

    rating: Rating | None

    @property
    def text(self) -> str:
        return rating_label(self.rating)


Cell = str | RatingCell

# One cell per rating, shared by every table: a pack has 30,000 rating cells.
_RATING_CELL = {rating: RatingCell(rating) for rating in (None, *Rating)}


def cell_text(cell: Cell) -> str:
    return cell.text if isinstance(cell, RatingCell) else cell


@dataclass(frozen=True, slots=True)
class Part:
    """The start of a part of the pack; Word starts a new section, landscape for the log."""

    name: str
    landscape: bool = False


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 0 is the title
    text: str
    new_page: bool = False  # printed at the top of a new page (an agency's appendix, to hand on)


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Facts:
    """Label and value pairs (the cover)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    # A line above the headings, repeated with them on every printed page the table runs to:
    # the log's review (or agency), so a page taken from the middle still says whose items.
    caption: str = ""


Block = Part | Heading | Para | Facts | Table


def update_text(item: PackItem) -> str:
    note = item.latest_update
    if note is None:
        return "No progress update recorded."
    return f"{long_date(note.written_on)}, {note.author}: {note.text}"


def due_text(item: PackItem) -> str:
    return item.due_text or "—"


def cover_facts(pack: Pack) -> Facts:
    cover = pack.cover
    meeting = f"{cover.group}, {long_date(cover.meeting_on)}"
    if not cover.meeting_recorded:
        meeting += " (this meeting is not recorded in the tracker)"
    previous = long_date(cover.previous_meeting) if cover.previous_meeting else "none recorded"
    return Facts(
        (
            ("Protective marking", cover.protective_marking),
            ("Meeting", meeting),
            ("Previous meeting", previous),
            ("Scope", cover.scope),
            ("Position as at", f"the end of {long_date(cover.as_of)}"),
            ("Items in the log", str(cover.item_count)),
            ("Generated", long_datetime(cover.generated_at)),
            ("Tracker", cover.database),
        )
    )


def summary_table(pack: Pack) -> Table:
    summary = pack.summary
    previous = (
        f"At the meeting on {long_date(summary.previous_meeting)}"
        if summary.previous_meeting
        else "At the previous meeting"
    )
    rows: list[tuple[Cell, ...]] = []
    for count in summary.counts:
        before = "—" if count.previous is None else str(count.previous)
        rows.append((RatingCell(count.rating), str(count.now), before, count.change or "—"))
    total_before = "—" if summary.total_previous is None else str(summary.total_previous)
    change = "—"
    if summary.total_previous is not None:
        difference = summary.total_now - summary.total_previous
        change = f"{difference:+d}" if difference else "0"
    rows.append(("All items", str(summary.total_now), total_before, change))
    return Table(("Rating", "Now", previous, "Change"), tuple(rows), (3, 2, 3, 2))


def movement_blocks(pack: Pack) -> Iterator[Block]:
    summary = pack.summary
    yield Heading(2, "Movements since the last meeting")
    yield Para(summary.comparison)
    if summary.previous_meeting is None:
        return
    if summary.movements:
        rows = tuple(
            (RatingCell(m.before), RatingCell(m.after), str(m.count), m.direction) for m in summary.movements
        )
        yield Table(("From", "To", "Items", "Direction"), rows, (2, 2, 1, 2))
    else:
        yield Para("No rating changed between the two meetings.")
    yield Para(
        f"New to the log since the previous meeting: {summary.new_items}. "
        f"In the log then but not now (removed, or no longer in scope): "
        f"{summary.gone_items}."
    )


# What the meeting is asked to decide, by exception list, in the order a chair takes them.
_DECISIONS = (
    (ExceptionKind.CLOSURE, "Accept the evidence of completion and of impact, and close each item"),
    (ExceptionKind.RED, "Agree what is to be done about each item rated Red"),
    (ExceptionKind.OVERDUE, "Agree a revised timescale, or what is to be done, for each overdue item"),
    (ExceptionKind.INCONSISTENT, "Confirm or correct each rating at odds with the facts"),
    (ExceptionKind.AWAITING_IMPACT, "Say what evidence of impact would close each delivered item"),
)


def decisions_table(pack: Pack) -> Table:
    """The decisions the meeting is asked for, each with how many items and where they are
    listed; no rows when there are none."""
    lists = {exceptions.kind: exceptions for exceptions in pack.exceptions}
    rows = tuple(
        (decision, str(len(lists[kind].entries)), f"Exceptions: {kind.heading}")
        for kind, decision in _DECISIONS
        if kind in lists and lists[kind].entries
    )
    return Table(("Decision sought", "Items", "Listed under"), rows, (5, 1, 4))


def contents_table(pack: Pack) -> Table:
    listed = sum(1 for exceptions in pack.exceptions if exceptions.entries)
    agencies = len(pack.appendix)
    rows = (
        (
            "Summary",
            "The ratings now and at the previous meeting, what they mean, what moved, and the alerts.",
        ),
        (
            "Exceptions",
            f"{len(pack.exceptions)} lists, {listed} with items: what the meeting looks at first.",
        ),
        ("The log", f"{len(pack.items)} items, by {pack.by.value} (the scope is given above)."),
        (
            "Appendix",
            f"By lead agency ({agencies}), each on a page of its own with its items' latest progress, "
            "to be handed to that agency.",
        ),
    )
    return Table(("Part", "What it holds"), rows, (1, 5))


RATING_MEANINGS = (
    (Rating.RED, "Off track, not started when it should have been, or overdue with no revised date agreed."),
    (Rating.AMBER, "In progress, with slippage or a risk to its timescale."),
    (Rating.GREEN, "On track; or delivered, and waiting for evidence of its impact."),
    (Rating.BLUE, "Complete, with the evidence accepted: closed."),
    (None, "New, and not yet rated."),
)


def rating_key() -> Table:
    """The key to the ratings, as the summary page gives it."""
    rows = tuple((_RATING_CELL[rating], meaning) for rating, meaning in RATING_MEANINGS)
    return Table(("Rating", "Means"), rows, (1, 6))


def alerts_table(pack: Pack) -> Table:
    rows = tuple((kind.label, str(count)) for kind, count in pack.summary.alerts)
    return Table(("Alert", "Items"), rows, (3, 1))


def exception_table(exceptions: ExceptionList) -> Table:
    """Each row says what the item is — its text, shortened, its lead and latest progress —
    so no one turns to the log to find out."""
    rows = tuple(
        (
            f"{e.item.source} {e.item.reference_label}",
            shortened(e.item.text),
            e.item.lead_agency or "—",
            _RATING_CELL[e.item.rating],
            e.detail,
            update_text(e.item),
        )
        for e in exceptions.entries
    )
    return Table(
        ("Item", "What it says", "Lead", "Rating", "Why it is listed", "Latest progress"),
        rows,
        (3, 5, 1, 1, 3, 5),
    )


def log_table(section: Section, by: GroupBy) -> Table:
    first = ("Ref", "Recommendation or action", "Lead agency")
    widths: tuple[int, ...] = (2, 9, 2)
    if by is GroupBy.AGENCY:
        first = ("Review or plan", "Ref", "Recommendation or action")
        widths = (4, 2, 9)
    rows = []
    for item in section.items:
        lead: Cell = item.lead_agency or "—"
        head: tuple[Cell, ...] = (
            (item.source, item.reference_label, item.text)
            if by is GroupBy.AGENCY
            else (item.reference_label, item.text, lead)
        )
        rows.append(
            (
                *head,
                item.timescale or "—",
                due_text(item),
                _RATING_CELL[item.rating],
                item.movement or "—",
                update_text(item),
            )
        )
    headers = (*first, "Timescale", "Due", "Rating", "Since last meeting", "Latest progress")
    return Table(headers, tuple(rows), (*widths, 2, 2, 2, 3, 9), caption=section.title)


def appendix_sentence(appendix: AgencyAppendix) -> str:
    count = len(appendix.items)
    found = [f"{n} {kind.value}" for kind, n in appendix.alerts if n]
    alerts = "; alerts: " + ", ".join(found) if found else "; no alerts"
    return f"{count} item{'s' if count != 1 else ''} led{alerts}."


@lru_cache(maxsize=256)  # a handful of combinations, over 10,000 rows
def alert_names(alerts: frozenset[AlertKind]) -> str:
    """An item's alerts in words, worst first ("" for none)."""
    return ", ".join(k.value for k in ALERT_SEVERITY if k in alerts)


def appendix_table(appendix: AgencyAppendix) -> Table:
    rows = tuple(
        (
            item.source,
            item.reference_label,
            _RATING_CELL[item.rating],
            due_text(item),
            alert_names(item.alerts) or "—",
            update_text(item),
        )
        for item in appendix.items
    )
    return Table(
        ("Review or plan", "Ref", "Rating", "Due", "Alerts", "Latest progress"), rows, (4, 1, 1, 2, 2, 6)
    )


def outline(pack: Pack) -> Iterator[Block]:
    """Every block of the pack, in reading order."""
    cover = pack.cover
    yield Part("cover")
    yield Heading(0, cover.title)
    yield cover_facts(pack)
    for note in cover.notes:
        yield Para(note, strong=True)
    yield Para(cover.grouping)
    yield Para(pack.check_note)
    yield Heading(2, "Decisions sought")
    decisions = decisions_table(pack)
    yield decisions if decisions.rows else Para("None: the pack is for information.")
    yield Heading(2, "Contents")
    yield contents_table(pack)

    yield Part("summary")
    yield Heading(1, "Summary")
    yield Heading(2, "Ratings now and at the previous meeting")
    yield summary_table(pack)
    yield Heading(2, "What the ratings mean")
    yield rating_key()
    yield from movement_blocks(pack)
    yield Heading(2, f"Alerts on {long_date(cover.as_of)}")
    yield alerts_table(pack)

    yield Heading(1, "Exceptions")
    for exceptions in pack.exceptions:
        yield Heading(2, f"{exceptions.title} ({len(exceptions.entries)})")
        yield Para(exceptions.explanation)
        if exceptions.entries:
            yield exception_table(exceptions)
        else:
            yield Para("None.")

    yield Part("log", landscape=True)
    yield Heading(1, f"The log, by {pack.by.value}")
    if not pack.sections:
        yield Para("No items are in scope.")
    for section in pack.sections:
        count = len(section.items)
        yield Heading(2, f"{section.title} ({count} item{'s' if count != 1 else ''})")
        yield log_table(section, pack.by)

    yield Part("appendix")
    yield Heading(1, "Appendix: by lead agency")
    if not pack.appendix:
        yield Para("No items in scope have a lead agency.")
    for number, appendix in enumerate(pack.appendix):
        yield Heading(2, appendix.title, new_page=number > 0)
        yield Para(appendix_sentence(appendix))
        yield appendix_table(appendix)
