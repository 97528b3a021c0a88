"""Plain, frozen data that crosses from the service layer to the screens and the CLI."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from sscp_tui.db.enums import AgencyKind, ItemKind, Rating, ReviewKind, ReviewStatus
from sscp_tui.text_safety import shown

RATING_ORDER: tuple[Rating | None, ...] = (
    Rating.RED,
    Rating.AMBER,
    Rating.GREEN,
    Rating.BLUE,
    None,
)


def rating_label(rating: Rating | None) -> str:
    return rating.label if rating else "Unrated"


class AlertKind(enum.StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    NO_TIMESCALE = "no timescale"
    STALE = "stale"
    INCONSISTENT = "inconsistent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ItemState(enum.StrEnum):
    OPEN = "open"  # not Blue
    CLOSED = "closed"  # Blue
    ALL = "all"


class SortKey(enum.StrEnum):
    ALERTS = "alerts"  # worst first: overdue longest, then Red, Amber…
    REVIEW = "review"
    REFERENCE = "reference"
    KIND = "kind"
    THEME = "theme"
    LEAD_AGENCY = "lead agency"
    DUE = "due"
    RATING = "rating"
    OVERDUE = "days overdue"
    LAST_UPDATE = "last update"
    REVISIONS = "timescale revisions"  # most revised first
    AWAITING = "awaiting impact"  # longest waiting first


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """What the log shows. Every part is optional and they combine (AND)."""

    agency_id: int | None = None
    lead_only: bool = False  # else lead or supporting
    ratings: frozenset[Rating | None] = frozenset()  # None in the set means unrated
    review_id: int | None = None
    review_kind: ReviewKind | None = None
    theme_id: int | None = None
    alert: AlertKind | None = None
    text: str = ""
    kind: ItemKind | None = None
    priority_id: int | None = None
    state: ItemState = ItemState.OPEN
    revised_at_least: int = 0  # only items whose timescale was revised this many times or more
    awaiting_impact: bool = False  # only items delivered (Green, evidence) awaiting evidence of impact
    proposals: bool = False  # only items with a rating proposed in their latest update, not yet answered

    @property
    def is_empty(self) -> bool:
        return self == ItemFilter()


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    id: int
    name: str
    short_name: str
    kind: AgencyKind
    active: bool

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    id: int
    kind: ReviewKind
    title: str
    year: int | None
    status: ReviewStatus
    commissioned_on: date | None
    published_on: date | None
    closed_on: date | None
    notes: str
    counts: dict[Rating | None, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        from sscp_tui.services.item_rows import review_label

        return review_label(self.kind, self.title, self.year)

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One line of the log."""

    id: int
    kind: ItemKind
    source: str  # the review's label, or "Plan › Priority"
    review_kind: ReviewKind | None
    reference: str
    text: str
    themes: tuple[str, ...]
    lead_agency: str | None  # short name
    timescale: str
    due_on: date | None
    rating: Rating | None
    last_update_on: date | None
    alerts: frozenset[AlertKind]
    days_overdue: int | None
    revisions: int = 0  # how many times its timescale has been revised
    # Delivered (Green, evidence of completion) and awaiting evidence of impact: since when,
    # and for how many days as of the day the alerts are judged.
    awaiting_impact_since: date | None = None
    awaiting_days: int | None = None
    # The rating proposed in its latest update and not yet answered (services.proposals);
    # read only where asked for (the log's "Proposed" column), else None.
    proposed: Rating | None = None


@dataclass(frozen=True, slots=True)
class ProgressUpdateRecord:
    id: int
    written_on: date
    author: str
    text: str
    proposed_rating: Rating | None

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    id: int
    entity: str
    entity_id: int
    field: str
    old_value: str | None
    new_value: str | None
    note: str
    author: str
    changed_at: datetime
    source: str
    batch: str

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class ItemDetail:
    row: ItemRow
    review_id: int | None
    priority_id: int | None
    parent_reference: str | None
    lead_agency_name: str | None
    supporting_agencies: tuple[str, ...]
    original_timescale: str
    original_due_on: date | None
    owner: str
    evidence_completion: str
    evidence_impact: str
    illustrative: bool
    created_on: date
    updates: tuple[ProgressUpdateRecord, ...]
    history: tuple[HistoryRecord, ...]
    children: tuple[ItemRow, ...]

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class Page:
    rows: tuple[ItemRow, ...]
    total: int
    offset: int


@dataclass(frozen=True, slots=True)
class AlertCounts:
    counts: dict[AlertKind, int]

    def __getitem__(self, kind: AlertKind) -> int:
        return self.counts.get(kind, 0)


@dataclass(frozen=True, slots=True)
class AgencyMatrixRow:
    agency_id: int | None
    short_name: str
    name: str
    counts: dict[Rating | None, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    id: int
    group: str
    held_on: date
    notes: str

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class DashboardData:
    """What the dashboard shows: items by rating and by alert over the whole log, the worst
    open items, the agency × rating matrix and the next meeting."""

    ratings: dict[Rating | None, int]
    alerts: AlertCounts
    worst: tuple[ItemRow, ...]
    matrix: list[AgencyMatrixRow]
    next_meeting: MeetingRecord | None


@dataclass(frozen=True, slots=True)
class PriorityRecord:
    id: int
    plan_id: int
    plan_title: str
    number: str
    title: str
    objective: str
    rating: Rating | None

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class PlanRecord:
    id: int
    title: str
    period: str
    starts_on: date | None
    ends_on: date | None
    priorities: tuple[PriorityRecord, ...]

    def __post_init__(self) -> None:
        _shown_strings(self)


@dataclass(frozen=True, slots=True)
class OtherChange:
    """A change another user (or program) saved: who, and when."""

    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """What an edit did: its batch (for undo), how many history rows it wrote, and which items
    it was asked to change (empty for edits that are not to items). ``not_undoable`` says, in
    a sentence, why undo cannot reverse it (adding a review, recording a meeting); empty when
    it can."""

    batch: str
    changed: int
    item_ids: tuple[int, ...] = ()
    not_undoable: str = ""
    # Items asked for and left alone, each changed by someone else since its user looked,
    # said ("User B rated SCR Child D 1.1 Red at 14:02").
    left_alone: tuple[str, ...] = ()

    @property
    def saved_items(self) -> int:
        """How many of the items asked for were saved (the rest were left alone)."""
        return len(self.item_ids) - len(self.left_alone)


def _shown_strings(record: object) -> None:
    """Make a record's text fields safe to show (see text_safety): any control character a
    stored text holds becomes a visible symbol. For the records of which there are few; the
    log's rows are made safe where they are built (item_rows.build_rows)."""
    for name in record.__slots__:  # type: ignore[attr-defined]
        value = getattr(record, name)
        if type(value) is str:  # not an enum's value
            safe = shown(value)
        elif type(value) is tuple and value and all(type(v) is str for v in value):
            safe = tuple(shown(v) for v in value)  # type: ignore[assignment]
        else:
            continue
        if safe != value:
            object.__setattr__(record, name, safe)
