"""Help: every binding of the screen it was opened from, with what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from sscp_tui.screens.base import ClosesOnce

GLOBAL_NOTE = (
    "F2 Dashboard · F3 Log · F4 Reviews · F5 Priorities · F6 Agencies · F7 Chair's pass · "
    "F8 Meeting pack · ctrl+p jumps to any review, agency or item · u undoes your last change · "
    "q quits. The mouse works too."
)


# This screen's own keys first, in groups by what they do, then the keys that work everywhere.
GROUPS = ("Rate", "Change", "Find", "Move", "Everywhere")
_RATE = {"rate", "complete", "delivered", "confirm"}
_FIND = {"search", "filter", "clear", "sort", "reverse", "columns", "view", "my_agency", "alert",
         "reload", "new_scope", "set_my_agency", "save_view", "drop_view"}  # fmt: skip
_MOVE = {"open", "open_cell", "toggle_select", "unselect", "select_page", "page", "step", "pop_screen",
         "dismiss", "back"}  # fmt: skip


def group_of(action: str, everywhere: bool, widget: bool = False) -> str:
    """Which group a binding's action goes under ("rate('green')" is Rate); a focused widget's
    own keys (a table's cursor keys) move."""
    name = action.split("(")[0].split(".")[-1]
    if everywhere or name == "copy_text":
        return "Everywhere"
    if widget:
        return "Move"
    if name in _RATE:
        return "Rate"
    if name in _FIND:
        return "Find"
    if name in _MOVE:
        return "Move"
    return "Change"


def bindings_of(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """Each key of ``screen`` as (group, keys, what it does), grouped as GROUPS orders them."""
    seen: dict[str, tuple[str, str]] = {}  # description -> (group, keys)
    tooltips: dict[str, str] = {}
    own = screen._bindings.key_to_bindings
    for key, active in screen.active_bindings.items():
        binding, node = active.binding, active.node
        if node is not screen and node is not screen.app and own.get(key):
            # The screen's own meaning of a key a focused widget also binds (Enter on the
            # log opens the item, whatever the table calls it).
            binding, node = own[key][0], screen
        if not binding.description or binding.action.startswith("app.focus"):
            continue
        display = screen.app.get_key_display(binding)
        group = group_of(binding.action, node is screen.app, node is not screen and node is not screen.app)
        if binding.tooltip:  # the longer account of what the key does, where it has one
            tooltips[binding.description] = binding.tooltip
        if binding.description not in seen:
            seen[binding.description] = (group, display)
        elif display not in seen[binding.description][1].split(" / "):
            group, keys = seen[binding.description]
            seen[binding.description] = (group, f"{keys} / {display}")
    found = [
        (group, keys, tooltips.get(description) or description) for description, (group, keys) in seen.items()
    ]
    return sorted(found, key=lambda entry: (GROUPS.index(entry[0]), entry[2]))


class HelpScreen(ClosesOnce):
    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.help_title = title
        self.bindings_list = bindings

    def compose(self) -> ComposeResult:
        table = Table(show_edge=False, expand=True)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        group = ""
        for heading, keys, description in self.bindings_list:
            if heading != group:
                group = heading
                table.add_row(Text(heading, style="bold underline"), Text(""))
            table.add_row(Text(f"  {keys}"), Text(description))
        with VerticalScroll(classes="dialog help"):
            yield Label(Text(f"Keys on the {self.help_title} screen — esc closes"), classes="dialog-title")
            yield Static(table)
            yield Static(Text(GLOBAL_NOTE), classes="field-hint")
