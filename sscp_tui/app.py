"""The Textual application. It receives a Tracker (the service layer) in its constructor."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from sscp_tui.services.records import RATING_ORDER, rating_label
from sscp_tui.services.tracker import Tracker


class SSCPApp(App[None]):
    TITLE = "sscp-tui"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, tracker: Tracker, welcome: str | None = None) -> None:
        super().__init__()
        self.tracker = tracker
        self.welcome = welcome

    def compose(self) -> ComposeResult:
        yield Header()
        counts = self.tracker.rating_counts()
        text = "  ".join(f"{rating_label(r)}: {counts.get(r, 0)}" for r in RATING_ORDER)
        yield Static(text, id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.tracker.store.location
        if self.welcome:
            self.notify(self.welcome, markup=False)
