"""The log: every recommendation and action, filtered, sorted and paged from SQL.

Only one page of rows is ever in the table; moving past either end loads the next page, so
the screen is as quick with 100,000 items as with 100.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState

from sscp_tui.screens.base import TrackerScreen, cursor_id
from sscp_tui.screens.filters import (
    describe_filter,
    filter_form,
    filter_from_values,
    filter_from_view,
    missing_from_view,
    view_from_filter,
)
from sscp_tui.screens.forms import ChoiceModal, FormField, FormModal, PickManyModal, required, reused
from sscp_tui.screens.item_actions import EDIT_BINDINGS, RATING_BINDINGS, ItemActions
from sscp_tui.screens.log_columns import COLUMN_BY_KEY, COLUMNS
from sscp_tui.screens.transfer import TransferActions, export_form, import_form
from sscp_tui.services.first_look import FirstLook
from sscp_tui.services.records import AlertKind, ChangeResult, ItemFilter, ItemRow, Page, SortKey
from sscp_tui.text_safety import shown as safe
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rowtable import RowTable, TableColumn
from sscp_tui.widgets.statusline import StatusLine

PAGE_SIZE = 100
GONE = "no longer matches the filter"  # a row an edit moved out of the filter, until reloaded
DETAIL_FROM_HEIGHT = 20  # terminal rows from which the detail pane is shown
DETAIL_PAUSE = 0.06  # seconds the cursor rests on a row before the pane shows it
SEARCH_PAUSE = 0.15  # seconds of no typing before the search runs (Enter runs it at once)


class LogTable(RowTable):
    """A page of the log's rows, which asks for the next or previous page at its edges."""

    class PageRequest(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.PageRequest(+1))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.PageRequest(-1))
        else:
            super().action_cursor_up()

    def watch_cursor_row(self, old: int, new: int) -> None:
        super().watch_cursor_row(old, new)
        screen = self.screen
        if isinstance(screen, LogScreen):
            screen.show_detail()


