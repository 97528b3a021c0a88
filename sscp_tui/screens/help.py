"""Help: every binding of the screen it was opened from, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

GLOBAL_NOTE = (
    "F2 Dashboard · F3 Log · F4 Reviews · F5 Priorities · F6 Agencies · F7 Chair's pass · "
    "F8 Meeting pack · ctrl+p jumps to any review, agency or item · u undoes your last change · "
    "q quits. The mouse works too."
)


def bindings_of(screen: Screen[object]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.action.startswith("app.focus"):
            continue
        display = screen.app.get_key_display(binding)
        seen.setdefault(binding.description, display)
        if display not in seen[binding.description].split(" / "):
            seen[binding.description] += f" / {display}"
        del key
    return sorted(((keys, description) for description, keys in seen.items()), key=lambda kd: kd[1])


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.help_title = title
        self.bindings_list = bindings

    def compose(self) -> ComposeResult:
        table = Table(show_edge=False, expand=True)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        for keys, description in self.bindings_list:
            table.add_row(Text(keys), Text(description))
        with VerticalScroll(classes="dialog help"):
            yield Label(Text(f"Keys on the {self.help_title} screen — esc closes"), classes="dialog-title")
            yield Static(table)
            yield Static(Text(GLOBAL_NOTE), classes="field-hint")
