"""PackSpec → Pack: the meeting pack computed once, from the log as it stood on the day.

The position shown is the log at the end of the meeting day, or of today when the meeting is
still to come (a pack is usually prepared a week or so before). It is compared with the log at
the end of the latest recorded meeting of the same group before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from sscp_tui.db.models import (
    MEETING_GROUPS,
    Agency,
    Meeting,
    Priority,
    Rating,
    Review,
    StrategicPlan,
)
from sscp_tui.db.store import Store
from sscp_tui.services.alerts import ALERT_SEVERITY, AlertRules
from sscp_tui.services.catalog import squash
from sscp_tui.services.packs.asat import ItemAt, Snapshots
from sscp_tui.services.packs.exceptions import exception_lists
from sscp_tui.services.packs.guard import find_words
from sscp_tui.services.packs.model import (
    ILLUSTRATIVE_NOTE,
    RATINGS_SHOWN,
    AgencyAppendix,
    Baseline,
    Cover,
    GroupBy,
    Movement,
    Pack,
    PackError,
    PackItem,
    Progress,
    RatingCount,
    Section,
    Summary,
    long_date,
)
from sscp_tui.services.packs.output import gc_paused
from sscp_tui.services.queries import review_label
from sscp_tui.services.records import AlertKind
from sscp_tui.services.tracker import Tracker


@dataclass(frozen=True, slots=True)
class PackSpec:
    """What to put in a pack. Agencies and reviews narrow it (lead agency; review)."""

    group: str
    meeting_on: date
    agency_ids: tuple[int, ...] = ()
    review_ids: tuple[int, ...] = ()
    by: GroupBy = GroupBy.REVIEW
    # Leave out of the log and appendix items that were already Blue at the previous meeting
    # (they still count in the summary).
    open_only: bool = False
    generated_at: datetime | None = None  # now, unless a test fixes it


def meeting_groups(tracker: Tracker) -> list[str]:
    """The usual groups, then any other group a meeting has been recorded for."""
    recorded = {m.group for m in tracker.meetings()}
    return [*MEETING_GROUPS, *sorted(recorded - set(MEETING_GROUPS))]


def resolve_group(tracker: Tracker, name: str) -> str:
    """The group's name as recorded, matched ignoring case and punctuation."""
    wanted = squash(name)
    known = meeting_groups(tracker)
    for group in known:
        if squash(group) == wanted:
            return group
    listing = ", ".join(known)
    raise PackError(f"There is no meeting group called '{name}'; the groups are: {listing}.")


def build_pack(tracker: Tracker, spec: PackSpec, progress: Progress | None = None) -> Pack:
    """Compute the whole pack in one read of the tracker. Raises :class:`PackError`."""
    with gc_paused():
        return _build(tracker, spec, progress)


def items_as_at(tracker: Tracker, day: date, agency_id: int | None = None) -> list[PackItem]:
    """Every item in the log at the end of ``day`` as it stood then — its rating, timescale,
    lead and latest update that day — with that day's alerts: the pack's reading of the past,
    which the alerts command's --as-of shares. Items led by ``agency_id`` only, if given."""
    settings = tracker.settings
    rules = AlertRules.of(settings, day)
    with gc_paused(), tracker.store.read() as session:
        names = _Names.load(session)
        scope = PackSpec(group="", meeting_on=day, agency_ids=(agency_id,) if agency_id is not None else ())
        then = _in_scope(Snapshots(session).at(day), scope, names)
    items = [_pack_item(item, None, rules, names) for item in then.values()]
    items.sort(key=lambda i: names.order(then[i.id]))
    return items


