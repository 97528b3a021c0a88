"""The meeting pack as plain, frozen data: computed once, then written in any format.

A :class:`Pack` is a tree of dataclasses — cover, summary, exceptions, the log in sections,
an appendix per agency — holding only text, dates, numbers and enums. The renderers read it
and never touch the database, so every format says the same thing.

Nothing changes a pack once it is built. The records made once per item (PackItem, its
Baseline, UpdateNote and ExceptionEntry) are nonetheless not frozen: a frozen dataclass sets
each field through object.__setattr__, which made 10,000 items cost 45 ms apiece against 6.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sscp_tui.db.models import ItemKind, Rating
from sscp_tui.services.records import RATING_ORDER, AlertKind, rating_label

Progress = Callable[[str, float], None]
"""Told what the pack is doing (one short sentence) and how far along it is (0.0 to 1.0).

Called from whatever thread generates the pack; a screen should hand it on to the UI
thread (for instance with ``App.call_from_thread``) rather than touch widgets directly.
"""


class PackError(Exception):
    """The pack cannot be made or written; the message is one sentence for the user."""


class GroupBy(enum.StrEnum):
    REVIEW = "review"
    AGENCY = "agency"


class PackFormat(enum.StrEnum):
    DOCX = "docx"
    HTML = "html"
    MARKDOWN = "md"
    XLSX = "xlsx"

    @property
    def label(self) -> str:
        return _FORMAT_LABELS[self]

    @property
    def suffix(self) -> str:
        return f".{self.value}"


_FORMAT_LABELS = {
    PackFormat.DOCX: "Word document",
    PackFormat.HTML: "web page",
    PackFormat.MARKDOWN: "Markdown file",
    PackFormat.XLSX: "spreadsheet",
}

# Worst first, as the panel reads them. Blue is "complete", so leaving Blue is a worsening.
_SEVERITY = {Rating.BLUE: 0, Rating.GREEN: 1, Rating.AMBER: 2, Rating.RED: 3}


SHORT_TEXT = 140  # characters of an item's text an exception row shows


def shortened(text: str, most: int = SHORT_TEXT) -> str:
    """``text`` on one line, cut at a word before ``most`` characters with "…" where longer."""
    flat = " ".join(text.split())
    if len(flat) <= most:
        return flat
    cut = flat[: most - 1].rsplit(" ", 1)[0] if " " in flat[: most - 1] else flat[: most - 1]
    return cut.rstrip(" ,;:.") + "…"


def worsened(before: Rating | None, after: Rating | None) -> bool:
    """Whether a rating moved toward Red. Gaining or losing a rating is not a worsening."""
    if before is None or after is None:
        return False
    return _SEVERITY[after] > _SEVERITY[before]


def improved(before: Rating | None, after: Rating | None) -> bool:
    if before is None or after is None:
        return False
    return _SEVERITY[after] < _SEVERITY[before]


@dataclass(slots=True)  # not frozen, for speed: see the module's note
class UpdateNote:
    """The latest progress update an item had on the pack's date."""

    written_on: date
    author: str
    text: str


