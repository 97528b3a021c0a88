"""The edits a user makes on items, shared by the log, the item screen and the chair's pass.

A screen mixes in :class:`ItemActions` and says which items an action applies to
(``target_ids``), which rows it redraws after a change (``rows_to_redraw``) and what to do
after a saved change (``after_edit``). Each change is committed with its history in the
form's worker, together with a fresh read of those rows; the form closes only then, so the
screen draws the saved change in one repaint, and a refused change leaves the form open
with what was typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.binding import Binding

from sscp_tui.db.enums import Rating
from sscp_tui.errors import EditError, OpenActions
from sscp_tui.screens.forms import (
    ConfirmModal,
    FormField,
    FormModal,
    a_timescale,
    note_field,
    note_form,
    required,
    reused,
)
from sscp_tui.services.records import ChangeResult, ItemDetail, ItemRow, rating_label
from sscp_tui.services.timescales import parse_timescale

if TYPE_CHECKING:
    from sscp_tui.screens.base import TrackerScreen
    from sscp_tui.services.tracker import Tracker

RATING_BINDINGS = [
    Binding("g", "rate('green')", "Green", id="item.rate_green", tooltip="Rate Green (a note says why)"),
    Binding("a", "rate('amber')", "Amber", id="item.rate_amber", tooltip="Rate Amber (a note says why)"),
    Binding("r", "rate('red')", "Red", id="item.rate_red", tooltip="Rate Red (a note says why)"),
    Binding("b", "complete", "Blue (closed)", id="item.complete",
            tooltip="Close it (Blue), with its evidence of completion and of impact"),
    Binding("d", "delivered", "Delivered (Green)", id="item.delivered", show=False,
            tooltip="Mark it delivered (Green), with its evidence of completion"),
    Binding("U", "rate('unrated')", "Unrated", id="item.rate_none", show=False,
            tooltip="Take its rating away"),
]  # fmt: skip
EDIT_BINDINGS = [
    Binding("n", "update", "Update", id="item.update", tooltip="Add a progress update"),
    Binding("t", "timescale", "Timescale", id="item.timescale",
            tooltip="Revise the timescale (the original stays on record)"),
    Binding("o", "reassign", "Lead agency", id="item.reassign", show=False,
            tooltip="Re-assign the lead agency"),
    Binding("e", "edit", "Edit", id="item.edit", show=False,
            tooltip="Edit its text, reference, owner and more"),
    Binding("delete", "delete", "Delete", id="item.delete", show=False,
            tooltip="Delete it from the log (history keeps it; u undoes)"),
]  # fmt: skip

logger = logging.getLogger(__name__)

# What was typed, and the tracker's change marker as the user looked → the committed change.
Change = Callable[[dict[str, str], int | None], ChangeResult]
Message = str | Callable[[dict[str, str]], str]  # what to say once saved


def _completion_field(evidence: str) -> FormField:
    """The evidence of completion, as recorded so far: asked when delivered and when closed."""
    return FormField("evidence", "Evidence of completion (what was done)", evidence,
                     kind="text", validate=required("Evidence of completion"))  # fmt: skip


def complete_fields(evidence: str = "", impact: str = "") -> list[FormField]:
    return [
        _completion_field(evidence),
        FormField("impact", "Evidence of impact (what shows it worked: a re-audit, say)",
                  impact, kind="text", validate=required("Evidence of impact")),
        note_field("Note for the history", "Evidence accepted"),
    ]  # fmt: skip


def delivered_fields(evidence: str = "") -> list[FormField]:
    return [
        _completion_field(evidence),
        note_field("Note for the history", "Delivered; awaiting evidence of impact"),
    ]


def timescale_fields() -> list[FormField]:
    return [
        FormField("timescale", "New timescale, as agreed (e.g. 31/03/2027, March 2027, Q4 2026-27)",
                  validate=_timescale_given, hint=timescale_hint),
        note_field("Why was it revised? (the original stays on record)"),
    ]  # fmt: skip


def reassign_fields(agencies: list[tuple[str, str]]) -> list[FormField]:
    # The agency is chosen, never assumed: it moves whole lists.
    chosen = FormField(
        "agency", "Lead agency", kind="select", options=agencies, validate=required("An agency")
    )
    return [chosen, note_field()]


def update_fields() -> list[FormField]:
    ratings = [(rating_label(r), r.value) for r in (Rating.RED, Rating.AMBER, Rating.GREEN, Rating.BLUE)]
    return [
        FormField("text", "Progress update", kind="text", validate=required("The update")),
        FormField("proposed", "Propose a rating for the chair (optional)", kind="select", options=ratings),
    ]


def agency_choices(tracker: Tracker, *, active_only: bool = False) -> list[tuple[str, str]]:
    """The agencies as a choice offers them: "SP — Surrey Police", chosen as its short name."""
    return [(f"{a.short_name} — {a.name}", a.short_name) for a in tracker.agencies()
            if a.active or not active_only]  # fmt: skip


def edit_fields(detail: ItemDetail | None, agencies: list[tuple[str, str]]) -> list[FormField]:
    """An item's every field, as it stands (blank, for a form made ahead)."""
    row = detail.row if detail else None
    completion, impact = (detail.evidence_completion, detail.evidence_impact) if detail else ("", "")
    return [
        FormField("reference", "Reference", row.reference if row else "", validate=required("A reference")),
        FormField("text", "Text", row.text if row else "", kind="text", validate=required("The text")),
        FormField("lead_agency", "Lead agency", (row.lead_agency if row else "") or "", kind="select",
                  options=agencies),
        FormField("supporting_agencies", "Supporting agencies (short names, separated by ;)",
                  "; ".join(detail.supporting_agencies) if detail else "", validate=_agency_list(agencies)),
        FormField("themes", "Themes (separated by ;)", "; ".join(row.themes) if row else ""),
        FormField("timescale", "Timescale as written", row.timescale if row else "", hint=timescale_hint,
                  validate=a_timescale),
        FormField("owner", "Owner (a role)", detail.owner if detail else ""),
        FormField("evidence_completion", "Evidence of completion", completion, kind="text"),
        FormField("evidence_impact", "Evidence of impact", impact, kind="text"),
        note_field(),
    ]  # fmt: skip