def _build(tracker: Tracker, spec: PackSpec, progress: Progress | None) -> Pack:
    tell = progress or _silent
    as_of = min(spec.meeting_on, tracker.as_of)
    settings = tracker.settings
    rules = AlertRules.of(settings, as_of)
    with tracker.store.read() as session:
        meetings = [m.held_on for m in session.scalars(select(Meeting).where(Meeting.group == spec.group))]
        previous = max((d for d in meetings if d < spec.meeting_on and d <= as_of), default=None)
        names = _Names.load(session)
        tell(f"Reading the log as it stood on {long_date(as_of)}", 0.05)
        snapshots = Snapshots(session)
        now = _in_scope(snapshots.at(as_of), spec, names)
        before: dict[int, ItemAt] | None = None
        if previous is not None:
            tell(f"Reading the log as it stood after the meeting on {long_date(previous)}", 0.3)
            before = _in_scope(snapshots.at(previous, updates=False), spec, names)
    tell("Working out the summary and the exceptions", 0.5)
    every = [_pack_item(item, before, rules, names) for item in now.values()]
    _mark_open_actions(every, now)
    every.sort(key=lambda i: names.order(now[i.id]))
    summary = _summary(every, before, previous)
    shown = [i for i in every if not (spec.open_only and _closed_before(i))]
    left_out = len(every) - len(shown)
    cover = Cover(
        title=f"{spec.group}: meeting pack",
        group=spec.group,
        meeting_on=spec.meeting_on,
        meeting_recorded=spec.meeting_on in meetings,
        previous_meeting=previous,
        scope=_scope(spec, names, left_out),
        grouping=f"The log is grouped by {spec.by.value}.",
        protective_marking=settings.protective_marking,
        as_of=as_of,
        generated_at=spec.generated_at or datetime.now().replace(microsecond=0),
        database=_tracker_name(tracker.store),
        item_count=len(shown),
        notes=_notes(spec, as_of, tracker.as_of, spec.meeting_on in meetings)
        + ((ILLUSTRATIVE_NOTE,) if any(i.illustrative for i in shown) else ()),
    )
    pack = Pack(
        cover=cover,
        summary=summary,
        exceptions=exception_lists(every, rules, previous),
        sections=_sections(shown, spec.by),
        appendix=_appendix(shown, names),
        by=spec.by,
        findings=(),
        words_checked=len(settings.forbidden_words),
    )
    tell("Checking the pack for listed words", 0.6)
    findings = find_words(pack, settings.forbidden_words)
    return replace(pack, findings=findings)


def _silent(_stage: str, _fraction: float) -> None:
    return None


@dataclass(frozen=True, slots=True)
class _Names:
    """Labels and sort keys for reviews, plan priorities and agencies, read once."""

    reviews: dict[int, tuple[str, tuple[Any, ...]]]
    priorities: dict[int, tuple[str, tuple[Any, ...]]]
    agencies: dict[str, tuple[int, str]]  # short name -> (id, full name)

    @classmethod
    def load(cls, session: Session) -> _Names:
        reviews = {}
        for r in session.execute(select(Review.id, Review.kind, Review.title, Review.year)):
            label = review_label(r.kind, r.title, r.year)
            reviews[r.id] = (label, (0, r.year or 9999, r.kind.value, r.title.casefold()))
        priorities = {}
        statement = select(Priority.id, Priority.number, Priority.position, StrategicPlan.title).join(
            StrategicPlan, Priority.plan_id == StrategicPlan.id
        )
        for p in session.execute(statement):
            label = f"{p.title} › Priority {p.number}"
            priorities[p.id] = (label, (1, 0, p.title.casefold(), f"{p.position:06d}"))
        agencies = {
            a.short_name: (a.id, a.name)
            for a in session.execute(select(Agency.id, Agency.short_name, Agency.name))
        }
        return cls(reviews, priorities, agencies)

    def source(self, item: ItemAt) -> tuple[str, tuple[Any, ...]]:
        if item.review_id is not None and item.review_id in self.reviews:
            return self.reviews[item.review_id]
        if item.priority_id is not None and item.priority_id in self.priorities:
            return self.priorities[item.priority_id]
        return "", (2, 0, "", "")

    def order(self, item: ItemAt) -> tuple[Any, ...]:
        return (*self.source(item)[1], item.reference_key, item.id)

    def agency_id(self, short_name: str | None) -> int | None:
        found = self.agencies.get(short_name or "")
        return found[0] if found else None


