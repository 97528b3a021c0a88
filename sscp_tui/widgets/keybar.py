"""The key bar at the foot of every main screen: the keys that work here, one line, clickable.

Textual's Footer rebuilds a widget per key whenever the focus moves (a search box closing, a
dialog closing), which cost a few hundred milliseconds on the log. This bar is one widget
holding one line of text: when the keys change it replaces the line, and when they have not
changed (the usual case) it does nothing at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.screen import Screen


class KeyBar(Widget, can_focus=False):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
        & > .keybar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key"}

    def __init__(self) -> None:
        super().__init__()
        self._line = Text()
        self._spans: list[tuple[int, int, str, bool]] = []  # (start, end, key, enabled) per entry

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        self.app.theme_changed_signal.unsubscribe(self)

    def _theme_changed(self, _theme: object) -> None:
        self._line = Text()  # the keys' colours come from the theme: draw them again
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        entries: list[tuple[str, str, str, bool]] = []
        seen: set[str] = set()
        palette = None
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = (binding.key, self.app.get_key_display(binding), binding.description, enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            entries.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            entries.append(palette)
        line, spans = Text(no_wrap=True, overflow="crop"), []
        key_style = self.get_component_rich_style("keybar--key")
        for key, display, description, enabled in entries:
            start = line.cell_len  # columns on screen, which a wide character counts twice
            line.append(f" {display} ", style=key_style if enabled else key_style + Style(dim=True))
            line.append(f"{description} ", style="" if enabled else "dim")
            spans.append((start, line.cell_len, key, enabled))
        if line.plain != self._line.plain or line.spans != self._line.spans:
            self._line, self._spans = line, spans
            self.refresh()

    def render(self) -> Text:
        return self._line

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for start, end, key, enabled in self._spans:
            if start <= offset.x < end:
                event.stop()
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
