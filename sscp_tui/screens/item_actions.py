"""The edits a user makes on items, shared by the log, the item screen and the chair's pass.

A screen mixes in :class:`ItemActions` and says which items an action applies to
(``target_ids``) and what to do after a saved change (``after_edit``). Each change runs in a
worker, is committed with its history, and only then is reported as saved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import work
from textual.binding import Binding

from sscp_tui.db.enums import Rating
from sscp_tui.errors import EditError
from sscp_tui.screens.forms import ConfirmModal, FormField, FormModal, note_form, required
from sscp_tui.services.records import ChangeResult, rating_label
from sscp_tui.services.timescales import parse_timescale

if TYPE_CHECKING:
    from sscp_tui.screens.base import TrackerScreen

RATING_BINDINGS = [
    Binding("g", "rate('green')", "Green", id="item.rate_green"),
    Binding("a", "rate('amber')", "Amber", id="item.rate_amber"),
    Binding("r", "rate('red')", "Red", id="item.rate_red"),
    Binding("b", "complete", "Blue (complete)", id="item.complete"),
    Binding("U", "rate('unrated')", "Unrated", id="item.rate_none", show=False),
]
EDIT_BINDINGS = [
    Binding("n", "update", "Update", id="item.update"),
    Binding("t", "timescale", "Timescale", id="item.timescale"),
    Binding("o", "reassign", "Lead agency", id="item.reassign", show=False),
    Binding("e", "edit", "Edit", id="item.edit", show=False),
    Binding("delete", "delete", "Delete", id="item.delete", show=False),
]


def timescale_hint(text: str) -> str:
    return "→ " + parse_timescale(text).describe() if text.strip() else ""


class ItemActions:
    """Mixin for a TrackerScreen."""

    def target_ids(self) -> list[int]:
        raise NotImplementedError

    def target_label(self, ids: list[int]) -> str:
        return f"{len(ids)} selected items" if len(ids) != 1 else "this item"

    def after_edit(self, result: ChangeResult, message: str) -> None:
        raise NotImplementedError

    def default_note(self, rating: Rating | None) -> str:
        """A note to offer (the user may change it); none by default."""
        return ""

    # --- helpers -----------------------------------------------------------------------------
    @property
    def _screen(self) -> TrackerScreen:
        return cast("TrackerScreen", self)

    def _targets(self) -> list[int] | None:
        ids = self.target_ids()
        if not ids:
            self._screen.say("Nothing selected.", severity="warning")
            return None
        return ids

    @work(thread=True, exclusive=True, group="edit", exit_on_error=False)
    def save_change(
        self, change: Callable[[], ChangeResult], message: str, *, removes_items: bool = False
    ) -> None:
        screen = self._screen
        try:
            result = change()
        except EditError as exc:
            screen.app.call_from_thread(screen.say, str(exc), severity="error")
            screen.app.call_from_thread(screen.refresh_data)
            return
        screen.app.call_from_thread(self._saved, result, message, removes_items)

    def _saved(self, result: ChangeResult, message: str, removes_items: bool) -> None:
        screen = self._screen
        screen.sscp.remember(result)
        screen.mark_seen()  # the screen reloads what it needs below, not again on its return
        if removes_items:
            self.after_removal(result, message)
        else:
            self.after_edit(result, message)

    def after_removal(self, result: ChangeResult, message: str) -> None:
        """After items left the log (deleted); by default the same as any other edit."""
        self.after_edit(result, message)

    # --- actions ---------------------------------------------------------------------------
    def action_rate(self, value: str) -> None:
        ids = self._targets()
        if ids is None:
            return
        rating = None if value == "unrated" else Rating(value)
        label = rating_label(rating)
        title = f"Rate {self.target_label(ids)} {label}"

        def done(values: dict[str, str] | None) -> None:
            if values:
                self.optimistic_rating(ids, rating)
                tracker = self._screen.tracker
                self.save_change(
                    partial(tracker.set_rating, ids, rating, values["note"]),
                    f"Saved: {label} for {self.target_label(ids)}.",
                )

        self._screen.app.push_screen(note_form(title, self.default_note(rating)), done)

    def optimistic_rating(self, ids: list[int], rating: Rating | None) -> None:
        """Show the new rating at once, before the commit returns (screens may override)."""

    def action_complete(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        if len(ids) > 1:
            self._screen.say(
                "Mark items complete one at a time: each needs its evidence.", severity="warning"
            )
            return
        fields = [
            FormField("evidence", "Evidence of completion", kind="text", validate=required("Evidence")),
            FormField("impact", "Evidence of impact (optional)", kind="text"),
            FormField("note", "Note for the history", "Evidence accepted", validate=required("A note")),
        ]

        def done(values: dict[str, str] | None) -> None:
            if values:
                tracker = self._screen.tracker
                self.save_change(
                    partial(
                        tracker.mark_complete,
                        ids[0],
                        values["evidence"],
                        values["impact"],
                        values["note"],
                    ),
                    "Saved: marked complete (Blue) with its evidence.",
                )

        self._screen.app.push_screen(FormModal("Mark complete (Blue)", fields), done)

    def action_timescale(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        fields = [
            FormField("timescale", "New timescale, as agreed (e.g. 31/03/2027, March 2027, Q4 2026-27)",
                      validate=required("A timescale"), hint=timescale_hint),
            FormField("note", "Why was it revised? (the original stays on record)",
                      validate=required("A note")),
        ]  # fmt: skip

        def done(values: dict[str, str] | None) -> None:
            if values:
                tracker = self._screen.tracker
                self.save_change(
                    partial(tracker.revise_timescale, ids, values["timescale"], values["note"]),
                    f"Saved: timescale revised for {self.target_label(ids)}.",
                )

        self._screen.app.push_screen(
            FormModal(f"Revise the timescale of {self.target_label(ids)}", fields), done
        )

    def action_reassign(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        agencies = [
            (f"{a.short_name} — {a.name}", a.short_name) for a in self._screen.tracker.agencies() if a.active
        ]
        fields = [
            FormField(
                "agency",
                "Lead agency",
                kind="select",
                options=agencies,
                validate=required("An agency"),
            ),
            FormField("note", "Why? (recorded in history)", validate=required("A note")),
        ]

        def done(values: dict[str, str] | None) -> None:
            if values:
                tracker = self._screen.tracker
                self.save_change(
                    partial(tracker.set_lead_agency, ids, values["agency"], values["note"]),
                    f"Saved: {values['agency']} now leads {self.target_label(ids)}.",
                )

        self._screen.app.push_screen(FormModal(f"Re-assign {self.target_label(ids)}", fields), done)

    def action_update(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        if len(ids) > 1:
            self._screen.say("Add a progress update to one item at a time.", severity="warning")
            return
        ratings = [(rating_label(r), r.value) for r in (Rating.RED, Rating.AMBER, Rating.GREEN, Rating.BLUE)]
        fields = [
            FormField("text", "Progress update", kind="text", validate=required("The update")),
            FormField(
                "proposed",
                "Propose a rating for the chair (optional)",
                kind="select",
                options=ratings,
            ),
        ]

        def done(values: dict[str, str] | None) -> None:
            if values:
                tracker = self._screen.tracker
                proposed = Rating(values["proposed"]) if values["proposed"] else None
                self.save_change(
                    partial(tracker.add_update, ids[0], values["text"], proposed),
                    "Saved: progress update added.",
                )

        self._screen.app.push_screen(FormModal("Add a progress update", fields), done)

    def action_edit(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        detail = self._screen.tracker.item(ids[0])
        if detail is None:
            self._screen.say("That item no longer exists.", severity="error")
            return
        agencies = [(f"{a.short_name} — {a.name}", a.short_name) for a in self._screen.tracker.agencies()]
        row = detail.row
        fields = [
            FormField("reference", "Reference", row.reference, validate=required("A reference")),
            FormField("text", "Text", row.text, kind="text", validate=required("The text")),
            FormField("lead_agency", "Lead agency", row.lead_agency or "", kind="select", options=agencies),
            FormField("supporting_agencies", "Supporting agencies (short names, separated by ;)",
                      "; ".join(detail.supporting_agencies), validate=_agency_list(agencies)),
            FormField("themes", "Themes (separated by ;)", "; ".join(row.themes)),
            FormField("timescale", "Timescale as written", row.timescale, hint=timescale_hint),
            FormField("owner", "Owner (a role)", detail.owner),
            FormField("evidence_completion", "Evidence of completion", detail.evidence_completion,
                      kind="text"),
            FormField("evidence_impact", "Evidence of impact", detail.evidence_impact, kind="text"),
            FormField("note", "Why? (recorded in history)", validate=required("A note")),
        ]  # fmt: skip
        before = {f.name: f.value for f in fields}

        def done(values: dict[str, str] | None) -> None:
            if not values:
                return
            note = values.pop("note")
            known = {short.casefold(): short for _, short in agencies}
            parts = [p.strip() for p in values["supporting_agencies"].split(";") if p.strip()]
            values["supporting_agencies"] = "; ".join(known.get(p.casefold(), p) for p in parts)
            changes: dict[str, str | None] = {k: v for k, v in values.items() if v != before[k]}
            if not changes:
                self._screen.say("Nothing changed.")
                return
            tracker = self._screen.tracker
            self.save_change(
                partial(tracker.update_item, ids[0], changes, note),
                f"Saved: {len(changes)} field(s) changed.",
            )

        self._screen.app.push_screen(FormModal(f"Edit {row.source} {row.reference}", fields), done)

    def action_delete(self) -> None:
        ids = self._targets()
        if ids is None:
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._screen.app.push_screen(note_form(f"Why delete {self.target_label(ids)}?"), noted)

        def noted(values: dict[str, str] | None) -> None:
            if values:
                tracker = self._screen.tracker
                self.save_change(
                    partial(tracker.delete, ids, values["note"]),
                    f"Deleted {self.target_label(ids)} (recorded in history; u undoes).",
                    removes_items=True,
                )

        question = f"Delete {self.target_label(ids)}? It leaves the log; the history keeps it."
        self._screen.app.push_screen(ConfirmModal(question), confirmed)


def _agency_list(agencies: list[tuple[str, str]]) -> Callable[[str], str | None]:
    known = {short.casefold(): short for _, short in agencies}

    def check(value: str) -> str | None:
        for part in (p.strip() for p in value.split(";")):
            if part and part.casefold() not in known:
                examples = ", ".join(list(known.values())[:4])
                return f"There is no agency '{part}'; use short names such as {examples}."
        return None

    return check