def _in_scope(items: dict[int, ItemAt], spec: PackSpec, names: _Names) -> dict[int, ItemAt]:
    if not spec.agency_ids and not spec.review_ids:
        return items
    agencies = set(spec.agency_ids)
    reviews = set(spec.review_ids)
    return {
        key: item
        for key, item in items.items()
        if (not agencies or names.agency_id(item.lead_agency) in agencies)
        and (not reviews or item.review_id in reviews)
    }


def _pack_item(item: ItemAt, before: dict[int, ItemAt] | None, rules: AlertRules, names: _Names) -> PackItem:
    last_update_on = item.latest_update.written_on if item.latest_update else None
    alerts = rules.for_item(
        rating=item.rating,
        due_on=item.due_on,
        last_update_on=last_update_on,
        created_on=item.created_on,
        evidence_completion=item.evidence_completion,
    )
    baseline: Baseline | None = None
    if before is not None:
        old = before.get(item.id)
        baseline = (
            Baseline(True, old.rating, old.timescale, old.due_on) if old is not None else Baseline(False)
        )
    agency = names.agencies.get(item.lead_agency or "")
    overdue = AlertKind.OVERDUE in alerts and item.due_on is not None
    return PackItem(
        id=item.id,
        kind=item.kind,
        source=names.source(item)[0],
        reference=item.reference,
        text=item.text,
        lead_agency=item.lead_agency,
        lead_agency_name=agency[1] if agency else item.lead_agency,
        timescale=item.timescale,
        due_on=item.due_on,
        rating=item.rating,
        baseline=baseline,
        alerts=alerts,
        days_overdue=(rules.as_of - item.due_on).days if overdue and item.due_on else None,
        latest_update=item.latest_update,
        last_update_on=last_update_on,
        evidence_completion=item.evidence_completion,
        evidence_impact=item.evidence_impact,
        revisions=item.revisions,
        awaiting_days=_awaiting_days(item, rules),
        illustrative=item.illustrative,
    )


def _awaiting_days(item: ItemAt, rules: AlertRules) -> int | None:
    """How long a delivered item (Green, evidence of completion) has waited for evidence of
    impact by the pack's date; None when it is not waiting."""
    if (
        item.rating is not Rating.GREEN
        or not item.evidence_completion.strip()
        or item.evidence_impact.strip()
    ):
        return None
    since = item.delivered_on or (item.latest_update.written_on if item.latest_update else item.created_on)
    return max(0, (rules.as_of - since).days)


def _mark_open_actions(items: list[PackItem], now: dict[int, ItemAt]) -> None:
    """Each Blue recommendation's actions that were still open on the pack's date."""
    open_children: dict[int, list[ItemAt]] = {}
    for child in now.values():
        if child.parent_id is not None and child.rating is not Rating.BLUE:
            open_children.setdefault(child.parent_id, []).append(child)
    for item in items:
        if item.rating is Rating.BLUE and item.id in open_children:
            children = sorted(open_children[item.id], key=lambda c: c.reference_key)
            item.open_actions = tuple(c.reference for c in children)


def _closed_before(item: PackItem) -> bool:
    """Blue now, and already Blue at the previous meeting (or no meeting to compare with)."""
    if item.rating is not Rating.BLUE:
        return False
    base = item.baseline
    return base is None or (base.existed and base.rating == item.rating)


def _summary(items: list[PackItem], before: dict[int, ItemAt] | None, previous: date | None) -> Summary:
    now_counts = Counter(i.rating for i in items)
    before_counts = Counter(i.rating for i in before.values()) if before is not None else None
    moves: Counter[tuple[Any, Any]] = Counter()
    for item in items:
        base = item.baseline
        if base is not None and base.existed and base.rating != item.rating:
            moves[(base.rating, item.rating)] += 1
    order = {rating: position for position, rating in enumerate(RATINGS_SHOWN)}
    movements = tuple(
        Movement(b, a, n)
        for (b, a), n in sorted(moves.items(), key=lambda kv: (order[kv[0][0]], order[kv[0][1]]))
    )
    current_ids = {i.id for i in items}
    alerts = Counter(kind for i in items for kind in i.alerts)
    return Summary(
        counts=tuple(
            RatingCount(r, now_counts[r], before_counts[r] if before_counts is not None else None)
            for r in RATINGS_SHOWN
        ),
        total_now=len(items),
        total_previous=len(before) if before is not None else None,
        previous_meeting=previous,
        movements=movements,
        new_items=sum(1 for i in items if i.baseline is not None and not i.baseline.existed),
        gone_items=sum(1 for key in before if key not in current_ids) if before else 0,
        alerts=tuple((kind, alerts[kind]) for kind in ALERT_SEVERITY),
    )