@dataclass(slots=True)  # not frozen, for speed: see the module's note
class PackItem:
    """One recommendation or action as it stood on the pack's date."""

    id: int
    kind: ItemKind
    source: str  # the review's label, or "Plan › Priority n"
    reference: str
    text: str
    lead_agency: str | None  # short name
    lead_agency_name: str | None
    timescale: str
    due_on: date | None
    rating: Rating | None
    # The position at the previous meeting: None when no earlier meeting is recorded.
    baseline: Baseline | None
    alerts: frozenset[AlertKind]
    days_overdue: int | None
    latest_update: UpdateNote | None
    last_update_on: date | None
    evidence_completion: str
    evidence_impact: str = ""
    revisions: int = 0  # times its timescale had been revised by the pack's date
    awaiting_days: int | None = None  # delivered (Green, evidence) awaiting evidence of impact: days
    open_actions: tuple[str, ...] = ()  # a Blue recommendation's actions still open
    illustrative: bool = False  # not a real record: some or all of its detail was made up

    @property
    def reference_label(self) -> str:
        """The reference as a pack shows it, "3 (illustrative)" for an item that is not real."""
        return f"{self.reference} {ILLUSTRATIVE_LABEL}" if self.illustrative else self.reference

    @property
    def rating_label(self) -> str:
        return rating_label(self.rating)

    @property
    def label(self) -> str:
        """How the item is named in messages: "SCR Child A (2019) recommendation 1"."""
        return f"{self.source} {self.kind.value} {self.reference}".strip()

    @property
    def movement(self) -> str:
        """The rating's movement since the previous meeting, in words for the log."""
        base = self.baseline
        if base is None:
            return ""
        if not base.existed:
            return "New since the last meeting"
        if base.rating == self.rating:
            return "No change"
        was = rating_label(base.rating)
        if worsened(base.rating, self.rating):
            return f"Worse: was {was}"
        if improved(base.rating, self.rating):
            return f"Better: was {was}"
        if base.rating is None:
            return "Rated since the last meeting: was Unrated"
        return f"Rating withdrawn: was {was}"

    @property
    def due_text(self) -> str:
        return long_date(self.due_on) if self.due_on else ""


@dataclass(slots=True)  # not frozen, for speed: see the module's note
class Baseline:
    """An item at the previous meeting: whether it was in the log, its rating and timescale."""

    existed: bool
    rating: Rating | None = None
    timescale: str = ""
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class Cover:
    title: str
    group: str
    meeting_on: date
    meeting_recorded: bool
    previous_meeting: date | None
    scope: str
    grouping: str
    protective_marking: str
    as_of: date
    generated_at: datetime
    database: str
    item_count: int
    notes: tuple[str, ...]  # sentences the cover must carry (an unrecorded meeting, …)


@dataclass(frozen=True, slots=True)
class RatingCount:
    rating: Rating | None
    now: int
    previous: int | None  # None when there is no earlier meeting

    @property
    def label(self) -> str:
        return rating_label(self.rating)

    @property
    def change(self) -> str:
        if self.previous is None:
            return ""
        difference = self.now - self.previous
        return f"{difference:+d}".replace("-", "\u2212") if difference else "0"  # a true minus sign


@dataclass(frozen=True, slots=True)
class Movement:
    before: Rating | None
    after: Rating | None
    count: int

    @property
    def label(self) -> str:
        return f"{rating_label(self.before)} → {rating_label(self.after)}"

    @property
    def direction(self) -> str:
        if worsened(self.before, self.after):
            return "worse"
        if improved(self.before, self.after):
            return "better"
        return "changed"


@dataclass(frozen=True, slots=True)
class Summary:
    counts: tuple[RatingCount, ...]  # Red, Amber, Green, Blue, Unrated
    total_now: int
    total_previous: int | None
    previous_meeting: date | None
    movements: tuple[Movement, ...]
    new_items: int  # in the log now, not at the previous meeting
    gone_items: int  # at the previous meeting, not in the log now
    alerts: tuple[tuple[AlertKind, int], ...]

    @property
    def comparison(self) -> str:
        if self.previous_meeting is None:
            return "No earlier meeting of this group is recorded, so no movements are shown."
        return f"Compared with the previous meeting on {long_date(self.previous_meeting)}."


class ExceptionKind(enum.StrEnum):
    CLOSURE = "put forward for closure"
    OVERDUE = "overdue"
    RED = "red"
    WORSENED = "worsened"
    IMPROVED = "improved"
    REVISED = "revised"
    STALE = "stale"
    NO_TIMESCALE = "no timescale"
    INCONSISTENT = "inconsistent"
    REVISED_OFTEN = "revised often"
    AWAITING_IMPACT = "awaiting impact"
    CLOSED_OPEN = "closed with open actions"

    @property
    def heading(self) -> str:
        return _EXCEPTION_TITLES[self]


