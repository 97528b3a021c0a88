"""Home: open items by rating, the alerts and the worst items, the agency × rating matrix."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Label, Static

from sscp_tui.db.enums import Rating
from sscp_tui.screens.base import TrackerScreen
from sscp_tui.screens.forms import FormModal
from sscp_tui.screens.transfer import import_form, open_import
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.first_look import FirstLook
from sscp_tui.services.records import (
    RATING_ORDER,
    DashboardData,
    ItemFilter,
    ItemState,
    rating_label,
)
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rating import ALERT_MARKS, rating_key, rating_text
from sscp_tui.widgets.rowtable import RowTable, fitted_columns

WORST = 6
AGENCY_WIDTH = 7  # the agency column of the matrix at its narrowest (agencies go by short names)


EMPTY = (
    "This tracker is empty. To bring in the log you keep today, press i: a dry run shows what "
    "would come in before anything is written. To start from a review, press F4, then n to add "
    "it and a to add its recommendations. To try things out first, run sscp-tui --demo."
)


class DashboardScreen(TrackerScreen):
    TITLE = "Dashboard"
    BINDINGS: ClassVar = [
        Binding("enter", "open_cell", "Open", id="dashboard.open", show=True),
        Binding("tab", "app.focus_next", "Next panel", id="dashboard.next", show=False),
        Binding("i", "import", "Import a log", id="dashboard.import", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("dashboard")
        with Horizontal(id="rating-cards"):
            for rating in RATING_ORDER:
                yield Static("", id=f"card-{rating_key(rating)}", classes=f"card rating-{rating_key(rating)}")
        empty = Static(Text(EMPTY), id="dash-empty", classes="bar")
        empty.display = False
        yield empty
        with Horizontal(id="dash-middle"):
            with Vertical(id="dash-alerts", classes="panel"):
                yield Label("Alerts — enter lists them", classes="panel-title")
                yield RowTable(id="alerts-table", show_header=False, zebra_stripes=False)
            with Vertical(id="dash-worst", classes="panel"):
                yield Label("Needing attention first", classes="panel-title")
                yield RowTable(id="worst-table", zebra_stripes=False)
        with Vertical(id="dash-matrix", classes="panel"):
            yield Label("Lead agency × rating — enter opens those items", classes="panel-title")
            yield RowTable(id="matrix-table", cursor="cell", zebra_stripes=False)
        yield Static(id="next-meeting", classes="bar")
        yield KeyBar()

    def on_mount(self) -> None:
        # The headings show at once; show() sizes the columns again to the rows it brings.
        for table in self.query(RowTable):
            self._fill(table, [])
        self.query_one("#matrix-table", RowTable).focus()
        self.load(self.sscp.first_look())

    def _headings(self, table: RowTable) -> list[tuple[str, Text]]:
        if table.id == "alerts-table":
            return [("alert", Text("alert")), ("count", Text("count"))]  # hidden, but they set widths
        if table.id == "worst-table":
            return [(label.lower(), Text(label)) for label in ("Rating", "Why", "Lead", "Item")]
        ratings = [(rating_key(r), rating_text(r, self.app.theme_variables)) for r in RATING_ORDER]
        return [("agency", Text("Agency")), *ratings, ("total", Text("Total"))]

    def _fill(self, table: RowTable, rows: list[tuple[str, list[Text]]]) -> None:
        """Show the rows, each column as wide as its heading or widest cell; the cursor stays put."""
        cells = [cells for _, cells in rows]
        at_least = {"agency": AGENCY_WIDTH}  # the matrix's agency column
        table.set_columns(fitted_columns(self._headings(table), cells, at_least=at_least))
        table.set_rows(rows, cursor_row=table.cursor_row)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self, look: FirstLook | None = None) -> None:
        if look is not None and self.paint_first_look(
            lambda: look.dashboard(self.sscp.rules, WORST), self.show
        ):
            return
        self.app.call_from_thread(self.show, self.tracker.dashboard(WORST))

    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        return [import_form]

    def action_import(self) -> None:
        open_import(self)

    def show(self, data: DashboardData) -> None:
        # An empty tracker's first screen says what to do first.
        self.query_one("#dash-empty", Static).display = not any(data.ratings.values())
        for rating in RATING_ORDER:
            count = data.ratings.get(rating, 0)
            if rating is Rating.BLUE:
                text = Text(f"Blue\n{count:,}\ncomplete", justify="center")
            else:
                text = Text(f"{rating_label(rating)}\n{count:,}\nopen", justify="center")
            self.query_one(f"#card-{rating_key(rating)}", Static).update(text)

        alerts = [
            (kind.value, [Text(kind.label), Text(f"{data.alerts[kind]:,}", justify="right")])
            for kind in ALERT_SEVERITY
        ]
        self._fill(self.query_one("#alerts-table", RowTable), alerts)

        worst = []
        for row in data.worst:
            why = ", ".join(ALERT_MARKS[k] for k in ALERT_SEVERITY if k in row.alerts)
            if row.days_overdue:
                why = f"{row.days_overdue} days overdue"
            cells = [
                rating_text(row.rating, self.app.theme_variables),
                Text(why),
                Text(row.lead_agency or "—"),
                Text(f"{row.source} {row.reference}"),
            ]
            worst.append((str(row.id), cells))
        self._fill(self.query_one("#worst-table", RowTable), worst)

        matrix = []
        for entry in data.matrix:
            cells = [Text(entry.short_name)]
            cells += [Text(f"{entry.counts.get(r, 0) or '·'}", justify="right") for r in RATING_ORDER]
            cells.append(Text(f"{entry.total}", justify="right"))
            matrix.append((str(entry.agency_id if entry.agency_id is not None else "none"), cells))
        self._fill(self.query_one("#matrix-table", RowTable), matrix)  # the cursor stays on its cell

        meeting = data.next_meeting
        line = (
            f"Next meeting: {meeting.group}, {meeting.held_on:%A %d %B %Y}"
            if meeting
            else "No meeting recorded ahead."
        )
        line += f"   ·   Alerts as of {self.sscp.as_of:%d %b %Y}"
        self.query_one("#next-meeting", Static).update(Text(line))

    # --- drilling down ---------------------------------------------------------------------
    def action_open_cell(self) -> None:
        # The focused table takes Enter itself; this binding names the key in the key bar, and
        # goes the same way (the table's selection) should it ever be reached.
        if isinstance(self.focused, RowTable):
            self.focused.action_select_cursor()

    @on(RowTable.RowSelected)
    def _row_selected(self, event: RowTable.RowSelected) -> None:
        self._open(event.table, event.row_key, None)

    @on(RowTable.CellSelected)
    def _cell_selected(self, event: RowTable.CellSelected) -> None:
        self._open(event.table, event.row_key, event.column_key)

    def _open(self, table: RowTable, row_key: str, column_key: str | None) -> None:
        """Open what a row (or the matrix's cell, by its column) stands for."""
        from sscp_tui.services.records import AlertKind

        if table.id == "alerts-table":
            kind = AlertKind(row_key)
            state = ItemState.ALL if kind is AlertKind.INCONSISTENT else ItemState.OPEN
            self.sscp.open_log(ItemFilter(alert=kind, state=state))
        elif table.id == "worst-table":
            self.open_item(int(row_key))
        elif table.id == "matrix-table" and row_key != "none":
            ratings = {rating_key(r): r for r in RATING_ORDER}
            f = ItemFilter(agency_id=int(row_key), lead_only=True, state=ItemState.ALL)
            if column_key in ratings:
                rating = ratings[column_key]
                f = ItemFilter(agency_id=int(row_key), lead_only=True, ratings=frozenset({rating}),
                               state=ItemState.ALL)  # fmt: skip
            self.sscp.open_log(f)
