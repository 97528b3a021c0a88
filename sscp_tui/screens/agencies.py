"""Each agency's open items by rating and its alerts; select one to see its items."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from sscp_tui.db.enums import Rating
from sscp_tui.screens.base import TrackerScreen, cursor_id
from sscp_tui.services.alerts import ALERT_SEVERITY
from sscp_tui.services.records import AgencyRecord, AlertCounts, ItemFilter
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rowtable import RowTable, fitted_columns

OPEN_RATINGS = (Rating.RED, Rating.AMBER, Rating.GREEN, None)


class AgenciesScreen(TrackerScreen):
    TITLE = "Agencies"
    BINDINGS: ClassVar = [
        Binding("enter", "open", "The items it leads (as counted here)", id="agencies.open"),
        Binding("s", "open_supported", "The items it leads or supports", id="agencies.supported"),
        Binding("m", "mine", "Make it my agency", id="agencies.mine"),
    ]
    _rows: list[tuple[AgencyRecord, dict[Rating | None, int], AlertCounts]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("agencies")
        yield Static(Text("Open items each agency leads, by rating, and their alerts. Enter lists those "
                          "items (lead only); s adds the items it supports."), classes="bar")  # fmt: skip
        yield RowTable(id="agencies-table", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(fitted_columns(self._headings(), []))  # the headings at once
        table.focus()
        self.load()

    def _headings(self) -> list[tuple[str, Text]]:
        from sscp_tui.widgets.rating import rating_header, rating_key

        ratings = [(rating_key(r), rating_header(r, self.app.theme_variables)) for r in OPEN_RATINGS]
        alerts = [(kind.value, Text(kind.label)) for kind in ALERT_SEVERITY]
        return [("short", Text("Agency")), ("name", Text("Name")), *ratings, *alerts]

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="agencies", exit_on_error=False)
    def load(self) -> None:
        tracker = self.tracker
        # Every agency's counts in one read (each in turn took 300 ms at 100,000 items).
        counts = tracker.lead_agency_counts()
        none: tuple[dict[Rating | None, int], AlertCounts] = ({}, AlertCounts({}))
        rows = [(agency, *counts.get(agency.id, none)) for agency in tracker.agencies()]
        self.app.call_from_thread(self.show, rows)

    def on_resize(self) -> None:
        if self._rows:
            self.show(self._rows)

    def show(self, rows: list[tuple[AgencyRecord, dict[Rating | None, int], AlertCounts]]) -> None:
        from sscp_tui.widgets.rating import fitted, flexible_width

        self._rows = rows
        table = self.query_one(RowTable)
        mine = self.sscp.my_agency()
        # The name takes what the counts leave, so that every rating and alert column fits.
        shortest = max((len(agency.short_name) for agency, _c, _a in rows), default=6)
        others = [shortest, *[5] * len(OPEN_RATINGS), *[len(kind.label) for kind in ALERT_SEVERITY]]
        width = flexible_width(self.size.width or 120, others)
        shown: list[tuple[str, list[Text]]] = []
        for agency, counts, alerts in rows:
            # The marks are kept whole; the name gives way to them.
            marks = ("  (my agency)" if mine and mine.id == agency.id else "") + (
                "" if agency.active else "  (inactive)"
            )
            name = fitted(agency.name, max(width - len(marks), 8)).append(marks, style="bold")
            shown.append((str(agency.id), [
                Text(agency.short_name, style="bold"),
                name,
                *[Text(str(counts.get(r, 0) or "·"), justify="right") for r in OPEN_RATINGS],
                *[Text(str(alerts[k] or "·"), justify="right") for k in ALERT_SEVERITY],
            ]))  # fmt: skip
        table.set_columns(fitted_columns(self._headings(), [cells for _key, cells in shown]))
        table.set_rows(shown, cursor_row=min(table.cursor_row, max(len(shown) - 1, 0)))

    def current_id(self) -> int | None:
        return cursor_id(self.query_one(RowTable))

    @on(RowTable.RowSelected)
    def action_open(self) -> None:
        """The log of the items the agency leads: the items its row counts."""
        agency_id = self.current_id()
        if agency_id is not None:
            self.sscp.open_log(ItemFilter(agency_id=agency_id, lead_only=True))

    def action_open_supported(self) -> None:
        agency_id = self.current_id()
        if agency_id is not None:
            self.sscp.open_log(ItemFilter(agency_id=agency_id))

    def action_mine(self) -> None:
        agency_id = self.current_id()
        agency = next((a for a, _c, _a in self._rows or () if a.id == agency_id), None)
        if agency:
            self.sscp.views.state.my_agency = agency.short_name
            self.sscp.views.save()
            self.say(f"My agency is now {agency.short_name}; m in the log shows its items.")
            # Only the "(my agency)" mark moves: the rows already read are shown again, not
            # read again (the counts of every agency took 0.7 s at 100,000 items).
            self.show(self._rows or [])