_EXCEPTION_TITLES = {
    ExceptionKind.CLOSURE: "Put forward for closure (moved to Blue since the last meeting)",
    ExceptionKind.IMPROVED: "Rating improved since the last meeting",
    ExceptionKind.OVERDUE: "Overdue",
    ExceptionKind.RED: "Rated Red",
    ExceptionKind.WORSENED: "Rating worsened since the last meeting",
    ExceptionKind.REVISED: "Timescale revised since the last meeting",
    ExceptionKind.STALE: "Stale (no recent progress update)",
    ExceptionKind.NO_TIMESCALE: "No timescale",
    ExceptionKind.INCONSISTENT: "Inconsistent (the rating is at odds with the facts)",
    ExceptionKind.REVISED_OFTEN: "Timescale revised two or more times",
    ExceptionKind.AWAITING_IMPACT: "Delivered, awaiting evidence of impact",
    ExceptionKind.CLOSED_OPEN: "Closed while some of its actions were open",
}


@dataclass(slots=True)  # not frozen, for speed: see the module's note
class ExceptionEntry:
    item: PackItem
    detail: str


@dataclass(frozen=True, slots=True)
class ExceptionList:
    kind: ExceptionKind
    explanation: str
    entries: tuple[ExceptionEntry, ...]

    @property
    def title(self) -> str:
        return self.kind.heading


@dataclass(frozen=True, slots=True)
class Section:
    """One group of the log: a review (or plan priority), or a lead agency."""

    title: str
    items: tuple[PackItem, ...]


@dataclass(frozen=True, slots=True)
class AgencyAppendix:
    short_name: str
    name: str
    items: tuple[PackItem, ...]
    alerts: tuple[tuple[AlertKind, int], ...]

    @property
    def title(self) -> str:
        return self.name if self.name == self.short_name else f"{self.name} ({self.short_name})"


@dataclass(frozen=True, slots=True)
class Finding:
    """A listed word found in the pack, and where."""

    word: str
    where: str


@dataclass(frozen=True, slots=True)
class Pack:
    cover: Cover
    summary: Summary
    exceptions: tuple[ExceptionList, ...]
    sections: tuple[Section, ...]
    appendix: tuple[AgencyAppendix, ...]
    by: GroupBy
    findings: tuple[Finding, ...]
    words_checked: int

    @property
    def items(self) -> tuple[PackItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def check_note(self) -> str:
        """What the pseudonym check found, for the cover (never naming the words)."""
        if not self.words_checked:
            return "Pseudonym check: no list of words to exclude is configured."
        if not self.findings and self.words_checked == 1:
            return "Pseudonym check: the one listed word does not appear in this pack."
        if not self.findings:
            return f"Pseudonym check: none of the {self.words_checked} listed words appears in this pack."
        count = len(self.findings)
        times = "once" if count == 1 else f"{count} times"
        return (
            f"Pseudonym check: listed words appear {times} in this pack; it was written only "
            "because that was explicitly allowed."
        )


@lru_cache(maxsize=4096)  # every format writes each item's dates; a log has a few hundred days
def long_date(day: date) -> str:
    """28 Nov 2026: British order, no leading zero."""
    return f"{day.day} {day:%b %Y}"


def long_datetime(moment: datetime) -> str:
    return f"{long_date(moment.date())} at {moment:%H:%M}"


RATINGS_SHOWN: tuple[Rating | None, ...] = RATING_ORDER

# How a pack marks an illustrative item after its reference, and what its cover says of them.
ILLUSTRATIVE_LABEL = "(illustrative)"
ILLUSTRATIVE_NOTE = (
    f"Items marked {ILLUSTRATIVE_LABEL} are not real records: some or all of their detail was made up "
    "for a demonstration, and each one's page in the tracker says what."
)

# One palette for every format: (fill, text colour), as RRGGBB hex. Labels always accompany
# the colour, so a pack printed in black and white still reads.
RATING_COLOURS: dict[Rating | None, tuple[str, str]] = {
    Rating.RED: ("C00000", "FFFFFF"),
    Rating.AMBER: ("FFC000", "000000"),
    Rating.GREEN: ("00B050", "000000"),
    Rating.BLUE: ("0070C0", "FFFFFF"),
    None: ("D9D9D9", "000000"),
}