def _timescale_given(value: str) -> str | None:
    return required("A timescale")(value) or a_timescale(value)


def timescale_hint(text: str) -> str:
    return "→ " + parse_timescale(text).describe() if text.strip() else ""


@dataclass(frozen=True, slots=True)
class Saved:
    """A committed change, and the rows its screen redraws as they now stand."""

    result: ChangeResult
    rows: tuple[ItemRow, ...]
    message: str


class ItemActions:
    """Mixin for a TrackerScreen."""

    def target_ids(self) -> list[int]:
        raise NotImplementedError

    def target_label(self, ids: list[int]) -> str:
        return f"{len(ids)} selected items" if len(ids) != 1 else "this item"

    def rows_to_redraw(self, result: ChangeResult) -> list[int]:
        """(In the edit's worker.) Items whose rows ``after_edit`` is given, read just after
        the commit; none by default."""
        return []

    def read_rows(self, ids: list[int]) -> Sequence[ItemRow]:
        """(In the edit's worker.) The rows ``rows_to_redraw`` named, as this screen shows them."""
        return self._screen.tracker.rows(ids)

    def after_edit(self, result: ChangeResult, message: str, rows: Sequence[ItemRow]) -> None:
        raise NotImplementedError

    def default_note(self, rating: Rating | None) -> str:
        """A note to offer (the user may change it); none by default."""
        return ""

    def form_context(self) -> Text | str:
        """What to decide with, shown in a change's form over the item (none by default)."""
        return ""

    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        """The forms this screen's keys ask, to be made while the user reads (see sscp_tui.ahead):
        the rating note first, the commonest."""
        return [
            lambda: note_form(""),
            lambda: FormModal("", update_fields()),
            lambda: FormModal("", timescale_fields()),
            lambda: FormModal("", edit_fields(None, self._agencies())),
            lambda: FormModal("", reassign_fields(self._agencies(active_only=True))),
            lambda: FormModal("", delivered_fields()),
            lambda: FormModal("", complete_fields()),
        ]

    # --- helpers -----------------------------------------------------------------------------
    def _agencies(self, *, active_only: bool = False) -> list[tuple[str, str]]:
        return agency_choices(self._screen.tracker, active_only=active_only)

    @property
    def _screen(self) -> TrackerScreen:
        return cast("TrackerScreen", self)

    def _targets(self) -> list[int] | None:
        ids = self.target_ids()
        if not ids:
            self._screen.say("Nothing selected.", severity="warning")
            return None
        return ids

    def edit_in_form(
        self, form: FormModal, change: Change, message: Message, *, removes_items: bool = False
    ) -> None:
        """Show ``form``; Save commits ``change`` with what was typed, in the form's worker,
        and the form closes once it is committed (an EditError is shown in the form). The
        screen takes in the saved change just before the form closes."""

        if self._screen.refused_read_only():
            return
        looked = self._screen.looked()
        form = reused(self._screen.app, form)

        def commit(values: dict[str, str]) -> Saved:
            result = looked.saving(self._screen, lambda: change(values, looked.at))
            # Committed: from here on nothing may say otherwise (the form would offer to save
            # again). Should reading the rows back fail, the screen reloads them instead.
            try:
                redraw = self.rows_to_redraw(result)
                rows = tuple(self.read_rows(redraw)) if redraw else ()
                said = message if isinstance(message, str) else message(values)
                said = left_alone(said, result)
            except Exception:
                logger.exception("Saved, but reading the edited rows back failed")
                return Saved(result, (), "Saved.")
            return Saved(result, rows, said)

        form.commit_with(commit, lambda saved: self._saved(saved, removes_items))
        self._screen.app.push_screen(form)

    def _saved(self, saved: Saved, removes_items: bool) -> None:
        screen = self._screen
        screen.sscp.remember(saved.result, saved.message)
        screen.mark_seen()  # the screen reloads what it needs below, not again on its return
        if removes_items:
            self.after_removal(saved.result, saved.message)
        else:
            self.after_edit(saved.result, saved.message, saved.rows)

    def after_removal(self, result: ChangeResult, message: str) -> None:
        """After items left the log (deleted); by default the same as any other edit."""
        self.after_edit(result, message, ())

    # --- actions ---------------------------------------------------------------------------
    def action_rate(self, value: str) -> None:
        ids = self._targets()
        if ids is None:
            return
        rating = None if value == "unrated" else Rating(value)
        label = rating_label(rating)
        tracker = self._screen.tracker
        self.edit_in_form(
            note_form(
                f"Rate {self.target_label(ids)} {label}",
                self.default_note(rating),
                context=self.form_context(),
            ),
            lambda values, seen: tracker.set_rating(ids, rating, values["note"], seen=seen),
            f"Saved: {label} for {self.target_label(ids)}.",
        )

    def _one_with_evidence(self, what: str) -> ItemDetail | None:
        """The one item a closing form is for (each needs its own evidence), or None, said."""
        ids = self._targets()
        if ids is None:
            return None
        if len(ids) > 1:
            self._screen.say(f"Mark items {what} one at a time: each needs its evidence.", severity="warning")
            return None
        detail = self._screen.tracker.item(ids[0])
        if detail is None:
            self._screen.say("That item no longer exists.", severity="error")
        return detail

    def action_complete(self) -> None:
        detail = self._one_with_evidence("closed")
        if detail is None:
            return
        tracker, item_id = self._screen.tracker, detail.row.id
        fields = complete_fields(detail.evidence_completion, detail.evidence_impact)
        told: list[tuple[str, ...]] = []  # the open actions the user has been told of

        def close(values: dict[str, str], seen: int | None) -> ChangeResult:
            try:
                return tracker.mark_complete(item_id, values["evidence"], values["impact"], values["note"],
                                             with_open_actions=bool(told), seen=seen)  # fmt: skip
            except OpenActions as exc:  # said once; saving again closes it all the same
                told.append(exc.open_refs)
                raise EditError(f"{exc} Save again to close it all the same (the pack will list it), or "
                                "press Escape and close its actions first.") from exc  # fmt: skip

        label = f"{detail.row.source} {detail.row.reference}"
        self.edit_in_form(
            FormModal(f"Close {label} (Blue)", fields),
            close,
            f"Saved: {label} closed (Blue) with its evidence.",
        )

    def action_delivered(self) -> None:
        detail = self._one_with_evidence("delivered")
        if detail is None:
            return
        tracker, item_id = self._screen.tracker, detail.row.id
        fields = delivered_fields(detail.evidence_completion)
        label = f"{detail.row.source} {detail.row.reference}"
        self.edit_in_form(
            FormModal(f"Mark {label} delivered (Green)", fields),
            lambda values, seen: tracker.mark_delivered(
                item_id, values["evidence"], values["note"], seen=seen
            ),
            f"Saved: {label} delivered (Green), awaiting evidence of impact.",
        )

    def action_timescale(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        fields = timescale_fields()
        tracker = self._screen.tracker
        self.edit_in_form(
            FormModal(
                f"Revise the timescale of {self.target_label(ids)}", fields, context=self.form_context()
            ),
            lambda values, seen: tracker.revise_timescale(
                ids, values["timescale"], values["note"], seen=seen
            ),
            f"Saved: timescale revised for {self.target_label(ids)}.",
        )

    def action_reassign(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        fields = reassign_fields(self._agencies(active_only=True))
        tracker = self._screen.tracker
        self.edit_in_form(
            FormModal(f"Re-assign {self.target_label(ids)}", fields),
            lambda values, seen: tracker.set_lead_agency(ids, values["agency"], values["note"], seen=seen),
            lambda values: f"Saved: {values['agency']} now leads {self.target_label(ids)}.",
        )

    def action_update(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        if len(ids) > 1:
            self._screen.say("Add a progress update to one item at a time.", severity="warning")
            return
        fields = update_fields()
        tracker = self._screen.tracker

        def add(values: dict[str, str], seen: int | None) -> ChangeResult:
            proposed = Rating(values["proposed"]) if values["proposed"] else None
            return tracker.add_update(ids[0], values["text"], proposed, seen=seen)

        label = self.target_label(ids)
        form = FormModal(f"Add a progress update to {label}", fields, context=self.form_context())
        self.edit_in_form(form, add, f"Saved: progress update added to {label}.")

    def action_edit(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        detail = self._screen.tracker.item(ids[0])
        if detail is None:
            self._screen.say("That item no longer exists.", severity="error")
            return
        agencies = self._agencies()
        row = detail.row
        fields = edit_fields(detail, agencies)
        before = {f.name: f.value for f in fields}

        known = {short.casefold(): short for _, short in agencies}

        def changed(values: dict[str, str]) -> dict[str, str | None]:
            typed = {k: v for k, v in values.items() if k != "note"}
            parts = [p.strip() for p in typed["supporting_agencies"].split(";") if p.strip()]
            typed["supporting_agencies"] = "; ".join(known.get(p.casefold(), p) for p in parts)
            return {k: v for k, v in typed.items() if v != before[k]}

        def update(values: dict[str, str], seen: int | None) -> ChangeResult:
            changes = changed(values)
            if not changes:
                raise EditError("Nothing has changed: change a field, or press Escape to close.")
            return self._screen.tracker.update_item(ids[0], changes, values["note"], seen=seen)

        self.edit_in_form(
            FormModal(f"Edit {row.source} {row.reference}", fields),
            update,
            lambda values: f"Saved: {len(changed(values))} field(s) changed.",
        )

    def action_delete(self) -> None:
        ids = self._targets()
        if ids is None:
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                tracker = self._screen.tracker
                self.edit_in_form(
                    note_form(f"Why delete {self.target_label(ids)}?"),
                    lambda values, seen: tracker.delete(ids, values["note"], seen=seen),
                    f"Deleted {self.target_label(ids)} (recorded in history; u undoes).",
                    removes_items=True,
                )

        question = f"Delete {self.target_label(ids)}? It leaves the log; the history keeps it."
        self._screen.app.push_screen(ConfirmModal(question), confirmed)


def left_alone(said: str, result: ChangeResult) -> str:
    """What a saved edit of several items says, with the items left alone as someone else
    changed them since the user looked, if any: both counts, and which."""
    if not result.left_alone:
        return said
    left = len(result.left_alone)
    named = "; ".join(result.left_alone[:3]) + (f"; and {left - 3} more" if left > 3 else "")
    saved = result.saved_items
    return (f"{said.rstrip('.')}: {saved} saved; {left} left alone, changed by someone else since you "
            f"looked ({named}).")  # fmt: skip


def _agency_list(agencies: list[tuple[str, str]]) -> Callable[[str], str | None]:
    known = {short.casefold(): short for _, short in agencies}

    def check(value: str) -> str | None:
        for part in (p.strip() for p in value.split(";")):
            if part and part.casefold() not in known:
                examples = ", ".join(list(known.values())[:4])
                return f"There is no agency '{part}'; use short names such as {examples}."
        return None

    return check
