"""Matching imported rows to what the tracker holds: reviews, agencies, themes and items.

:class:`Matcher` works on a snapshot loaded once per session (a handful of queries whatever
the size of the file) and decides, for each row, whether it creates an item, updates one,
leaves one unchanged, or is rejected — and why. The dry run and the real run both use it,
the real run inside its write transaction, so what is written is what was checked.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sscp_tui.db.models import (
    Agency,
    HistoryEntry,
    ItemKind,
    Priority,
    ProgressUpdate,
    Rating,
    Review,
    ReviewKind,
    StrategicPlan,
    Theme,
    TrackedItem,
)
from sscp_tui.services.catalog import squash
from sscp_tui.services.imports.cells import Update, named_with_short, split_loose, split_review_name
from sscp_tui.services.imports.items import FieldValue, ItemSnap, changes_for, due_date, load_items, names
from sscp_tui.services.imports.rows import ReadRow
from sscp_tui.services.queries import review_label

CHUNK = 500  # ids per IN (...) list
# Fields an import can change on an existing item, in the order they are written.
UPDATABLE = ("reference", "text", "rating", "timescale", "due_on", "lead_agency",
             "supporting_agencies", "themes", "owner", "evidence_completion",
             "evidence_impact")  # fmt: skip


class Rejected(Exception):
    """A row cannot be imported; the message is one sentence."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where items go: an existing review, a review the import creates, or a priority."""

    kind: str  # "review", "new review", "priority" or "new priority"
    key: object  # review id or priority id, or the key of a review or priority to create
    label: str

    @property
    def ident(self) -> tuple[str, object]:
        return (self.kind, self.key)


@dataclass(slots=True)
class NewReview:
    kind: ReviewKind
    title: str
    year: int | None
    where: str  # the row that first names it: "row 4", "'Child A' row 4"


@dataclass(frozen=True, slots=True)
class NewPriority:
    plan: str  # the plan's title (an existing plan's, or one to create)
    number: str
    title: str
    where: str


@dataclass(slots=True)
class NewAgency:
    name: str
    short_name: str
    where: str


@dataclass(frozen=True, slots=True)
class ItemValues:
    """What a created item is made of, as the row gives it once matched: agencies by short
    name, themes by their name in the tracker, the due date the timescale names."""

    kind: ItemKind
    text: str
    rating: Rating | None
    timescale: str
    due_on: date | None
    original_timescale: str  # "" when the file gives none (the timescale is the first)
    original_due_on: date | None
    lead_agency: str | None
    supporting_agencies: tuple[str, ...]
    themes: tuple[str, ...]
    owner: str
    evidence_completion: str
    evidence_impact: str
    parent: str  # the reference of the item it goes under, or ""
    illustrative: bool

    @property
    def agencies(self) -> tuple[str, ...]:
        return ((self.lead_agency,) if self.lead_agency else ()) + self.supporting_agencies


@dataclass(frozen=True, slots=True)
class Decision:
    row: ReadRow
    action: str  # create, update, unchanged, reject, skip
    source: Source | None = None
    reference: str = ""
    item_id: int | None = None
    changes: dict[str, FieldValue] = field(default_factory=dict)  # an update's changed fields
    updates: tuple[Update, ...] = ()  # the progress updates to add, oldest first
    reason: str = ""
    new: ItemValues | None = None  # a created item's values

    @property
    def add_update(self) -> bool:
        return bool(self.updates)


ReviewKey = tuple[ReviewKind, str, int | None]  # type, squashed title, year


@dataclass(frozen=True, slots=True)
class Needed:
    """What the rows to be written need created first: only those a kept row uses (a rejected
    row's new review or agency is not made)."""

    reviews: dict[ReviewKey, NewReview]
    priorities: dict[tuple[str, str], NewPriority]
    agencies: tuple[NewAgency, ...]
    themes: tuple[str, ...]


def _new_updates(updates: tuple[Update, ...], latest: str | None) -> tuple[Update, ...]:
    """The entries of a progress cell that the item does not have yet: those after the one that
    is its latest update (a dated log in one cell grows at its end), else all that differ."""
    for position in range(len(updates) - 1, -1, -1):
        if updates[position].text == (latest or ""):
            return updates[position + 1 :]
    return updates


