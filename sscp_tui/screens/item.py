"""One recommendation or action in full: text, agencies, timescale, updates and history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from sscp_tui.screens.base import Kept, TrackerScreen
from sscp_tui.screens.forms import FormField, FormModal, note_field, required
from sscp_tui.screens.item_actions import EDIT_BINDINGS, RATING_BINDINGS, ItemActions
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.conflicts import update_gist
from sscp_tui.services.demo import ILLUSTRATIVE_MARK
from sscp_tui.services.records import ChangeResult, HistoryRecord, ItemDetail, ItemRow, rating_label
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.rating import rating_text

FIELD_NAMES = {
    "rating": "Rating",
    "timescale": "Timescale",
    "due_on": "Due date",
    "lead_agency": "Lead agency",
    "supporting_agencies": "Supporting agencies",
    "themes": "Themes",
    "reference": "Reference",
    "text": "Text",
    "owner": "Owner",
    "evidence_completion": "Evidence of completion",
    "evidence_impact": "Evidence of impact",
    "deleted": "Deleted",
    "created": "Added to the log",
    "reconfirmed": "Rating reconfirmed",
    "progress update": "Progress update added",
    "progress update withdrawn": "Progress update withdrawn",
    "withdrawn": "Withdrawn",
}


def history_value(field: str, value: str | None) -> str:
    if value is None:
        return "unrated" if field == "rating" else "—"
    if field in ("rating", "reconfirmed"):
        return value.capitalize()
    return value


class ItemScreen(Kept, ItemActions, TrackerScreen):
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="item.back"),
        *RATING_BINDINGS,
        *EDIT_BINDINGS,
        Binding("w", "withdraw_update", "Withdraw an update", id="item.withdraw_update", show=False),
    ]

    KEPT_AS = "item:kept"  # one kept, given each item opened (see forms.reused)

    def __init__(self, item_id: int, detail: ItemDetail | None = None) -> None:
        """``detail``, where the opener has read it already (TrackerScreen.open_item)."""
        super().__init__()
        self.item_id = item_id
        self.detail: ItemDetail | None = detail

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="item-body"):
            yield Static(id="item-head")
            yield Static(id="item-facts")
            yield Static(id="item-updates")
            yield Static(id="item-history")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "Item"
        self.built = True
        if self.detail is not None:
            self.show(self.detail)
        elif not self.ahead:  # (made ahead: no item until one is opened)
            self.load()

    def kept_as(self) -> str:
        return self.KEPT_AS

    def take(self, fresh: ItemScreen) -> bool:
        """(The screen kept, before it is shown again.) Show ``fresh``'s item, read already,
        from its top, with nothing of the one before: no text selected, and no read of it still
        to come."""
        if fresh.detail is None:
            return False  # (to be read as it opens: the fresh screen does that)
        self.workers.cancel_group(self, "item")
        self.item_id = fresh.item_id
        self.clear_selection()
        self.show(fresh.detail)
        self.query_one("#item-body", VerticalScroll).scroll_home(animate=False, immediate=True)
        self.mark_seen()  # (just read: its return to the top is no reason to read it again)
        return True

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="item", exit_on_error=False)
    def load(self) -> None:
        item_id = self.item_id
        detail = self.tracker.item(item_id)
        self.app.call_from_thread(self._loaded, item_id, detail)

    def _loaded(self, item_id: int, detail: ItemDetail | None) -> None:
        # The screen kept may have been given another item since the read began (see take):
        # what it shows, and what its keys change, are always the same item.
        if item_id == self.item_id:
            self.show(detail)

    def show(self, detail: ItemDetail | None) -> None:
        self.detail = detail
        if detail is None:
            self.say("That item is no longer in the log.", severity="warning")
            if self.app.screen is self:  # (not a form open over it, nor another screen)
                self.app.pop_screen()
            return
        row = detail.row
        variables = self.app.theme_variables
        head = Text()
        head.append(f"{row.source}  ·  {row.kind.value.capitalize()} {row.reference}\n", style="bold")
        head.append_text(rating_text(row.rating, variables))
        alerts = [a.label for a in ALERT_SEVERITY if a in row.alerts]
        if alerts:
            head.append("  " + " · ".join(alerts), style="bold")
        head.append("\n\n")
        head.append(row.text)
        if detail.illustrative:
            head.append(f"\n({illustrative_sentence(detail)})", style="italic")
        self.query_one("#item-head", Static).update(head)

        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column()
        lead = f"{row.lead_agency} — {detail.lead_agency_name}" if row.lead_agency else "none"
        due = f"{row.due_on:%d %b %Y}" if row.due_on else "no date can be derived"
        facts.add_row("Lead agency", Text(lead))
        facts.add_row("Supporting", Text(", ".join(detail.supporting_agencies) or "none"))
        facts.add_row("Themes", Text(", ".join(row.themes) or "none"))
        facts.add_row("Timescale", Text(f"{row.timescale or '(none written)'}  →  {due}"))
        if (detail.original_timescale, detail.original_due_on) != (row.timescale, row.due_on):
            original = detail.original_due_on.strftime("%d %b %Y") if detail.original_due_on else "no date"
            facts.add_row("Originally", Text(f"{detail.original_timescale or '(none)'}  →  {original}"))
        if row.revisions:
            times = "once" if row.revisions == 1 else f"{row.revisions} times"
            facts.add_row("Revised", Text(f"the timescale has been revised {times}"))
        if row.days_overdue:
            facts.add_row("Overdue", Text(f"{row.days_overdue} days"))
        if row.awaiting_impact_since is not None:
            waited = (
                f"awaiting evidence of impact for {row.awaiting_days} days (b closes it with that evidence)"
            )
            facts.add_row("Delivered", Text(f"{row.awaiting_impact_since:%d %b %Y}, {waited}"))
        facts.add_row("Owner", Text(detail.owner or "—"))
        facts.add_row("Evidence of completion", Text(detail.evidence_completion or "—"))
        facts.add_row("Evidence of impact", Text(detail.evidence_impact or "—"))
        if detail.parent_reference:
            facts.add_row("Under recommendation", Text(detail.parent_reference))
        if detail.children:
            facts.add_row(
                "Actions",
                Text(", ".join(f"{c.reference} ({rating_label(c.rating)})" for c in detail.children)),
            )
        self.query_one("#item-facts", Static).update(Group(Text("\nDetails", style="bold underline"), facts))

        updates: list[Text] = [
            Text(f"\nProgress updates ({len(detail.updates)}), newest first", style="bold underline")
        ]
        for update in detail.updates:
            line = Text(f"{update.written_on:%d %b %Y}  {update.author}", style="bold")
            if update.proposed_rating:
                line.append("  proposes ")
                line.append_text(rating_text(update.proposed_rating, variables))
            updates += [line, Text(update.text), Text("")]
        if not detail.updates:
            updates.append(Text("No progress updates yet. n adds one."))
        self.query_one("#item-updates", Static).update(Group(*updates))
        self.query_one("#item-history", Static).update(history_table(detail.history))

    # --- ItemActions -----------------------------------------------------------------------
    def target_ids(self) -> list[int]:
        return [self.item_id]

    def target_label(self, ids: list[int]) -> str:
        if self.detail:
            return f"{self.detail.row.source} {self.detail.row.reference}"
        return "this item"

    def after_edit(self, result: ChangeResult, message: str, rows: Sequence[ItemRow]) -> None:
        self.say(message)
        self.load()

    def action_withdraw_update(self) -> None:
        """A progress update added by mistake (to the wrong item, say) withdrawn, with why: it
        leaves the item's updates, packs and exports, and its history keeps it."""
        detail = self.detail
        if detail is None or not detail.updates:
            self.say("This item has no progress update to withdraw.", severity="warning")
            return
        choices = [(f"{u.written_on:%d %b %Y}, {u.author}: {update_gist(u.text, 60)}", str(u.id))
                   for u in detail.updates]  # fmt: skip
        fields = [
            FormField("update", "Which update?", choices[0][1], kind="select", options=choices, blank=None,
                      validate=required("An update")),
            note_field("Why is it withdrawn? (history keeps it)"),
        ]  # fmt: skip
        tracker, item_id = self.tracker, detail.row.id
        label = f"{detail.row.source} {detail.row.reference}"
        self.edit_in_form(
            FormModal(f"Withdraw a progress update of {label}", fields, submit="Withdraw"),
            lambda values, seen: tracker.withdraw_update(
                item_id, int(values["update"]), values["note"], seen=seen
            ),
            f"Withdrawn: the update leaves {label}'s updates, packs and exports; its history keeps it.",
        )


def illustrative_sentence(detail: ItemDetail) -> str:
    """What was invented, as recorded when the item was added (the demo says so there), or, for
    an item that came without that record, that some of it was."""
    added = next((h for h in detail.history if h.field == "created"), None)
    if added is not None and ILLUSTRATIVE_MARK in added.note:
        return added.note[added.note.index(ILLUSTRATIVE_MARK) :].strip()
    return f"{ILLUSTRATIVE_MARK}not a real record; some or all of its detail was made up."


def history_table(history: tuple[HistoryRecord, ...]) -> Group:
    table = Table(show_edge=False, expand=True, pad_edge=False)
    for label in ("When", "Who", "What", "From", "To", "Why"):
        table.add_column(label, overflow="fold")
    for entry in history:
        table.add_row(
            Text(f"{entry.changed_at:%d %b %Y %H:%M}"),
            Text(entry.author),
            Text(FIELD_NAMES.get(entry.field, entry.field) + (" (undo)" if entry.source == "undo" else "")),
            Text(history_value(entry.field, entry.old_value)),
            Text(history_value(entry.field, entry.new_value)),
            Text(entry.note),
        )
    return Group(Text(f"\nHistory ({len(history)} changes), newest first", style="bold underline"), table)
