"""The chair's pass: every open item of a scope, worst first, rated one key at a time.

Progress is kept in the state file after every step, so leaving and coming back resumes
where the chair stopped; the pass ends with a summary of what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, ProgressBar, Static
from textual.worker import get_current_worker

from sscp_tui.db.enums import Rating
from sscp_tui.screens.base import TrackerScreen
from sscp_tui.screens.forms import ChoiceModal, reused
from sscp_tui.screens.item_actions import ItemActions
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.records import (
    AlertKind,
    ChangeResult,
    ItemDetail,
    ItemFilter,
    ItemRow,
    ItemState,
    SortKey,
    rating_label,
)
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rating import rating_text


def alert_words(row: ItemRow) -> str:
    """The item's alerts as the pass says them, an overdue one with its days ("Overdue 60 days")."""
    words = []
    for alert in ALERT_SEVERITY:
        if alert in row.alerts:
            word = alert.label
            if alert is AlertKind.OVERDUE and row.days_overdue:
                word = f"{word} {row.days_overdue} day{'s' if row.days_overdue != 1 else ''}"
            words.append(word)
    return ", ".join(words) or "none"


def pending_proposal(detail: ItemDetail) -> tuple[Rating, date] | None:
    """The rating proposed in the latest update, if it differs from the current rating and
    came after the last rating change."""
    if not detail.updates:
        return None
    latest = detail.updates[0]
    proposed = latest.proposed_rating
    if proposed is None or proposed == detail.row.rating:
        return None
    rated = [h for h in detail.history if h.field == "rating"]
    if rated and rated[0].changed_at.date() > latest.written_on:
        return None
    return proposed, latest.written_on


COMPACT_BELOW = 20  # rows: below this the pass puts what is decided on first