def _sections(items: list[PackItem], by: GroupBy) -> tuple[Section, ...]:
    if by is GroupBy.REVIEW:
        return _grouped(items, lambda i: i.source or "Not linked to a review or plan")
    by_agency = sorted(items, key=lambda i: (i.lead_agency is None, (i.lead_agency or "").casefold()))
    return _grouped(by_agency, _agency_title)


def _agency_title(item: PackItem) -> str:
    if item.lead_agency is None:
        return "No lead agency"
    name = item.lead_agency_name or item.lead_agency
    return name if name == item.lead_agency else f"{name} ({item.lead_agency})"


def _grouped(items: Iterable[PackItem], title: Callable[[PackItem], str]) -> tuple[Section, ...]:
    """Consecutive items with the same title form one section (the input is sorted)."""
    sections: list[Section] = []
    current: list[PackItem] = []
    heading: str | None = None
    for item in items:
        name = title(item)
        if name != heading and current:
            sections.append(Section(heading or "", tuple(current)))
            current = []
        heading = name
        current.append(item)
    if current:
        sections.append(Section(heading or "", tuple(current)))
    return tuple(sections)


def _appendix(items: list[PackItem], names: _Names) -> tuple[AgencyAppendix, ...]:
    led: dict[str, list[PackItem]] = {}
    for item in items:
        if item.lead_agency is not None:
            led.setdefault(item.lead_agency, []).append(item)
    result = []
    for short in sorted(led, key=str.casefold):
        own = led[short]
        counts = Counter(kind for i in own for kind in i.alerts)
        name = names.agencies.get(short, (0, short))[1]
        alerts = tuple((kind, counts[kind]) for kind in ALERT_SEVERITY)
        result.append(AgencyAppendix(short, name, tuple(own), alerts))
    return tuple(result)


def _tracker_name(store: Store) -> str:
    """The tracker named for a paper that leaves this machine: its file's name, or its
    PostgreSQL database's, with no folder, host or user."""
    if store.file is not None:
        return store.file.name
    url = make_url(store.url)
    return f"{url.database} (PostgreSQL)" if url.get_backend_name() == "postgresql" else "a tracker in memory"


def _scope(spec: PackSpec, names: _Names, left_out: int = 0) -> str:
    parts = []
    if spec.review_ids:
        labels = [names.reviews[r][0] for r in spec.review_ids if r in names.reviews]
        parts.append("Reviews: " + "; ".join(labels) + ".")
    if spec.agency_ids:
        by_id = {ident: short for short, (ident, _name) in names.agencies.items()}
        shorts = [by_id.get(a, str(a)) for a in spec.agency_ids]
        parts.append("Items led by: " + ", ".join(shorts) + ".")
    if not parts:
        parts.append("Every review, plan priority and lead agency.")
    if spec.open_only:
        were = "item was" if left_out == 1 else "items were"
        parts.append(
            f"Open items only: {left_out} {were} already closed (Blue) at the previous meeting and "
            "left out of the log and the appendix; they still count in the summary."
        )
    return " ".join(parts)


def _notes(spec: PackSpec, as_of: date, today: date, recorded: bool) -> tuple[str, ...]:
    notes = []
    when = long_date(spec.meeting_on)
    if not recorded:
        notes.append(
            f"No {spec.group} meeting on {when} is recorded in the tracker; "
            "this pack was produced for that date all the same."
        )
    if spec.meeting_on > today:
        notes.append(
            f"The meeting is on {when}; the pack shows the position on {long_date(as_of)}, "
            "when it was produced."
        )
    elif spec.meeting_on < today:
        notes.append(
            f"The pack shows the log as it stood at the end of {when}; changes made since are not included."
        )
    return tuple(notes)