class LogScreen(ItemActions, TransferActions, TrackerScreen):
    TITLE = "Log"
    READS_AFTER_PAINT = frozenset({"log-count", "log-recount"})
    BINDINGS: ClassVar = [
        Binding("enter", "open", "Open the item under the cursor", id="log.open", priority=False),
        *RATING_BINDINGS,
        *EDIT_BINDINGS,
        Binding(
            "space",
            "toggle_select",
            "Select (or unselect) the row and move down",
            id="log.select",
            show=False,
        ),
        Binding("slash", "search", "Search", id="log.search"),
        Binding("f", "filter", "Filter", id="log.filter"),
        Binding("x", "clear", "Clear filters", id="log.clear", show=False),
        Binding("ctrl+r", "reload", "Reload the page", id="log.reload", show=False),
        Binding("s", "sort", "Sort", id="log.sort", show=False),
        Binding("S", "reverse", "Reverse sort", id="log.reverse", show=False),
        Binding("c", "columns", "Columns", id="log.columns", show=False),
        Binding("v", "save_view", "Save view", id="log.save_view", show=False),
        Binding("V", "drop_view", "Delete a view", id="log.drop_view", show=False),
        Binding("m", "my_agency", "My agency", id="log.my_agency", show=False),
        # One key each for the common alerts, beside m: "my agency, overdue" is m then O.
        Binding("O", "alert('overdue')", "Only overdue (again: all)", id="log.overdue", show=False),
        Binding("D", "alert('due soon')", "Only due soon (again: all)", id="log.due_soon", show=False),
        Binding("L", "alert('stale')", "Only stale (again: all)", id="log.stale", show=False),
        Binding(
            "T", "alert('no timescale')", "Only no timescale (again: all)", id="log.no_timescale", show=False
        ),
        Binding(
            "I", "alert('inconsistent')", "Only inconsistent (again: all)", id="log.inconsistent", show=False
        ),
        Binding(
            "P", "proposals", "Only proposals not yet answered (again: all)", id="log.proposals", show=False
        ),
        Binding("M", "set_my_agency", "Set my agency", id="log.set_my_agency", show=False),
        Binding("escape", "unselect", "Clear selection", id="log.unselect", show=False),
        Binding("ctrl+a", "select_page", "Select page", id="log.select_page", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", id="log.next_page", show=False),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="log.prev_page", show=False),
        *[Binding(str(n), f"view({n})", f"View {n}", id=f"log.view{n}", show=False) for n in range(1, 10)],
        Binding("0", "view(0)", "All open items", id="log.view0", show=False),
        Binding("i", "import", "Import a spreadsheet", id="log.import", show=False),
        Binding("E", "export", "Export what is shown", id="log.export", show=False),
    ]

    def __init__(self, item_filter: ItemFilter | None = None) -> None:
        super().__init__()
        self.item_filter = item_filter or ItemFilter()
        self.sort = SortKey.ALERTS
        self.descending = False
        self.page_offset = 0
        self.page: Page | None = None
        self.selected: set[int] = set()
        self._rows: dict[int, ItemRow] = {}
        # The page's rows whose latest update was read with it (None: the row has none).
        self._latest: dict[int, tuple[date, str, str] | None] = {}
        self._search_timer: Timer | None = None
        self._land_at_end = False
        self._keep_item = False  # the next page keeps the cursor on its item (refresh_for_others)
        # Rows an edit moved out of the filter: they stay where they are, marked, until the
        # page is next loaded, so the cursor never moves under the user (and the next key
        # pressed never lands on another item).
        self._gone: set[int] = set()
        self._generation = 0  # only the newest request's page is shown
        self.total: int | None = None  # counted after the page is shown
        # Enter in the search box hands the keys back to the table as the searched page is
        # shown, not before: moving the focus repaints every row, and painting the rows about
        # to be replaced, while the page is read, slowed the search by half.
        self._focus_on_page = False

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("log")
        yield StatusLine(id="log-filters", classes="bar")
        yield Input(placeholder="/ to search the text, references and review names", id="log-search")
        yield LogTable(id="log-table")
        # The item under the cursor, read without scrolling sideways: its text, timescale and
        # latest update (read a moment after the cursor rests).
        yield Static(id="log-detail")
        yield StatusLine(id="log-status", classes="bar")
        yield KeyBar()

    def on_mount(self) -> None:
        pending = self.sscp.log_filter_to_open
        if pending is not None:  # made to show this filter (app.open_log): read it first
            self.sscp.log_filter_to_open = None
            self.item_filter = pending
        self.query_one("#log-search", Input).value = self.item_filter.text
        self.build_columns()
        self.query_one(LogTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        # A log made before (ahead, or seen earlier) and now opened to show a filter
        # (app.open_log) reads that filter's page, and not its own again first. (Textual then
        # calls TrackerScreen's handler, which finds the log up to date.)
        pending = self.sscp.log_filter_to_open
        if pending is not None and self.is_active:
            self.sscp.log_filter_to_open = None
            self.set_filter(pending)
            self.mark_seen()

    @property
    def table(self) -> LogTable:
        return self.query_one(LogTable)

    def visible_columns(self) -> list[str]:
        state = self.sscp.views.state
        hidden, chosen = set(state.hidden_columns), set(state.shown_columns)
        return [c.key for c in COLUMNS if c.key not in hidden and (c.by_default or c.key in chosen)]

    @property
    def with_proposals(self) -> bool:
        """Whether rows are read with their pending proposals (the column is shown)."""
        return "proposed" in self.visible_columns()

    def build_columns(self) -> None:
        columns = [TableColumn("sel", Text(" "), 1)]
        for key in self.visible_columns():
            column = COLUMN_BY_KEY[key]
            arrow = (" ▼" if self.descending else " ▲") if column.sort is self.sort else ""
            columns.append(TableColumn(key, Text(column.label + arrow), column.width or 10))
        self.table.set_columns(columns)
        if self.page is not None and not self.table.row_count:
            self.show_page(self.page, keep_cursor=True)  # the rows at once, in the new columns

    # --- data ------------------------------------------------------------------------------
    def load(self, *, keep_cursor: bool = True, total: int | None = None) -> None:
        """Read the page at ``page_offset`` (in a worker) and paint it; then count the items the
        filter selects, unless their ``total`` is known (another page of the same filter)."""
        self.show_filters()
        self.total = total
        self._generation += 1
        proposals = self.with_proposals
        first = self.item_filter == ItemFilter() and self.sort is SortKey.ALERTS and not self.descending
        # The first look reads no proposals: with their column shown, the page is read in full.
        look = self.sscp.first_look() if first and not self.page_offset and not proposals else None
        self.fetch(
            self._generation,
            self.item_filter,
            self.sort,
            self.descending,
            self.page_offset,
            keep_cursor,
            look,
            proposals,
            total,
        )

    @work(thread=True, exclusive=True, group="log-page", exit_on_error=False)
    def fetch(
        self,
        generation: int,
        f: ItemFilter,
        sort: SortKey,
        descending: bool,
        offset: int,
        keep_cursor: bool,
        look: FirstLook | None = None,
        proposals: bool = False,
        total: int | None = None,
    ) -> None:
        # The first page as the log opens may come from the first look (see app.first_look).
        if look is not None and self.paint_first_look(
            lambda: look.open_items(self.sscp.rules, PAGE_SIZE),
            lambda page: self._arrived(generation, page, keep_cursor, counted=True),
        ):
            return
        # The page comes with its count, in one paint (a count's own paint costs as long as a
        # quick count), where counts are quick (Tracker.counts_quickly), except a search's,
        # whose words' every match can take longer to count than the page: those pages are
        # painted first and counted after.
        counted = total is None and not f.text and self.tracker.counts_quickly
        page = self.tracker.page(
            f,
            sort=sort,
            descending=descending,
            offset=offset,
            limit=PAGE_SIZE,
            with_total=counted,
            with_proposals=proposals,
        )
        if total is not None:  # the same filter's count: not taken again
            page = Page(page.rows, total, page.offset)
        # The rows' latest updates, for the pane under the table: shown as the cursor moves,
        # with no read of its own (a few ms more for the page, and none per row).
        latest = self.tracker.latest_updates([row.id for row in page.rows])
        self.app.call_from_thread(
            self._arrived, generation, page, keep_cursor, counted=counted or total is not None, latest=latest
        )

    @work(thread=True, exclusive=True, group="log-count", exit_on_error=False)
    def count_page(self, generation: int, f: ItemFilter) -> None:
        if generation == self._generation:
            total = self.tracker.count(f)
            self.app.call_from_thread(self._counted, generation, total)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (Textual calls WorkerErrors' handler too, which reports the failure.)
        if event.worker.group == "log-page" and event.state is WorkerState.ERROR and self._focus_on_page:
            self._focus_on_page = False
            self.table.focus()

    def _arrived(
        self,
        generation: int,
        page: Page,
        keep_cursor: bool,
        *,
        counted: bool = False,
        latest: dict[int, tuple[date, str, str]] | None = None,
    ) -> None:
        if generation == self._generation:  # an older request finishing late is ignored
            self.show_page(page, keep_cursor, latest)
            if counted:  # the page came with its total
                self._counted(generation, page.total)
            else:  # counted once the page is painted, so the count's work does not delay it
                self.call_after_refresh(self.count_page, generation, self.item_filter)

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation and self.page is not None:
            self.total = total
            self.page = Page(self.page.rows, total, self.page.offset)
            self.show_status()

    def show_page(
        self, page: Page, keep_cursor: bool, latest: dict[int, tuple[date, str, str]] | None = None
    ) -> None:
        table = self.table
        row_before = table.cursor_row if keep_cursor else 0
        # After another user's change, the cursor stays on its item where the item is still on
        # the page (the change may have moved it up or down), else at the same place.
        key_before = table.cursor_key if keep_cursor and self._keep_item else None
        self._keep_item = False
        self.page = page
        self._gone = set()
        self._rows = {row.id: row for row in page.rows}
        # The rows whose latest update is known (read with the page): None for those with none.
        self._latest = {row.id: latest.get(row.id) for row in page.rows} if latest is not None else {}
        keys = self.visible_columns()
        variables = self.app.theme_variables
        row_keys = [str(row.id) for row in page.rows]
        if key_before is not None:
            row_before = next((n for n, key in enumerate(row_keys) if key == key_before), row_before)
        if self._land_at_end:
            row_before, self._land_at_end = len(page.rows) - 1, False
        if self._focus_on_page:
            self._focus_on_page = False
            table.focus()
        # Only the rows in sight are made now; the rest as they are scrolled to.
        table.set_rows_made_by(
            row_keys, lambda n: self.row_cells(page.rows[n], keys, variables), cursor_row=row_before
        )
        self.show_status()
        self.show_detail(at_once=True)

    # --- the detail pane ---------------------------------------------------------------------
    _detail_timer: Timer | None = None
    _detail_for: int | None = None

    def on_resize(self) -> None:
        # On a short terminal the table needs the rows more: the pane goes (Enter still opens).
        self.query_one("#log-detail", Static).display = self.size.height >= DETAIL_FROM_HEIGHT

    def show_detail(self, *, at_once: bool = False) -> None:
        """The cursor's item in the pane under the table: at once where its latest update was
        read with the page (or ``at_once``, as a page is shown); else once the cursor rests a
        moment (a key held down reads nothing), its latest update then read in a worker."""
        item_id = self.current_id()
        row = self._rows.get(item_id) if item_id is not None else None
        if row is None:
            self._detail_for = None
            self.query_one("#log-detail", Static).update("")
            return
        if item_id == self._detail_for and not at_once:
            return
        self._detail_for = item_id
        if self._detail_timer is not None:
            self._detail_timer.stop()
        if at_once or row.id in self._latest:
            self._paint_detail(row)
        else:
            self._detail_timer = self.set_timer(DETAIL_PAUSE, lambda: self._paint_detail(row))

    def _paint_detail(self, row: ItemRow) -> None:
        if self._detail_for != row.id:
            return
        if row.id in self._latest:
            known = self._latest[row.id]
            shown = self._detail_text(row, known if known is not None else False)
            self.query_one("#log-detail", Static).update(shown, layout=False)
        else:
            self.query_one("#log-detail", Static).update(self._detail_text(row, None), layout=False)
            self._fetch_update(row)

    def _detail_text(self, row: ItemRow, update: tuple[date, str, str] | bool | None) -> Text:
        """Four lines: the item and its timescale, two of its text, one of its latest update."""
        width = max(self.query_one("#log-detail", Static).content_region.width, 20)
        due = f"{row.due_on:%d %b %Y}" if row.due_on else "no date"
        # Stored text is shown safe: no control character reaches the terminal (text_safety).
        head = f"  ·  {safe(row.timescale) or '(no timescale)'} → {due}"
        if row.days_overdue:
            head += f"  ·  overdue {row.days_overdue} days"
        text = Text.assemble((safe(f"{row.source} {row.reference}"), "bold"), head)
        text.truncate(width, overflow="ellipsis")
        lines = textwrap.wrap(" ".join(safe(row.text).split()), width) or [""]
        if len(lines) > 2:
            lines = [lines[0], lines[1][: width - 1].rstrip() + "…"]
        text.append("\n" + "\n".join(lines) + ("\n" if len(lines) == 2 else "\n\n"))
        if update is None:
            text.append("Latest update: …", style="dim")
        elif update is False:
            text.append("No progress update yet.", style="dim italic")
        else:
            day, author, said = update  # type: ignore[misc]
            latest = Text.assemble(
                (f"Latest update {day:%d %b %Y}, {safe(author)}: ", "bold"), " ".join(safe(said).split())
            )
            latest.truncate(width, overflow="ellipsis")
            text.append_text(latest)
        return text

    @work(thread=True, exclusive=True, group="log-detail", exit_on_error=False)
    def _fetch_update(self, row: ItemRow) -> None:
        found = self.tracker.latest_update(row.id)
        self.app.call_from_thread(self._update_read, row, found)

    def _update_read(self, row: ItemRow, found: tuple[date, str, str] | None) -> None:
        if self._detail_for == row.id:
            shown = self._detail_text(row, found if found is not None else False)
            self.query_one("#log-detail", Static).update(shown, layout=False)

    def row_cells(self, row: ItemRow, keys: list[str], variables: Mapping[str, str]) -> list[Text]:
        cells = [Text("●" if row.id in self.selected else " ")]
        cells += [COLUMN_BY_KEY[key].render(row, variables) for key in keys]
        if row.id in self._gone:
            for cell in cells[1:]:
                cell.stylize("dim")
            if "text" in keys:
                text = cells[1 + keys.index("text")]
                cells[1 + keys.index("text")] = Text.assemble((GONE, "italic"), " · ", text)
        return cells

    def show_filters(self) -> None:
        views = self.sscp.views.state.views
        numbered = "  ".join(f"{n} {v.name}" for n, v in enumerate(views, start=1))
        line = Text("Filters: ", style="bold")
        line.append(describe_filter(self.item_filter, lambda: self.tracker))
        if views:
            line.append("\nViews: ", style="bold")
            line.append(numbered)
        self.query_one("#log-filters", StatusLine).show(line)

    def show_status(self) -> None:
        page = self.page
        if page is None:
            return
        first = page.offset + 1 if page.rows else 0
        last = page.offset + len(page.rows)
        if self.total is None:
            counted = "…" if len(page.rows) == PAGE_SIZE else f"{last:,}"
            self.query_one("#log-status", StatusLine).show(Text(f"{first:,}–{last:,} of {counted} items"))
            return
        direction = "descending" if self.descending else "ascending"
        sort = (
            "worst alerts first"
            if self.sort is SortKey.ALERTS and not self.descending
            else (f"{self.sort.value}, {direction}")
        )
        text = f"{first:,}–{last:,} of {page.total:,} items · sorted by {sort}"
        if self._gone:
            gone = len(self._gone)
            text += f" · {gone} no longer {'matches' if gone == 1 else 'match'} (ctrl+r reloads)"
        if self.selected:
            text += f" · {len(self.selected)} selected (space toggles, esc clears)"
        self.query_one("#log-status", StatusLine).show(Text(text))

    def refresh_data(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self._keep_item = True
        self.load()

    def refresh_for_others(self) -> None:
        self._keep_item = True
        self.load()

    # --- ItemActions -----------------------------------------------------------------------
    def current_id(self) -> int | None:
        return cursor_id(self.table)

    def target_ids(self) -> list[int]:
        if self.selected:
            return sorted(self.selected)
        current = self.current_id()
        return [current] if current is not None else []

    def target_label(self, ids: list[int]) -> str:
        if len(ids) == 1 and ids[0] in self._rows:
            row = self._rows[ids[0]]
            return f"{row.source} {row.reference}".strip()
        return super().target_label(ids)

    def rows_to_redraw(self, result: ChangeResult) -> list[int]:
        return [item_id for item_id in result.item_ids if item_id in self._rows]

    def read_rows(self, ids: list[int]) -> Sequence[ItemRow]:
        return self.tracker.rows(ids, with_proposals=self.with_proposals)

    def after_edit(self, result: ChangeResult, message: str, rows: Sequence[ItemRow]) -> None:
        """Edited rows are redrawn where they stand (as read just after the commit), so the
        cursor and the page stay put while the chair works down it; the count is taken again,
        as an edit may move an item out of the filter. Anything else (an undo, another
        screen's edit) reloads the page."""
        self.say(message)
        self.selected.clear()
        shown = [row for row in rows if row.id in self._rows]
        if not shown:
            self.load()
            return
        keys = self.visible_columns()
        variables = self.app.theme_variables
        for row in shown:
            self._rows[row.id] = row
            # Drawn after the selection was cleared: rows selected for the edit lose their mark.
            self.table.update_row(str(row.id), self.row_cells(row, keys, variables))
        # The edit may have added an update: the pane reads the edited rows' latest again.
        edited = {row.id for row in shown}
        self._latest = {item_id: known for item_id, known in self._latest.items() if item_id not in edited}
        if self.current_id() in edited:
            self.show_detail(at_once=True)
        # Counted again once the edited rows are painted, so the count's work does not delay them.
        self.call_after_refresh(self.recount, self._generation, [row.id for row in shown])

    def after_removal(self, result: ChangeResult, message: str) -> None:
        self.say(message)
        self.selected.clear()
        self.load()

    @work(thread=True, group="log-recount", exit_on_error=False)
    def recount(self, generation: int, edited: list[int]) -> None:
        """After an edit: the count again, and which edited rows the filter no longer selects."""
        f = self.item_filter
        total = self.tracker.count(f)
        still = self.tracker.still_matching(f, edited)
        self.app.call_from_thread(self._recounted, generation, total, [i for i in edited if i not in still])

    def _recounted(self, generation: int, total: int, gone: list[int]) -> None:
        if generation != self._generation:
            return
        self._counted(generation, total)
        fresh = [item_id for item_id in gone if item_id in self._rows and item_id not in self._gone]
        if not fresh:
            return
        self._gone.update(fresh)
        keys = self.visible_columns()
        variables = self.app.theme_variables
        for item_id in fresh:
            self.table.update_row(str(item_id), self.row_cells(self._rows[item_id], keys, variables))
        self.show_status()

    # --- navigation and selection ----------------------------------------------------------
    @on(LogTable.PageRequest)
    def _page_request(self, event: LogTable.PageRequest) -> None:
        self.action_page(event.step)

    def action_page(self, step: int) -> None:
        if self.page is None:
            return
        offset = self.page_offset + step * PAGE_SIZE
        known = self.total if self.total is not None else self.page.offset + len(self.page.rows) + 1
        if offset < 0 or offset >= known:
            return
        self.page_offset = offset
        self._land_at_end = step < 0
        self.load(keep_cursor=False, total=self.total)

    @on(RowTable.RowSelected)
    def _row_selected(self, event: RowTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        current = self.current_id()
        if current is not None:
            self.open_item(current)

    def action_toggle_select(self) -> None:
        current = self.current_id()
        if current is None:
            return
        self.selected.symmetric_difference_update({current})
        self.table.update_cell(str(current), "sel", Text("●" if current in self.selected else " "))
        self.table.action_cursor_down()
        self.show_status()

    def action_select_page(self) -> None:
        self.selected.update(self._rows)
        self.show_page(self.page, True) if self.page else None

    def action_unselect(self) -> None:
        if self.selected:
            self.selected.clear()
            if self.page:
                self.show_page(self.page, True)

    # --- filters, search, sort -------------------------------------------------------------
    def set_filter(self, item_filter: ItemFilter) -> None:
        self.item_filter = item_filter
        self.page_offset = 0
        self.selected.clear()
        search = self.query_one("#log-search", Input)
        if search.value != item_filter.text:
            with search.prevent(Input.Changed):
                search.value = item_filter.text
        self.load(keep_cursor=False)

    def action_search(self) -> None:
        self._focus_on_page = False
        self.query_one("#log-search", Input).focus()

    @on(Input.Changed, "#log-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._focus_on_page = False  # typing again: the keys stay in the box
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value
        self._search_timer = self.set_timer(
            SEARCH_PAUSE, lambda: self.set_filter(replace(self.item_filter, text=text))
        )

    @on(Input.Submitted, "#log-search")
    def _search_done(self, event: Input.Submitted) -> None:
        """Enter searches at once (typing waits for a pause first) and returns to the table."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if event.value != self.item_filter.text:
            self.set_filter(replace(self.item_filter, text=event.value))
            self._focus_on_page = True
        else:
            self.table.focus()

    def key_escape(self) -> None:
        self._focus_on_page = False
        search = self.query_one("#log-search", Input)
        if search.has_focus:
            self.table.focus()

    def action_filter(self) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self.set_filter(filter_from_values(values, self.item_filter.text))

        self.app.push_screen(self._filter_form(), done)

    def _filter_form(self) -> FormModal:
        """The filter form, installed once and refilled with the current filter and the
        tracker's agencies, reviews and themes each time it is asked for."""
        return reused(self.app, filter_form(self.item_filter, self.tracker))

    def action_clear(self) -> None:
        self.set_filter(ItemFilter())
        self.say("Filters cleared: all open items.")

    def action_sort(self) -> None:
        options = [(c.label, c.key) for c in COLUMNS if c.sort is not None]

        def done(key: str | None) -> None:
            if key:
                self.sort_by(COLUMN_BY_KEY[key].sort or SortKey.ALERTS, toggle=False)

        self.app.push_screen(ChoiceModal("Sort by", options), done)

    def sort_by(self, sort: SortKey, *, toggle: bool) -> None:
        self.descending = (not self.descending) if (toggle and sort is self.sort) else False
        self.sort = sort
        self.page_offset = 0
        self.build_columns()
        self.load(keep_cursor=False)

    def action_reverse(self) -> None:
        self.sort_by(self.sort, toggle=True)

    @on(RowTable.HeaderSelected)
    def _header(self, event: RowTable.HeaderSelected) -> None:
        column = COLUMN_BY_KEY.get(event.column_key)
        if column and column.sort:
            self.sort_by(column.sort, toggle=True)

    def action_columns(self) -> None:
        shown = set(self.visible_columns())
        # The usual columns first, then those shown only once chosen.
        optional = sorted((c for c in COLUMNS if c.optional), key=lambda c: not c.by_default)
        options = [(c.label, c.key, c.key in shown) for c in optional]

        def done(chosen: list[str] | None) -> None:
            if chosen is None:
                return
            state = self.sscp.views.state
            state.hidden_columns = [c.key for c in COLUMNS if c.optional and c.key not in chosen]
            state.shown_columns = [c.key for c in COLUMNS if not c.by_default and c.key in chosen]
            self.sscp.views.save()
            self.build_columns()
            self.load()

        self.app.push_screen(PickManyModal("Columns to show", options), done)

    # --- saved views -----------------------------------------------------------------------
    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        return [
            # The filter form first: the dearest to build (0.2-0.3 s), and often the first asked.
            lambda: filter_form(self.item_filter, self.tracker),
            *super().forms_ahead(),
            lambda: FormModal("", _view_fields()),
            import_form,
            lambda: export_form(""),
        ]

    def action_save_view(self) -> None:
        fields = _view_fields()

        def done(values: dict[str, str] | None) -> None:
            if not values:
                return
            view = view_from_filter(
                values["name"].strip(), self.item_filter, self.tracker, self.sort, self.descending
            )
            try:
                number = self.sscp.views.put_view(view)
            except ValueError as exc:
                self.say(str(exc), severity="error")
                return
            self.say(f"Saved view {number}: {view.name}. Press {number} to return to it.")
            self.show_filters()

        self.app.push_screen(reused(self.app, FormModal("Save this view", fields)), done)

    def action_drop_view(self) -> None:
        views = self.sscp.views.state.views
        options = [(f"{n} {v.name}", str(n)) for n, v in enumerate(views, start=1)]

        def done(number: str | None) -> None:
            if number and (dropped := self.sscp.views.drop_view(int(number))):
                self.say(f"Deleted the view {dropped.name}.")
                self.show_filters()

        self.app.push_screen(ChoiceModal("Delete which view?", options), done)

    def action_view(self, number: int) -> None:
        if number == 0:
            self.action_clear()
            return
        views = self.sscp.views.state.views
        if number > len(views):
            self.say(f"There is no view {number}; v saves the current filter as a view.", severity="warning")
            return
        view = views[number - 1]
        self.sort = SortKey(view.sort)
        self.descending = view.descending
        self.build_columns()
        chosen = filter_from_view(view, self.tracker)
        self.set_filter(chosen)
        missing = missing_from_view(view, chosen)
        if missing:
            self.say(
                f"View {number}: {view.name}, without the {' and the '.join(missing)} it names, "
                "which this tracker no longer has.",
                severity="warning",
            )
        else:
            self.say(f"View {number}: {view.name}")

    def action_my_agency(self) -> None:
        mine = self.sscp.my_agency()
        if mine is None:
            self.action_set_my_agency()
            return
        if self.item_filter.agency_id == mine.id:
            self.set_filter(replace(self.item_filter, agency_id=None))
        else:
            self.set_filter(replace(self.item_filter, agency_id=mine.id))

    def action_proposals(self) -> None:
        """Narrow the filter to items whose latest update proposes a rating not yet answered,
        and show the Proposed column; the same key again shows every item."""
        again = self.item_filter.proposals
        if not again and not self.with_proposals:
            state = self.sscp.views.state
            state.shown_columns = [*state.shown_columns, "proposed"]
            state.hidden_columns = [key for key in state.hidden_columns if key != "proposed"]
            self.sscp.views.save()
            self.build_columns()
        self.set_filter(replace(self.item_filter, proposals=not again))

    def action_alert(self, value: str) -> None:
        """Narrow the filter to one alert, keeping the rest of it (my agency, a search); the
        same key again shows every alert."""
        kind = AlertKind(value)
        again = self.item_filter.alert is kind
        self.set_filter(replace(self.item_filter, alert=None if again else kind))
        self.say(
            "Showing every alert again." if again else f"Only {kind.value} items; the same key shows all."
        )

    def action_set_my_agency(self) -> None:
        options = [(f"{a.short_name} — {a.name}", a.short_name) for a in self.tracker.agencies() if a.active]

        def done(short: str | None) -> None:
            if short:
                self.sscp.views.state.my_agency = short
                self.sscp.views.save()
                self.say(f"My agency is now {short}; m shows its items.")
                self.action_my_agency()

        self.app.push_screen(ChoiceModal("Which agency is yours?", options), done)


def _view_fields() -> list[FormField]:
    return [FormField("name", "Name of this view (e.g. Police overdue)", validate=required("A name"))]
