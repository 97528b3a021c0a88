"""The small widgets the screens are built from, driven on their own with Pilot."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region

from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.rowtable import RowTable, TableColumn

COLUMNS = [TableColumn("ref", Text("Ref"), 4), TableColumn("rating", Text("Rating"), 8),
           TableColumn("text", Text("Text"), 40)]  # fmt: skip


def rows(count: int) -> list[tuple[str, list[Text]]]:
    return [
        (str(n), [Text(f"R{n}"), Text(" Red", style="bold #ffffff on #cf222e"), Text(f"item {n} " * 10)])
        for n in range(count)
    ]


class TableApp(App[None]):
    BINDINGS: ClassVar = [Binding("q", "quit", "Quit", id="t.quit"), Binding("z", "noop", "Zap", id="t.zap")]

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []

    def compose(self) -> ComposeResult:
        yield RowTable(id="t")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(COLUMNS)
        table.set_rows(rows(50), cursor_row=2)
        table.focus()

    def action_noop(self) -> None:
        self.events.append("zap")

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        self.events.append(("row", event.row_key))

    def on_row_table_header_selected(self, event: RowTable.HeaderSelected) -> None:
        self.events.append(("header", event.column_key))


def screen_line(table: RowTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_lines(Region(0, y, table.size.width, 1))[0])


async def test_keys_move_the_cursor_and_enter_selects_the_row() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RowTable)
        assert table.cursor_key == "2"
        await pilot.press("down", "down", "up")
        assert table.cursor_key == "3"
        await pilot.press("end")
        assert table.cursor_key == "49" and round(table.scroll_y) > 0  # scrolled to show it
        await pilot.press("home", "pagedown")
        assert table.cursor_row > 3
        await pilot.press("enter")
        assert app.events == [("row", table.cursor_key)]


async def test_clicks_sort_by_heading_and_open_the_cursor_row() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RowTable)
        await pilot.click(RowTable, offset=(8, 0))  # the Rating heading
        await pilot.click(RowTable, offset=(3, 5))  # the fifth row: moves the cursor
        assert table.cursor_key == "4"
        await pilot.click(RowTable, offset=(3, 5))  # again: opens it
        assert app.events == [("header", "rating"), ("row", "4")]


async def test_cells_are_drawn_with_their_own_colours_and_cut_to_width() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(RowTable)
        header = screen_line(table, 0)
        assert header.startswith(" Ref   Rating    Text")
        first = table.render_lines(Region(0, 1, table.size.width, 1))[0]
        red = [s for s in first if s.text.strip() == "Red"]
        assert red and red[0].style is not None and red[0].style.bgcolor is not None
        assert red[0].style.bgcolor.name == "#cf222e"
        assert "…" in screen_line(table, 1)  # long text is cut with an ellipsis, not wrapped
        table.update_cell("0", "ref", Text("NEW"))
        await pilot.pause()
        assert screen_line(table, 1).startswith(" NEW")
        assert table.get_cell("0", "ref").plain == "NEW"


async def test_left_and_right_scroll_a_column_at_a_time() -> None:
    app = TableApp()
    async with app.run_test(size=(30, 12)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press("right")
        assert round(table.scroll_x) == 6  # the Rating column's start
        await pilot.press("left")
        assert round(table.scroll_x) == 0


async def test_the_key_bar_shows_the_keys_and_a_click_presses_one() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        line = bar.render().plain
        assert "q Quit" in line and "z Zap" in line
        await pilot.click(KeyBar, offset=(line.index("z Zap") + 1, 0))
        await pilot.pause()
        assert app.events == ["zap"]


async def test_line_breaks_and_tabs_in_a_cell_stay_on_its_line() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RowTable)
        table.update_cell("0", "ref", Text("A\nB\tC"))
        await pilot.pause()
        line = screen_line(table, 1)
        assert line.startswith(" A B…") and "\n" not in line and len(line) == table.size.width