def tracker_mark(session: Session) -> tuple[int | None, ...]:
    """A cheap mark of everything a match reads: the newest row of each table it looks at. Every
    change to an item writes history, and the rest only grow, so an equal mark means the
    tracker is as it was when the plan was made, and the plan's decisions still hold."""
    tables = (HistoryEntry, ProgressUpdate, Agency, Theme, Review, Priority, StrategicPlan)
    marks = select(*(select(func.max(table.id)).scalar_subquery() for table in tables))
    return tuple(session.execute(marks).one())


def ref_key(reference: str) -> str:
    return " ".join(reference.casefold().split()).rstrip(".")


class Matcher:
    def __init__(self, session: Session, *, create_agencies: bool,
                 review_kind: ReviewKind | None) -> None:  # fmt: skip
        self.session = session
        self.create_agencies = create_agencies
        self.review_kind = review_kind
        self.agencies: dict[str, str] = {}  # squashed name or short name -> short name
        self.agency_names: list[str] = []
        for agency in session.execute(select(Agency.name, Agency.short_name)):
            self.agencies[squash(agency.name)] = agency.short_name
            self.agencies[squash(agency.short_name)] = agency.short_name
            self.agency_names += [agency.short_name, agency.name]
        self.reviews: dict[str, list[tuple[int, ReviewKind, str, int | None]]] = defaultdict(list)
        rows = session.execute(select(Review.id, Review.kind, Review.title, Review.year)
                               .where(Review.deleted_at.is_(None)))  # fmt: skip
        for review in rows:
            entry = (review.id, review.kind, review.title, review.year)
            for key in {squash(review.title), squash(f"{review.kind.value} {review.title}")}:
                self.reviews[key].append(entry)
        statement = select(Priority.id, Priority.number, StrategicPlan.title).join(
            StrategicPlan, Priority.plan_id == StrategicPlan.id
        )
        self.priorities = [(p.id, p.number, p.title) for p in session.execute(statement)]
        self.plans = {squash(title): title for title in session.scalars(select(StrategicPlan.title))}
        self.new_priorities: dict[tuple[str, str], NewPriority] = {}
        self.themes = {squash(name): name for name in session.scalars(select(Theme.name))}
        self.new_reviews: dict[ReviewKey, NewReview] = {}
        self.new_agencies: dict[str, NewAgency] = {}  # short name -> agency to create
        self.new_themes: dict[str, str] = {}
        self.index: dict[tuple[str, object], tuple[dict[str, ItemSnap], dict[str, ItemSnap]]] = {}
        self.used: dict[tuple[str, object], set[str]] = defaultdict(set)  # reference keys
        self.seen: dict[tuple[tuple[str, object], str], str] = {}  # -> where the row is
        self.claimed: dict[int, str] = {}  # item id -> where the row updating it is
        self._source_memo: dict[tuple[object, ...], Source | str] = {}
        self._needed: tuple[list[Decision], Needed] | None = None
        self._agencies_memo: dict[tuple[str, tuple[str, ...]], tuple[str | None, list[str]]] = {}

    # --- sources -------------------------------------------------------------------------
    def source(self, row: ReadRow) -> Source:
        """Where the row's item goes (the same answer for every row naming the same review)."""
        key = (row.review, row.review_kind, row.context_kind, row.year, row.plan, row.priority,
               row.priority_title)  # fmt: skip
        if key not in self._source_memo:
            try:
                self._source_memo[key] = self._source(row)
            except Rejected as exc:
                self._source_memo[key] = str(exc)
        found = self._source_memo[key]
        if isinstance(found, str):
            raise Rejected(found)
        return found

    def _source(self, row: ReadRow) -> Source:
        """An existing review found by its name (with its type and year where written), or a
        review to create. Its type is the one written with the row (a type column, or in the
        name), else the one its sheet, title or section row gives, else --review-kind, else
        "To confirm": a row is never refused only because its review's type is not written."""
        if not row.review and (row.priority or row.plan):
            return self._priority(row)
        if not row.review:
            raise Rejected("There is no review name (a 'Review' column, a section row or title naming "
                           "the review, or --review).")  # fmt: skip
        kind, title, year = split_review_name(row.review)
        if row.review_kind is not None and kind is not None and kind != row.review_kind:
            title = " ".join(row.review.split())
        kind = row.review_kind or kind
        year = row.year or year
        wanted = {squash(title), squash(row.review)}
        found = {entry for key in wanted for entry in self.reviews.get(key, [])}
        if kind is not None:  # a review whose type is still to be confirmed matches any type
            found = {entry for entry in found if entry[1] in (kind, ReviewKind.TO_CONFIRM)}
        elif len(found) > 1 and row.context_kind is not None:
            found = {entry for entry in found if entry[1] == row.context_kind} or found
        if year is not None:
            same_year = {entry for entry in found if entry[3] == year}
            found = same_year or {entry for entry in found if entry[3] is None}
        if len(found) == 1:
            review_id, found_kind, found_title, found_year = next(iter(found))
            return Source("review", review_id, review_label(found_kind, found_title, found_year))
        if found:
            labels = " and ".join(sorted(review_label(e[1], e[2], e[3]) for e in found)[:2])
            raise Rejected(f"'{row.review}' matches more than one review ({labels}); "
                           "add a 'Review type' or 'Year' column.")  # fmt: skip
        kind = kind or row.context_kind or self.review_kind or ReviewKind.TO_CONFIRM
        key = (kind, squash(title), year)
        if key not in self.new_reviews:
            self.new_reviews[key] = NewReview(kind, title, year, row.where)
        return Source("new review", key, review_label(kind, title, year))

    def _priority(self, row: ReadRow) -> Source:
        """An existing priority by plan title and number, or one to create when the row names
        its plan (a plan and its priorities are created with the titles written)."""
        number = re.sub(r"(?i)^\s*priority\s*", "", row.priority).strip()
        found = [
            (pid, num, plan) for pid, num, plan in self.priorities
            if squash(num) == squash(number) and (not row.plan or squash(plan) == squash(row.plan))
        ]  # fmt: skip
        if len(found) == 1:
            pid, num, plan = found[0]
            return Source("priority", pid, f"{plan} › Priority {num}")
        if found:
            raise Rejected(f"Priority '{row.priority}' is in more than one plan; add a 'Plan' column.")
        if not row.plan or not number:
            raise Rejected(f"There is no priority '{row.priority}' in the tracker; name its plan "
                           "in a 'Plan' column and the import adds it.")  # fmt: skip
        key = (squash(row.plan), squash(number))
        if key not in self.new_priorities:
            plan = self.plans.get(squash(row.plan), row.plan)
            title = row.priority_title or f"Priority {number}"
            self.new_priorities[key] = NewPriority(plan, number, title, row.where)
        return Source("new priority", key, f"{self.new_priorities[key].plan} › Priority {number}")

    # --- agencies and themes -------------------------------------------------------------
    def _known(self, text: str) -> str | None:
        """The short name of a known (or planned) agency written as ``text``."""
        name, short = named_with_short(text)
        for key in (squash(text), squash(short or ""), squash(name)):
            if key and key in self.agencies:
                known = self.agencies[key]
                planned = self.new_agencies.get(known)
                if planned and short and planned.name == planned.short_name:
                    planned.name = name  # "SP" seen first, "Surrey Police (SP)" later
                return known
        return None

    def agency(self, text: str, where: str) -> str:
        """The short name of the agency written as ``text``, planning it if allowed."""
        known = self._known(text)
        if known is not None:
            return known
        if not self.create_agencies:
            close = difflib.get_close_matches(text, self.agency_names, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise Rejected(f"There is no agency called '{text}'.{hint} (--create-agencies adds it.)")
        name, short = named_with_short(text)
        short = short or _short_name(name)
        base, n = short, 2
        while squash(short) in self.agencies:
            short, n = f"{base[:37]}{n}", n + 1
        self.new_agencies[short] = NewAgency(name[:200], short, where)
        self.agencies[squash(name)] = self.agencies[squash(short)] = short
        self.agency_names += [short, name]
        return short

    def lead_and_supporting(self, row: ReadRow) -> tuple[str | None, list[str]]:
        """The lead agency and the supporting ones. A lead cell naming several agencies
        ("SCC / Surrey Police") gives the first as lead and the others as supporting."""
        key = (row.lead_agency, row.supporting_agencies)
        if key not in self._agencies_memo:
            self._agencies_memo[key] = self._lead_and_supporting(row)
        return self._agencies_memo[key]

    def _lead_and_supporting(self, row: ReadRow) -> tuple[str | None, list[str]]:
        problems: list[str] = []

        def agency(text: str) -> str:
            try:
                return self.agency(text, row.where)
            except Rejected as exc:
                problems.append(str(exc))
                return ""

        lead, extra = None, []
        if row.lead_agency:
            lead, *extra = [agency(part) for part in self._named_in(row.lead_agency)]
        supporting = [agency(part) for text in row.supporting_agencies for part in self._named_in(text)]
        if problems:
            raise Rejected(" ".join(problems))
        supporting = list(dict.fromkeys(supporting))
        return lead, supporting + [s for s in extra if s not in supporting]

    def _named_in(self, text: str) -> tuple[str, ...]:
        """The agencies one cell names: itself where it is an agency's name, else the parts of a
        looser list ("SCC / Surrey Police & SH", "Police, Health") where any is known."""
        if self._known(text):
            return (text,)
        parts = split_loose(text)
        if len(parts) < 2 or not any(self._known(part) for part in parts):
            return (text,)
        return parts

    def theme(self, name: str) -> str:
        key = squash(name)
        if key not in self.themes:
            self.themes[key] = self.new_themes[key] = name[:120]
        return self.themes[key]

    def needed(self, decisions: list[Decision]) -> Needed:
        """What the kept decisions need created (worked out once per list of decisions)."""
        if self._needed is not None and self._needed[0] is decisions:
            return self._needed[1]
        found = self._work_out_needed(decisions)
        self._needed = (decisions, found)
        return found

    def _work_out_needed(self, decisions: list[Decision]) -> Needed:
        kept = [d for d in decisions if d.action in ("create", "update")]
        sources = {d.source.key for d in kept if d.source}
        named = {name for d in kept for key in ("lead_agency", "supporting_agencies", "themes")
                 for name in names(d.changes.get(key))}  # fmt: skip
        named.update(name for d in kept if d.new for name in (*d.new.agencies, *d.new.themes))
        return Needed(
            reviews={k: r for k, r in self.new_reviews.items() if k in sources},
            priorities={k: p for k, p in self.new_priorities.items() if k in sources},
            agencies=tuple(a for a in self.new_agencies.values() if a.short_name in named),
            themes=tuple(name for name in self.new_themes.values() if name in named),
        )

    # --- items ---------------------------------------------------------------------------
    def decide_all(self, rows: list[ReadRow]) -> list[Decision]:
        """What each row does. Sources first, then the items of the sources touched (loaded
        once), then each row against them in file order."""
        staged: list[Decision | tuple[ReadRow, Source]] = []
        for row in rows:
            if row.skip:
                staged.append(Decision(row, "skip", reason=row.skip))
            elif row.problem:
                staged.append(Decision(row, "reject", reason=row.problem))
            elif not row.text:
                staged.append(Decision(row, "reject", reason="There is no recommendation text."))
            else:
                try:
                    staged.append((row, self.source(row)))
                except Rejected as exc:
                    staged.append(Decision(row, "reject", reason=str(exc)))
        pairs = [entry for entry in staged if isinstance(entry, tuple)]
        self._load_items([source for _row, source in pairs])
        for row, source in pairs:
            if row.reference:
                self.used[source.ident].add(ref_key(row.reference))
        decisions = [e if isinstance(e, Decision) else self._decide(*e) for e in staged]
        return [self._check_parent(d) for d in decisions]

    def _check_parent(self, decision: Decision) -> Decision:
        """A new item's parent must be in the same review or priority, in the tracker or the file."""
        parent = decision.row.parent
        if decision.action != "create" or not parent or decision.source is None:
            return decision
        if ref_key(parent) in self.used[decision.source.ident] and ref_key(parent) != ref_key(
            decision.reference
        ):
            return decision
        reason = f"Its parent, reference '{parent}', is not in {decision.source.label}."
        return Decision(decision.row, "reject", decision.source, decision.reference, reason=reason)

    def parent_ids(
        self, created: dict[tuple[tuple[str, object], str], int]
    ) -> dict[tuple[str, object], dict[str, int]]:
        """Item ids by reference key within each source: existing items and ``created`` ones."""
        found: dict[tuple[str, object], dict[str, int]] = defaultdict(dict)
        for ident, (by_ref, _by_text) in self.index.items():
            found[ident].update({key: snap.id for key, snap in by_ref.items()})
        for (ident, key), item_id in created.items():
            found[ident][key] = item_id
        return found

    def _decide(self, row: ReadRow, source: Source) -> Decision:
        try:
            lead, supporting = self.lead_and_supporting(row)
            themes = sorted({self.theme(t) for t in row.themes})
        except Rejected as exc:
            return Decision(row, "reject", source, row.reference, reason=str(exc))
        by_ref, by_text = self.index.get(source.ident, ({}, {}))
        target = by_ref.get(ref_key(row.reference)) if row.reference else None
        if target is None and by_text:
            target = by_text.get(squash(row.text))
        key = (source.ident, ref_key(row.reference) if row.reference else squash(row.text))
        if key in self.seen:
            what = f"reference {row.reference}" if row.reference else "text"
            reason = f"{self.seen[key].capitalize()} already gives the same review and {what}."
            return Decision(row, "reject", source, row.reference, reason=reason)
        self.seen[key] = row.where
        if target is not None:
            if target.id in self.claimed:
                reason = f"{self.claimed[target.id].capitalize()} already updates the same item."
                return Decision(row, "reject", source, target.reference, reason=reason)
            self.claimed[target.id] = row.where
            changes = changes_for(row, target, lead, supporting, themes)
            updates = _new_updates(row.updates, target.latest_update)
            action = "update" if changes or updates else "unchanged"
            reference = str(changes.get("reference") or target.reference)
            return Decision(row, action, source, reference, target.id, changes, updates, row.note)
        reason, reference = row.note, row.reference
        if not reference:
            reference = self._next_reference(source.ident)
            reason = "; ".join(filter(None, [f"No reference given: numbered {reference}.", reason]))
        self.used[source.ident].add(ref_key(reference))
        original = row.original_timescale
        new = ItemValues(
            kind=row.kind or row.default_kind,
            text=row.text,
            rating=row.rating,
            timescale=row.timescale.text if row.timescale else "",
            due_on=due_date(row),
            original_timescale=original.text if original else "",
            original_due_on=row.original_due_on or (original.due_on if original else None),
            lead_agency=lead,
            supporting_agencies=tuple(sorted(set(supporting))),
            themes=tuple(themes),
            owner=row.owner,
            evidence_completion=row.evidence_completion,
            evidence_impact=row.evidence_impact,
            parent=row.parent,
            illustrative=row.illustrative,
        )
        return Decision(row, "create", source, reference, updates=row.updates, reason=reason, new=new)

    def _next_reference(self, ident: tuple[str, object]) -> str:
        number = 1
        while str(number) in self.used[ident]:
            number += 1
        return str(number)

    def _load_items(self, sources: list[Source]) -> None:
        """Every live item of the existing reviews and priorities the file touches, once."""
        for kind, column in (("review", TrackedItem.review_id),
                             ("priority", TrackedItem.priority_id)):  # fmt: skip
            ids = sorted({s.key for s in sources if s.kind == kind}, key=str)
            for start in range(0, len(ids), CHUNK):
                for owner, snap in load_items(self.session, column, ids[start : start + CHUNK]):
                    by_ref, by_text = self.index.setdefault((kind, owner), ({}, {}))
                    by_ref.setdefault(ref_key(snap.reference), snap)
                    by_text.setdefault(squash(snap.text), snap)
                    self.used[(kind, owner)].add(ref_key(snap.reference))


_SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "&"}


def _short_name(name: str) -> str:
    """A short name for an agency an import creates: the name itself when short, else its
    initials ("Surrey and Borders Partnership NHS Foundation Trust" -> "SBPNHSFT")."""
    if len(name) <= 12:
        return name
    words = [w for w in re.findall(r"[\w']+", name) if w.casefold() not in _SMALL_WORDS]
    initials = "".join(w if w.isupper() and len(w) <= 4 else w[0].upper() for w in words)
    return (initials or name)[:40]
