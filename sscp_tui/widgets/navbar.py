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
# Narrower terminals get shorter names, never fewer keys: every screen stays a key away.
_SHORT = {"dashboard": "Dash", "priorities": "Prior", "agencies": "Agenc", "reviews": "Revs"}
_SHORTEST = {**_SHORT, "reviews": "Rev", "priorities": "Pri", "agencies": "Ag", "chair": "Chr"}
# The forms, from the widest: names, gap between keys, and the line's end.
_FORMS: tuple[tuple[dict[str, str], str, str], ...] = (
    ({}, "  ", "    ? help  ^p jump"),
    ({}, " ", "  ? help ^p jump"),
    ({}, " ", ""),  # 80 columns: every name whole (? and ^p are on the key line too)
    (_SHORT, " ", "  ? ^p"),
    (_SHORTEST, " ", ""),
)


def nav_line(current: str, width: int) -> Text:
    """The line for a screen ``current`` at ``width`` columns: the widest form that fits."""
    for names, gap, tail in _FORMS:
        line = Text()
        for key, name, mode in SCREENS:
            style = "bold reverse" if mode == current else ""
            line.append(key.upper(), style="bold")
            line.append(" ")
            line.append(names.get(mode, name), style=style)
            line.append(gap)
        line.rstrip()
        line.append(tail, style="dim")
        if line.cell_len <= width:
            return line
    return line


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
        self._width = -1

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width = self.content_region.width or 200
        if width != self._width:
            self._width = width
            self.update(nav_line(self.current, width))
