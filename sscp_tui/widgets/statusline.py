"""A line of status text that asks for a new layout only when it needs more or fewer lines.

Static.update lays out the whole screen by default, which on the log cost 10-25 ms every
time the status changed (each page, each count). The lines a text wraps to at the current
width decide whether the size can change; when it cannot, a repaint is enough.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown = Text()

    def _lines(self, text: Text) -> int:
        return len(text.wrap(self.app.console, max(1, self.content_region.width)))

    def show(self, text: Text) -> None:
        if text == self._shown:
            return
        layout = not self.content_region.width or self._lines(text) != self._lines(self._shown)
        self._shown = text
        self.update(text, layout=layout)
