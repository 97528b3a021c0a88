"""The screens a key away, shown once at the top of every main screen."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

SCREENS = (
    ("f2", "Dashboard", "dashboard"),
    ("f3", "Log", "log"),
    ("f4", "Reviews", "reviews"),
    ("f5", "Priorities", "priorities"),
    ("f6", "Agencies", "agencies"),
    ("f7", "Chair", "chair"),
    ("f8", "Pack", "packs"),
)


class NavBar(Static):
    """One line: each screen's key and name, the current one highlighted.

    A single widget rather than footer keys: the footer is rebuilt whenever focus moves,
    and seven more keys there made every focus change slower."""

    DEFAULT_CSS = """
    NavBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        line = Text()
        for key, name, mode in SCREENS:
            style = "bold reverse" if mode == self.current else ""
            line.append(key.upper(), style="bold")
            line.append(" ")
            line.append(name, style=style)
            line.append("  ")
        line.append("  ? help  ^p jump", style="dim")
        self.update(line)
