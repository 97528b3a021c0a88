"""Placeholder while this screen is written."""

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from sscp_tui.screens.base import TrackerScreen


class PrioritiesScreen(TrackerScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Coming soon")
        yield Footer()
