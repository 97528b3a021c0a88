"""Home: open items by rating, the alerts and the worst items, the agency × rating matrix."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Label, Static
from textual.widgets.data_table import ColumnKey

from sscp_tui.db.enums import Rating
from sscp_tui.screens.base import TrackerScreen
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.first_look import FirstLook
from sscp_tui.services.records import (
    RATING_ORDER,
    AgencyMatrixRow,
    AlertCounts,
    ItemFilter,
    ItemRow,
    ItemState,
    MeetingRecord,
    rating_label,
)
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rating import ALERT_MARKS, rating_key, rating_text

WORST = 6
AGENCY_WIDTH = 7  # the agency column of the matrix at its narrowest (agencies go by short names)


@dataclass(frozen=True)
class DashboardData:
    open_counts: dict[Rating | None, int]
    completed: int
    alerts: AlertCounts
    worst: list[ItemRow]
    matrix: list[AgencyMatrixRow]
    next_meeting: MeetingRecord | None


class DashboardScreen(TrackerScreen):
    TITLE = "Dashboard"
    BINDINGS: ClassVar = [
        Binding("enter", "open_cell", "Open", id="dashboard.open", show=True),
        Binding("tab", "app.focus_next", "Next panel", id="dashboard.next", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("dashboard")
        with Horizontal(id="rating-cards"):
            for rating in RATING_ORDER:
                yield Static("", id=f"card-{rating_key(rating)}", classes=f"card rating-{rating_key(rating)}")
        with Horizontal(id="dash-middle"):
            with Vertical(id="dash-alerts", classes="panel"):
                yield Label("Alerts — enter lists them", classes="panel-title")
                yield DataTable(id="alerts-table", cursor_type="row", show_header=False)
            with Vertical(id="dash-worst", classes="panel"):
                yield Label("Needing attention first", classes="panel-title")
                yield DataTable(id="worst-table", cursor_type="row")
        with Vertical(id="dash-matrix", classes="panel"):
            yield Label("Lead agency × rating — enter opens those items", classes="panel-title")
            yield DataTable(id="matrix-table", cursor_type="cell")
        yield Static(id="next-meeting", classes="bar")
        yield KeyBar()

    def on_mount(self) -> None:
        # Columns are made once: rebuilding them on every refresh confuses DataTable's widths.
        # The agency column's width is set from the names shown (see show): sized by DataTable
        # from its cells, it came out a column wider now and then, depending on timing.
        self.query_one("#alerts-table", DataTable).add_columns("alert", "count")
        self.query_one("#worst-table", DataTable).add_columns("Rating", "Why", "Lead", "Item")
        matrix = self.query_one("#matrix-table", DataTable)
        matrix.add_column("Agency", key="agency", width=AGENCY_WIDTH)
        for rating in RATING_ORDER:
            matrix.add_column(rating_text(rating, self.app.theme_variables), key=rating_key(rating))
        matrix.add_column("Total", key="total")
        matrix.focus()
        look = self.sscp.first_look()
        if look is not None:
            self.load_first(look)
        else:
            self.load()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self) -> None:
        tracker = self.tracker
        everything = ItemFilter(state=ItemState.ALL)
        # Three scans of the log, side by side: SQLite lets go of Python's lock while it reads,
        # so on a large log they take as long as the slowest rather than all three together.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="dashboard") as pool:
            counted = pool.submit(tracker.rating_and_alert_counts, everything)
            worst = pool.submit(tracker.page, ItemFilter(), limit=WORST, with_total=False)
            matrix = pool.submit(tracker.agency_matrix, everything)
            counts, alerts = counted.result()
            data = DashboardData(
                open_counts={r: counts.get(r, 0) for r in RATING_ORDER if r is not Rating.BLUE},
                completed=counts.get(Rating.BLUE, 0),
                alerts=alerts,
                worst=worst.result().rows,  # type: ignore[arg-type]
                matrix=matrix.result(),
                next_meeting=tracker.next_meeting(),
            )
        self.app.call_from_thread(self.show, data)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load_first(self, look: FirstLook) -> None:
        """The first paint, from plain sqlite3 reads; the store opens once it is shown."""
        try:
            seen = look.dashboard(self.sscp.rules, WORST)
        except sqlite3.Error as exc:
            self.log.warning(f"First look failed, reading through the store: {exc}")
            self.app.call_from_thread(self.load)
            return
        data = DashboardData(
            open_counts={r: seen.ratings.get(r, 0) for r in RATING_ORDER if r is not Rating.BLUE},
            completed=seen.ratings.get(Rating.BLUE, 0),
            alerts=seen.alerts,
            worst=list(seen.worst),
            matrix=seen.matrix,
            next_meeting=seen.next_meeting,
        )
        self.app.call_from_thread(self.show, data)
        self.app.call_from_thread(self.app.call_after_refresh, self.sscp.open_in_background)

    def show(self, data: DashboardData) -> None:
        for rating in RATING_ORDER:
            if rating is Rating.BLUE:
                text = Text(f"Blue\n{data.completed:,}\ncomplete", justify="center")
            else:
                count = data.open_counts.get(rating, 0)
                text = Text(f"{rating_label(rating)}\n{count:,}\nopen", justify="center")
            self.query_one(f"#card-{rating_key(rating)}", Static).update(text)

        alerts = self.query_one("#alerts-table", DataTable)
        alerts.clear()
        for kind in ALERT_SEVERITY:
            alerts.add_row(Text(kind.label), Text(f"{data.alerts[kind]:,}", justify="right"), key=kind.value)

        worst = self.query_one("#worst-table", DataTable)
        worst.clear()
        for row in data.worst:
            why = ", ".join(ALERT_MARKS[k] for k in ALERT_SEVERITY if k in row.alerts)
            if row.days_overdue:
                why = f"{row.days_overdue} days overdue"
            worst.add_row(
                rating_text(row.rating, self.app.theme_variables),
                Text(why),
                Text(row.lead_agency or "—"),
                Text(f"{row.source} {row.reference}"),
                key=str(row.id),
            )

        matrix = self.query_one("#matrix-table", DataTable)
        cursor = matrix.cursor_coordinate
        matrix.clear()
        agency = matrix.columns[ColumnKey("agency")]
        agency.width = max([AGENCY_WIDTH, *(len(entry.short_name) for entry in data.matrix)])
        for entry in data.matrix:
            cells = [Text(entry.short_name)]
            cells += [Text(f"{entry.counts.get(r, 0) or '·'}", justify="right") for r in RATING_ORDER]
            cells.append(Text(f"{entry.total}", justify="right"))
            matrix.add_row(*cells, key=str(entry.agency_id if entry.agency_id is not None else "none"))
        if matrix.row_count:
            matrix.cursor_coordinate = cursor if cursor.row < matrix.row_count else matrix.cursor_coordinate

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
        focused = self.focused
        if isinstance(focused, DataTable):
            self._open_from(focused)

    @on(DataTable.RowSelected)
    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.RowSelected | DataTable.CellSelected) -> None:
        self._open_from(event.data_table)

    def _open_from(self, table: DataTable[Text]) -> None:
        from sscp_tui.services.records import AlertKind

        if not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        if table.id == "alerts-table":
            kind = AlertKind(row_key)
            state = ItemState.ALL if kind is AlertKind.INCONSISTENT else ItemState.OPEN
            self.sscp.open_log(ItemFilter(alert=kind, state=state))
        elif table.id == "worst-table":
            from sscp_tui.screens.item import ItemScreen

            self.app.push_screen(ItemScreen(int(row_key)))
        elif table.id == "matrix-table" and row_key != "none":
            column = table.cursor_coordinate.column
            ratings = {rating_key(r): r for r in RATING_ORDER}
            key = list(table.columns.keys())[column].value
            f = ItemFilter(agency_id=int(row_key), lead_only=True, state=ItemState.ALL)
            if key in ratings:
                rating = ratings[key]
                f = ItemFilter(agency_id=int(row_key), lead_only=True, ratings=frozenset({rating}),
                               state=ItemState.ALL)  # fmt: skip
            self.sscp.open_log(f)