class ChairPassScreen(ItemActions, TrackerScreen):
    TITLE = "Chair's pass"
    BINDINGS: ClassVar = [
        Binding("y", "confirm", "Confirm proposal", id="chair.confirm"),
        Binding("g", "rate('green')", "Green", id="chair.green"),
        Binding("a", "rate('amber')", "Amber", id="chair.amber"),
        Binding("r", "rate('red')", "Red", id="chair.red"),
        Binding("b", "complete", "Blue", id="chair.blue"),
        Binding("space,right,j", "step(1)", "Next", id="chair.next"),
        Binding("left,k", "step(-1)", "Previous", id="chair.previous"),
        Binding("n", "update", "Update", id="chair.update", show=False),
        Binding("t", "timescale", "Timescale", id="chair.timescale", show=False),
        Binding("enter", "open", "Open item", id="chair.open", show=False),
        Binding("s", "new_scope", "New scope", id="chair.scope"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []
        self.position = 0
        self.scope = ""
        self.changes: list[dict[str, Any]] = []
        self.detail: ItemDetail | None = None
        # A rating is the pass's decision on an item and moves it on; a revised timescale or
        # an update is part of deciding (Amber with a new date), and stays on the item.
        self._advance = True
        self._scope_labels: dict[str, str] = {}  # a scope's value: what the pass calls it

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("chair")
        yield Static(id="chair-scope", classes="bar")
        yield ProgressBar(id="chair-progress", show_eta=False)
        with VerticalScroll(id="chair-body"):
            yield Static(id="chair-item")
        yield KeyBar()

    def on_mount(self) -> None:
        saved = self.sscp.views.state.chair_pass
        if saved.get("ids"):
            self.ids = [int(i) for i in saved["ids"]]
            self.position = int(saved.get("position", 0))
            self.scope = str(saved.get("scope", ""))
            self.changes = list(saved.get("changes", []))
            self.show_current()
        # Said or asked once the screen is first on top: it may be made ahead, out of sight
        # (see sscp_tui.ahead), and a chooser pushed now would open over another screen.
        self._greeted = False

    def on_screen_resume(self) -> None:
        # (TrackerScreen's own handler is called by Textual as well.)
        if self._greeted or not self.is_active:
            return
        self._greeted = True
        if self.ids:
            self.say(f"Resuming the chair's pass at item {self.position + 1} of {len(self.ids)}.")
        else:
            self.action_new_scope()

    # --- scope -----------------------------------------------------------------------------
    def action_new_scope(self) -> None:
        self.read_scopes()

    @work(thread=True, exclusive=True, group="chair-scopes", exit_on_error=False)
    def read_scopes(self) -> None:
        """The scopes to offer, read off the interface's thread (15-20 ms at 100,000 items)."""
        scopes = [("All open items", "all", "All open items")]
        scopes += [
            (f"Review: {label}", f"review:{review_id}", label)
            for review_id, label in self.tracker.review_labels()
        ]
        scopes += [
            (f"Agency: {a.short_name} — {a.name}", f"agency:{a.id}", a.name) for a in self.tracker.agencies()
        ]
        if not get_current_worker().is_cancelled:  # (s pressed again meanwhile: that read asks)
            self.app.call_from_thread(self._choose_scope, scopes)

    def _choose_scope(self, scopes: list[tuple[str, str, str]]) -> None:
        if self.app.screen is not self:  # left, or something opened on it, while they were read
            return
        self._scope_labels = {value: label for _, value, label in scopes}
        options = [(offered, value) for offered, value, _ in scopes]
        self.app.push_screen(
            reused(self.app, ChoiceModal("The chair's pass: which items?", options)), self.start
        )

    def start(self, choice: str | None) -> None:
        if choice is None:
            if not self.ids:
                self.query_one("#chair-item", Static).update(Text("No pass in progress. s chooses a scope."))
            return
        f = ItemFilter(state=ItemState.OPEN)
        if choice.startswith("review:"):
            f = ItemFilter(review_id=int(choice.split(":")[1]))
        elif choice.startswith("agency:"):
            f = ItemFilter(agency_id=int(choice.split(":")[1]), lead_only=True)
        self.begin(f, self._scope_labels.get(choice, "All open items"))

    @work(thread=True, exclusive=True, group="chair-scope", exit_on_error=False)
    def begin(self, f: ItemFilter, label: str) -> None:
        ids = self.tracker.ids(f, SortKey.ALERTS)
        self.app.call_from_thread(self._begun, ids, label)

    def _begun(self, ids: list[int], label: str) -> None:
        self.ids, self.position, self.scope, self.changes = ids, 0, label, []
        if not ids:
            self.say("There are no open items in that scope.", severity="warning")
        self.save_progress()
        self.show_current()

    def save_progress(self) -> None:
        state = self.sscp.views.state
        state.chair_pass = (
            {"ids": self.ids, "position": self.position, "scope": self.scope, "changes": self.changes}
            if self.ids
            else {}
        )
        self.sscp.views.save()

    # --- stepping --------------------------------------------------------------------------
    def show_current(self) -> None:
        if self.position >= len(self.ids):
            self.show_where()
            self.show_summary()
        else:  # where the pass is, shown with the item (one paint, not one before its read)
            self.load(self.ids[self.position])

    def show_where(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=max(len(self.ids), 1), progress=min(self.position, len(self.ids)))
        at = min(self.position + 1, len(self.ids))
        line = f"Scope: {self.scope} · item {at} of {len(self.ids)} · {len(self.changes)} changed so far"
        self.query_one("#chair-scope", Static).update(Text(line))

    @work(thread=True, exclusive=True, group="chair-item", exit_on_error=False)
    def load(self, item_id: int) -> None:
        detail = self.tracker.item(item_id)
        self.app.call_from_thread(self.show_item, detail)

    def show_item(self, detail: ItemDetail | None) -> None:
        self.show_where()
        if detail is None or self.detail is None or detail.row.id != self.detail.row.id:
            self.query_one("#chair-body", VerticalScroll).scroll_home(animate=False)  # a new item: its top
        self.detail = detail
        if detail is None:  # deleted since the pass began: skip it
            self.action_step(1)
            return
        row = detail.row
        variables = self.app.theme_variables
        # On a short terminal what the chair decides on (the rating now, any proposal, the
        # alerts, the latest update) comes first, and the item's words after: all on screen
        # without scrolling at 60x15, the rest a scroll away.
        compact = self.size.height < COMPACT_BELOW
        head = Text(f"{row.source} · {row.kind.value.capitalize()} {row.reference}\n", style="bold")
        words = Text(" ".join(row.text.split()))
        if not compact:
            head.append_text(words)
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column()
        about = [
            ("Lead agency", Text(f"{row.lead_agency or '—'}  {detail.lead_agency_name or ''}")),
            ("Timescale", Text(f"{row.timescale or '(none)'} → {row.due_on:%d %b %Y}" if row.due_on
                               else f"{row.timescale or '(none)'} → no date")),
        ]  # fmt: skip
        if not compact:
            for label, value in about:
                facts.add_row(label, value)
        facts.add_row("Alerts", Text(alert_words(row)))
        rated = [h for h in detail.history if h.field == "rating"]
        when = f"  (since {rated[0].changed_at:%d %b %Y}, {rated[0].author})" if rated else ""
        current = Text.assemble(rating_text(row.rating, variables), when)  # the colour on the rating alone
        facts.add_row("Rating now", current)
        proposal = pending_proposal(detail)
        if proposal:
            shown = Text.assemble(
                rating_text(proposal[0], variables),
                f"  proposed in the update of {proposal[1]:%d %b %Y} — y confirms",
            )
            facts.add_row("Proposed", shown)
        if detail.updates:
            latest = detail.updates[0]
            update = Text(f"{latest.written_on:%d %b %Y}, {latest.author}:\n", style="italic")
            update.append(latest.text)
        else:
            update = Text("No progress update has ever been given.", style="italic")
        facts.add_row("Latest update", update)
        keys = Text(
            "\ny confirms the proposal · g a r rate Green, Amber, Red · b complete (Blue) · "
            "t revises the timescale · n adds an update · space keeps the rating and goes on · "
            "← goes back",
            style="dim",
        )
        if compact:
            more = Table.grid(padding=(0, 2))
            more.add_column(style="bold", no_wrap=True)
            more.add_column()
            for label, value in (("Item", words), *about):
                more.add_row(label, value)
            body = Group(head, facts, Text(""), more, keys)
        else:
            body = Group(head, Text(""), facts, keys)
        self.query_one("#chair-item", Static).update(body)

    def on_resize(self) -> None:
        if self.detail is not None and self.position < len(self.ids):
            self.show_item(self.detail)

    def action_step(self, step: int) -> None:
        if not self.ids:
            return
        self.position = max(0, min(self.position + step, len(self.ids)))
        self.save_progress()
        self.show_current()

    def action_open(self) -> None:
        if self.detail:
            self.open_item(self.detail.row.id)

    def action_confirm(self) -> None:
        if self.detail is None:
            return
        proposal = pending_proposal(self.detail)
        if proposal is None:
            self.say("There is no proposed rating to confirm; rate with g, a or r.", severity="warning")
            return
        if proposal[0] is Rating.BLUE:
            self.action_complete()
        else:
            self.action_rate(proposal[0].value)

    # --- ItemActions -----------------------------------------------------------------------
    def action_rate(self, value: str) -> None:
        self._advance = True
        super().action_rate(value)

    def action_complete(self) -> None:
        self._advance = True
        super().action_complete()

    def action_timescale(self) -> None:
        self._advance = False
        super().action_timescale()

    def action_update(self) -> None:
        self._advance = False
        super().action_update()

    def target_ids(self) -> list[int]:
        return [self.detail.row.id] if self.detail and self.position < len(self.ids) else []

    def target_label(self, ids: list[int]) -> str:
        return f"{self.detail.row.source} {self.detail.row.reference}" if self.detail else "this item"

    def default_note(self, rating: Rating | None) -> str:
        """Offered only when confirming a proposal; otherwise the chair writes their own."""
        if self.detail and (proposal := pending_proposal(self.detail)) and proposal[0] == rating:
            return f"Confirmed the rating proposed in the update of {proposal[1]:%d %b %Y}."
        return ""

    def form_context(self) -> Text:
        """The rating now, the timescale and the latest update, which the form would cover."""
        if self.detail is None:
            return Text("")
        row, detail = self.detail.row, self.detail
        due = f"{row.due_on:%d %b %Y}" if row.due_on else "no date"
        shown = Text.assemble(("Rating now: ", "bold"), rating_label(row.rating), "   ",
                              ("Timescale: ", "bold"), f"{row.timescale or '(none)'} → {due}")  # fmt: skip
        alerts = alert_words(row)
        if alerts != "none":
            shown.append(f" ({alerts})")
        if detail.updates:
            latest = detail.updates[0]
            text = " ".join(latest.text.split())
            text = text if len(text) <= 400 else text[:399] + "…"
            shown.append("\nLatest update, ", style="bold")
            shown.append(f"{latest.written_on:%d %b %Y}, {latest.author}: ", style="bold")
            shown.append(text)
        else:
            shown.append("\nNo progress update has ever been given.", style="italic")
        return shown

    def rows_to_redraw(self, result: ChangeResult) -> list[int]:
        return [self.detail.row.id] if self.detail else []

    def after_edit(self, result: ChangeResult, message: str, rows: Sequence[ItemRow]) -> None:
        # The pass's summary lists every rating this pass changed, read back after the commit.
        now = next((row for row in rows if self.detail and row.id == self.detail.row.id), None)
        if self.detail and now is not None and now.rating is not self.detail.row.rating:
            self.changes.append({
                "id": now.id,
                "label": f"{now.source} {now.reference}",
                "from": rating_label(self.detail.row.rating),
                "to": rating_label(now.rating),
            })  # fmt: skip
        self.say(message)
        if self._advance:
            self.action_step(1)
        else:
            self.show_current()  # the item again, with its new timescale or update

    def refresh_data(self) -> None:
        self.show_current()

    # --- the end ---------------------------------------------------------------------------
    def show_summary(self) -> None:
        table = Table(title="What changed in this pass", expand=True)
        for label in ("Item", "From", "To"):
            table.add_column(label)
        for change in self.changes:
            table.add_row(Text(change["label"]), Text(change["from"]), Text(change["to"]))
        moves: dict[str, int] = {}
        for change in self.changes:
            key = f"{change['from']} → {change['to']}"
            moves[key] = moves.get(key, 0) + 1
        summary = Text(
            f"The pass over {self.scope} is complete: {len(self.ids)} items seen, "
            f"{len(self.changes)} ratings changed.\n",
            style="bold",
        )
        if moves:
            summary.append("Movements: " + "; ".join(f"{k} ×{v}" for k, v in sorted(moves.items())) + "\n")
        summary.append("s starts a new pass; ← goes back to the last item.", style="dim")
        self.query_one("#chair-item", Static).update(Group(summary, Text(""), table))
