"""The service facade: everything the screens and the CLI do, one session per call.

Results are frozen dataclasses (``records``); nothing returned is a live ORM object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sscp_tui.config import Settings
from sscp_tui.db import failures
from sscp_tui.db.models import AgencyKind, ItemKind, Rating
from sscp_tui.db.store import Store
from sscp_tui.errors import TrackerBusy
from sscp_tui.services import catalog, conflicts, edits, queries
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.edits import EditContext, EditError, NewItem
from sscp_tui.services.records import (
    AgencyMatrixRow,
    AgencyRecord,
    AlertCounts,
    ChangeResult,
    DashboardData,
    ItemDetail,
    ItemFilter,
    ItemRow,
    ItemState,
    MeetingRecord,
    OtherChange,
    Page,
    PlanRecord,
    ReviewRecord,
    SortKey,
)
from sscp_tui.text_safety import clean

_ADDING_ITEMS = "Adding an item cannot be undone; delete it (d) if it was added by mistake."
T = TypeVar("T")


class Tracker:
    def __init__(self, store: Store, settings: Settings, as_of: date | None = None) -> None:
        self.store = store
        if settings.author_from == "login" and store.role:  # the server knows who this is
            settings = settings.with_overrides(author=store.role, author_from="role")
        self.settings = settings
        self._as_of = as_of
        # The batches of the changes made through this tracker, so that a watch for changes
        # can tell another user's from this user's own (see changes_since).
        self.own_batches: set[str] = set()

    # --- context ---------------------------------------------------------------------------
    @property
    def as_of(self) -> date:
        return self._as_of or date.today()

    @property
    def rules(self) -> AlertRules:
        return AlertRules.of(self.settings, self.as_of)

    def _read(self, work: Callable[[Session], T]) -> T:
        with self.store.read() as session:
            return work(session)

    def _edit(
        self,
        work: Callable[[Session, EditContext], int],
        note: str = "",
        source: str = "app",
        items: Sequence[int] = (),
        not_undoable: str = "",
        *,
        guard: tuple[str, int | None] | None = None,
        seen: int | None = None,
    ) -> ChangeResult:
        """Commit ``work`` with its history, in one write transaction. With ``seen`` (the change
        marker as the user looked) and ``guard`` (the record changed: "review" and its id),
        a change someone else made to that record since refuses it (services.conflicts)."""
        ctx = EditContext(author=self.settings.author, note=clean(note).strip(), source=source)
        self.own_batches.add(ctx.batch)
        try:
            with self.store.write() as session:
                entity, entity_id = guard if guard is not None else ("", None)
                if entity_id is not None:
                    later = conflicts.later_changes(session, entity, [entity_id], seen, self.own_batches)
                    if later:
                        raise conflicts.refusal(later[entity_id])
                changed = work(session, ctx)
        except DBAPIError as exc:
            failure = failures.classify(exc)
            if failure is failures.Failure.BUSY:
                raise TrackerBusy("The tracker is busy with another change; try again in a moment.") from exc
            if failure is not failures.Failure.OTHER:
                raise EditError(
                    f"The change was not saved. {failures.sentence(exc, self.store.location)}"
                ) from exc
            raise EditError(f"The change could not be saved: {failures.reason(exc)}.") from exc
        return ChangeResult(ctx.batch, changed, tuple(items), not_undoable)

    def _edit_items(
        self,
        work: Callable[[Session, EditContext, Sequence[int]], int],
        ids: Sequence[int],
        note: str,
        seen: int | None,
        *,
        not_undoable: str = "",
    ) -> ChangeResult:
        """An edit of items made on what the user saw (``seen``, the change marker as they
        looked; None checks nothing). One item changed since by someone else: refused, naming
        the change. Of several, those changed since are left alone and named in the result
        (``left_alone``), and the others saved; all of them changed: refused."""
        asked = list(dict.fromkeys(ids))
        left: list[str] = []

        def guarded(session: Session, ctx: EditContext) -> int:
            later = conflicts.later_changes(session, "item", asked, seen, self.own_batches)
            if later and len(asked) == 1:
                raise conflicts.refusal(later[asked[0]])
            if later:
                labels = {row.id: f"{row.source} {row.reference}".strip()
                          for row in queries.rows_by_id(session, list(later), self.rules)}  # fmt: skip
                if len(later) == len(asked):
                    raise conflicts.all_changed(later.values(), labels)
                left[:] = [conflicts.said(later[item_id], labels.get(item_id, "an item"))
                           for item_id in asked if item_id in later]  # fmt: skip
            return work(session, ctx, [item_id for item_id in asked if item_id not in later])

        result = self._edit(guarded, note, items=asked, not_undoable=not_undoable)
        # Every row asked for is redrawn: the saved ones, and those left alone as they now stand.
        return replace(result, left_alone=tuple(left))

    # --- others' changes ---------------------------------------------------------------------
    def changes_since(self, seen: int | None) -> tuple[int, tuple[OtherChange, ...]]:
        """The newest history row's id, and the changes after ``seen`` that were not made
        through this tracker (another user's, or another program's), oldest first. Every
        change writes history, so its newest id is the whole tracker's change marker: one
        look-up of the key's index, whatever the log's size."""
        return self._read(lambda s: queries.changes_since(s, seen, self.own_batches))

    # --- the log ---------------------------------------------------------------------------
    def page(
        self,
        f: ItemFilter,
        *,
        sort: SortKey = SortKey.ALERTS,
        descending: bool = False,
        offset: int = 0,
        limit: int = 100,
        with_total: bool = True,
        with_proposals: bool = False,
    ) -> Page:
        return self._read(
            lambda s: queries.list_page(
                s,
                f,
                self.rules,
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
                with_total=with_total,
                with_proposals=with_proposals,
            )
        )

    @property
    def counts_quickly(self) -> bool:
        """Whether a count of the log takes a few ms (a SQLite file: 1-15 ms at 100,000 items),
        not 50 ms or more (a PostgreSQL server), so a page may wait for its count."""
        return self.store.engine.dialect.name == "sqlite"

    def count(self, f: ItemFilter) -> int:
        return self._read(lambda s: queries.count_items(s, f, self.rules))

    def ids(self, f: ItemFilter, sort: SortKey = SortKey.ALERTS) -> list[int]:
        return self._read(lambda s: queries.ids_matching(s, f, self.rules, sort))

    def latest_update(self, item_id: int) -> tuple[date, str, str] | None:
        return self._read(lambda s: edits.latest_update(s, item_id))

    def latest_updates(self, ids: Sequence[int]) -> dict[int, tuple[date, str, str]]:
        return self._read(lambda s: edits.latest_updates(s, ids))

    def still_matching(self, f: ItemFilter, ids: Sequence[int]) -> set[int]:
        return self._read(lambda s: queries.still_matching(s, f, self.rules, ids))

    def rows(self, ids: Sequence[int], *, with_proposals: bool = False) -> tuple[ItemRow, ...]:
        return self._read(lambda s: queries.rows_by_id(s, ids, self.rules, with_proposals=with_proposals))

    def rating_counts(self, f: ItemFilter | None = None) -> dict[Rating | None, int]:
        return self._read(lambda s: queries.rating_counts(s, f or ItemFilter(), self.rules))

    def alert_counts(self, f: ItemFilter | None = None) -> AlertCounts:
        return self._read(lambda s: queries.alert_counts(s, f or ItemFilter(), self.rules))

    def rating_and_alert_counts(
        self, f: ItemFilter | None = None
    ) -> tuple[dict[Rating | None, int], AlertCounts]:
        return self._read(lambda s: queries.rating_and_alert_counts(s, f or ItemFilter(), self.rules))

    def dashboard(self, worst: int) -> DashboardData:
        """The dashboard's figures: rating and alert counts and the matrix over the whole log,
        the ``worst`` open items first, the next meeting."""
        everything = ItemFilter(state=ItemState.ALL)
        # Three reads side by side, each with its own session: SQLite lets go of Python's lock
        # while it reads, so on a large log they take as long as the slowest, not all three.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="dashboard") as pool:
            counted = pool.submit(self.rating_and_alert_counts, everything)
            page = pool.submit(self.page, ItemFilter(), limit=worst, with_total=False)
            matrix = pool.submit(self.agency_matrix, everything)
            ratings, alerts = counted.result()
            return DashboardData(ratings, alerts, page.result().rows, matrix.result(), self.next_meeting())

    def lead_agency_counts(self) -> dict[int | None, tuple[dict[Rating | None, int], AlertCounts]]:
        return self._read(lambda s: queries.lead_agency_counts(s, self.rules))

    def agency_matrix(self, f: ItemFilter | None = None) -> list[AgencyMatrixRow]:
        return self._read(lambda s: queries.agency_matrix(s, f or ItemFilter(), self.rules))

    def item(self, item_id: int) -> ItemDetail | None:
        return self._read(lambda s: queries.item_detail(s, item_id, self.rules))

    def alert_items(self, agency_id: int | None = None, *, awaiting_too: bool = False) -> list[ItemRow]:
        """Open items with any alert, worst first, for the alerts command and the dashboard (and
        with ``awaiting_too`` those delivered, awaiting evidence of impact)."""
        return list(
            self._read(lambda s: queries.alert_rows(s, self.rules, agency_id, awaiting_too=awaiting_too))
        )

    # --- reference data --------------------------------------------------------------------
    def agencies(self) -> list[AgencyRecord]:
        return self._read(catalog.agencies)

    def find_agency(self, name: str) -> AgencyRecord:
        return self._read(lambda s: catalog.find_agency(s, name))

    def reviews(self, *, with_counts: bool = True) -> list[ReviewRecord]:
        return self._read(lambda s: catalog.reviews(s, with_counts=with_counts))

    def find_review(self, name: str) -> ReviewRecord:
        return self._read(lambda s: catalog.find_review(s, name))

    def review_labels(self) -> list[tuple[int, str]]:
        return self._read(catalog.review_labels)

    def ids_named(
        self, *, agency: str | None = None, review: str | None = None, theme: str | None = None
    ) -> tuple[int | None, int | None, int | None]:
        return self._read(lambda s: catalog.ids_named(s, agency=agency, review=review, theme=theme))

    def themes(self) -> list[tuple[int, str]]:
        return self._read(catalog.themes)

    def plans(self) -> list[PlanRecord]:
        return self._read(catalog.plans)

    def meetings(self, group: str | None = None) -> list[MeetingRecord]:
        return self._read(lambda s: catalog.meetings(s, group))

    def next_meeting(self) -> MeetingRecord | None:
        upcoming = [m for m in self.meetings() if m.held_on >= self.as_of]
        return upcoming[0] if upcoming else None

    # --- edits -----------------------------------------------------------------------------
    # Each edit takes ``seen``, the change marker as its user looked (see _edit_items); the
    # CLI, which reads and writes in one go, passes none.
    def set_rating(
        self, ids: Sequence[int], rating: Rating | None, note: str, *, seen: int | None = None
    ) -> ChangeResult:
        return self._edit_items(lambda s, c, kept: edits.set_rating(s, c, kept, rating), ids, note, seen)

    def revise_timescale(
        self,
        ids: Sequence[int],
        timescale: str,
        note: str,
        due_on: date | None = None,
        *,
        seen: int | None = None,
    ) -> ChangeResult:
        return self._edit_items(
            lambda s, c, kept: edits.revise_timescale(s, c, kept, timescale, due_on), ids, note, seen
        )

    def set_lead_agency(
        self, ids: Sequence[int], short_name: str | None, note: str, *, seen: int | None = None
    ) -> ChangeResult:
        return self._edit_items(
            lambda s, c, kept: edits.set_lead_agency(s, c, kept, short_name), ids, note, seen
        )

    def update_item(
        self, item_id: int, changes: dict[str, str | None], note: str, *, seen: int | None = None
    ) -> ChangeResult:
        return self._edit_items(
            lambda s, c, _kept: edits.update_fields(s, c, item_id, changes), [item_id], note, seen
        )

    def mark_complete(
        self,
        item_id: int,
        evidence: str,
        impact: str = "",
        note: str = "",
        *,
        with_open_actions: bool = False,
        seen: int | None = None,
    ) -> ChangeResult:
        """Closed (Blue) with its evidence of completion and of impact (see edits.mark_complete)."""
        return self._edit_items(
            lambda s, c, _kept: edits.mark_complete(
                s, c, item_id, evidence, impact, with_open_actions=with_open_actions
            ),
            [item_id],
            note,
            seen,
        )

    def mark_delivered(
        self, item_id: int, evidence: str, note: str = "", *, seen: int | None = None
    ) -> ChangeResult:
        """Delivered (Green) with its evidence of completion, awaiting evidence of impact."""
        return self._edit_items(
            lambda s, c, _kept: edits.mark_delivered(s, c, item_id, evidence), [item_id], note, seen
        )

    def delete(self, ids: Sequence[int], note: str, *, seen: int | None = None) -> ChangeResult:
        return self._edit_items(lambda s, c, kept: edits.delete_items(s, c, kept), ids, note, seen)

    def add_update(
        self,
        item_id: int,
        text: str,
        proposed_rating: Rating | None = None,
        written_on: date | None = None,
        *,
        seen: int | None = None,
    ) -> ChangeResult:
        day = written_on or self.as_of

        def add(session: Session, ctx: EditContext, _kept: Sequence[int]) -> int:
            edits.add_update(session, ctx, item_id, text, written_on=day, proposed_rating=proposed_rating)
            return 1  # the one change it made: an update added (and its history row)

        return self._edit_items(
            add,
            [item_id],
            "",
            seen,
            not_undoable="Adding a progress update cannot be undone.",
        )

    def withdraw_update(
        self, item_id: int, update_id: int, why: str, *, seen: int | None = None
    ) -> ChangeResult:
        """A progress update added by mistake, withdrawn (kept, and said why: edits.withdraw_update)."""
        return self._edit_items(
            lambda s, c, _kept: edits.withdraw_update(s, c, item_id, update_id),
            [item_id],
            why,
            seen,
            not_undoable="Withdrawing an update cannot be undone; add it again (n) if it was right.",
        )

    def withdraw_review(self, review_id: int, why: str, *, seen: int | None = None) -> ChangeResult:
        """A review added by mistake, withdrawn (kept, and said why: catalog.withdraw_review)."""
        return self._edit(
            lambda s, c: catalog.withdraw_review(s, c, review_id),
            why,
            not_undoable="Withdrawing a review cannot be undone.",
            guard=("review", review_id),
            seen=seen,
        )

    def create_item(self, new: NewItem, note: str = "", new_agencies: Sequence[str] = ()) -> ChangeResult:
        """One new item, with any agencies it names that the tracker lacks (each added as a
        relevant agency, its name its short name); the result names the item (``item_ids``)."""
        made: list[int] = []

        def work(session: Session, ctx: EditContext) -> int:
            for name in new_agencies:
                catalog.create_agency(session, ctx, name, name, AgencyKind.RELEVANT)
            made.append(edits.create_item(session, ctx, new).id)
            return 1

        result = self._edit(work, note, not_undoable=_ADDING_ITEMS)
        return ChangeResult(result.batch, result.changed, tuple(made), result.not_undoable)

    def create_items(self, new: Sequence[NewItem], note: str = "") -> ChangeResult:
        """Several new items in one change (a pasted list): all are added or none."""

        def work(session: Session, ctx: EditContext) -> int:
            return len([edits.create_item(session, ctx, item) for item in new])

        return self._edit(work, note, not_undoable=_ADDING_ITEMS)

    def references(self, *, review_id: int | None = None, priority_id: int | None = None
                   ) -> list[tuple[int, str, ItemKind]]:  # fmt: skip
        return self._read(lambda s: edits.references(s, review_id=review_id, priority_id=priority_id))

    def save_plan(
        self, plan_id: int | None, title: str, period: str, note: str = "", *, seen: int | None = None
    ) -> ChangeResult:
        return self._edit(
            lambda s, c: catalog.save_plan(s, c, plan_id, title, period),
            note,
            not_undoable="A plan is changed back by editing it again (e on the Priorities screen).",
            guard=("plan", plan_id),
            seen=seen,
        )

    def add_priority(
        self, plan_id: int, number: str, title: str, objective: str, note: str = ""
    ) -> ChangeResult:
        return self._edit(
            lambda s, c: catalog.add_priority(s, c, plan_id, number, title, objective),
            note,
            not_undoable="Adding a priority cannot be undone.",
        )

    def undo(self, batch: str, note: str = "Undone") -> ChangeResult:
        """Reverse an earlier edit's batch: items' fields, a review's, a priority's."""
        return self._edit(lambda s, c: catalog.undo_batch(s, c, batch), note, source="undo")

    def save_review(
        self,
        review_id: int | None,
        values: dict[str, object],
        note: str = "",
        *,
        seen: int | None = None,
    ) -> ChangeResult:
        """Add (``review_id`` None) or edit a review; ``changed`` counts the history rows written
        (none when nothing changed, which then goes on no undo list)."""

        def work(session: Session, ctx: EditContext) -> int:
            catalog.save_review(session, ctx, review_id, values)
            return edits.rows_written(session, ctx)

        adding = "Adding a review cannot be undone." if review_id is None else ""
        return self._edit(work, note, not_undoable=adding, guard=("review", review_id), seen=seen)

    def set_priority_rating(
        self, priority_id: int, rating: Rating | None, note: str, *, seen: int | None = None
    ) -> ChangeResult:
        return self._edit(
            lambda s, c: int(catalog.set_priority_rating(s, c, priority_id, rating)),
            note,
            guard=("priority", priority_id),
            seen=seen,
        )

    def update_priority(
        self, priority_id: int, title: str, objective: str, note: str, *, seen: int | None = None
    ) -> ChangeResult:
        return self._edit(
            lambda s, c: catalog.update_priority(s, c, priority_id, title, objective),
            note,
            guard=("priority", priority_id),
            seen=seen,
        )

    def record_meeting(self, group: str, held_on: date) -> ChangeResult:
        return self._edit(
            lambda s, c: catalog.record_meeting(s, c, group, held_on).id,
            not_undoable="Recording a meeting cannot be undone.",
        )

    def delete_meeting(self, meeting_id: int, note: str, *, seen: int | None = None) -> ChangeResult:
        return self._edit(
            lambda s, c: catalog.delete_meeting(s, c, meeting_id),
            note,
            not_undoable="Removing a meeting cannot be undone; record it again if it was held.",
            guard=("meeting", meeting_id),
            seen=seen,
        )

    def create_agency(self, name: str, short_name: str, kind: AgencyKind) -> ChangeResult:
        return self._edit(lambda s, c: catalog.create_agency(s, c, name, short_name, kind).id)
