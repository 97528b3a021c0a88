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


# --- the cell cursor (the dashboard's agency × rating matrix) -------------------------------
GRID = [TableColumn("agency", Text("Agency"), 6), TableColumn("red", Text("Red"), 4),
        TableColumn("amber", Text("Amber"), 5), TableColumn("total", Text("Total"), 5)]  # fmt: skip


def grid_rows() -> list[tuple[str, list[Text]]]:
    return [
        (f"a{n}", [Text(f"AG{n}"), *(Text(f"{n * k}", justify="right") for k in (1, 10, 11))])
        for n in range(4)
    ]


class GridApp(App[None]):
    def __init__(self, *, show_header: bool = True) -> None:
        super().__init__()
        self.show_header = show_header
        self.events: list[Any] = []

    def compose(self) -> ComposeResult:
        yield RowTable(id="t", cursor="cell", show_header=self.show_header, zebra_stripes=False)

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(GRID)
        table.set_rows(grid_rows(), cursor_row=1)
        table.focus()

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        self.events.append(("row", event.row_key))

    def on_row_table_cell_selected(self, event: RowTable.CellSelected) -> None:
        self.events.append(("cell", event.row_key, event.column_key))

    def on_row_table_header_selected(self, event: RowTable.HeaderSelected) -> None:
        self.events.append(("header", event.column_key))


def cursor_cells(table: RowTable, y: int) -> str:
    """The line's text with every character drawn in the cursor's colour shown and the rest blanked."""
    cursor = table.get_component_rich_style("rowtable--cursor").bgcolor
    line = table.render_lines(Region(0, y, table.size.width, 1))[0]
    return "".join(
        s.text if s.style is not None and s.style.bgcolor == cursor else "_" * len(s.text) for s in line
    ).rstrip("_")


async def test_in_cell_mode_left_and_right_move_the_cursor_cell_and_enter_selects_it() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        assert (table.cursor_row, table.cursor_column_key) == (1, "agency")
        await pilot.press("right", "right")
        assert table.cursor_column_key == "amber" and round(table.scroll_x) == 0  # moved, not scrolled
        await pilot.press("left", "down")
        assert (table.cursor_key, table.cursor_column_key) == ("a2", "red")
        await pilot.press("enter")
        await pilot.press("right", "right", "right", "right", "enter")  # stops at the last column
        await pilot.pause()
        assert app.events == [("cell", "a2", "red"), ("cell", "a2", "total")]


async def test_only_the_cursor_cell_is_drawn_in_the_cursor_colour() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        await pilot.press("right", "right")
        await pilot.pause()
        assert cursor_cells(table, 2) == "______________    10 "  # row a1, the Amber cell and its padding
        assert cursor_cells(table, 1) == ""  # another row: no cursor


async def test_clicking_a_cell_moves_the_cursor_there_and_a_second_click_selects_it() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        await pilot.click(RowTable, offset=(15, 4))  # row a3, the Amber column (from x=14)
        assert (table.cursor_key, table.cursor_column_key) == ("a3", "amber") and app.events == []
        await pilot.click(RowTable, offset=(15, 4))
        await pilot.click(RowTable, offset=(35, 4))  # right of the last column: no cell there
        await pilot.click(RowTable, offset=(22, 0))  # the Total heading
        await pilot.pause()
        assert app.events == [("cell", "a3", "amber"), ("header", "total")]
        assert table.cursor_column_key == "amber"


async def test_without_a_header_the_first_line_is_the_first_row() -> None:
    app = GridApp(show_header=False)
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        await pilot.pause()
        assert screen_line(table, 0).startswith(" AG0 ")
        await pilot.click(RowTable, offset=(1, 0))
        await pilot.click(RowTable, offset=(1, 0))
        await pilot.pause()
        assert table.cursor_key == "a0" and app.events == [("cell", "a0", "agency")]


async def test_right_justified_cells_line_up_on_the_right_of_their_column() -> None:
    app = GridApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RowTable)
        table.update_cell("a0", "red", Text("½", justify="right"))  # not ASCII: drawn the slow way
        table.update_cell("a0", "amber", Text("x", justify="center"))
        await pilot.pause()
        assert screen_line(table, 0).rstrip() == " Agency  Red   Amber  Total"
        assert screen_line(table, 1).rstrip() == " AG0        ½    x        0"
        assert screen_line(table, 4).rstrip() == " AG3        3     30     33"


async def test_rows_made_when_first_drawn_are_made_for_the_rows_in_sight_and_read_alike() -> None:
    """A page set with set_rows_made_by makes only the rows drawn; a row scrolled to, or read,
    is made then, and shows what set_rows would have shown."""
    app = TableApp()
    made: list[int] = []
    source = rows(50)

    def make(index: int) -> list[Text]:
        made.append(index)
        return source[index][1]

    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows_made_by([key for key, _ in source], make, cursor_row=0)
        await pilot.pause()
        assert made and max(made) < 12  # only the rows on screen
        assert "R0" in screen_line(table, 1)
        assert table.get_cell("30", "ref").plain == "R30" and 30 in made
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_key == "49" and 49 in made
        assert "R49" in "".join(screen_line(table, y) for y in range(table.size.height))
        assert len(made) < 50


async def test_a_long_list_of_choices_puts_each_on_one_line_cut_short_if_need_be() -> None:
    """Laid out without measuring each option (see OneLineOptions): a choice longer than the
    list is wide is cut with an ellipsis, not wrapped, and the list scrolls one line a choice."""
    from textual.widgets import OptionList

    from sscp_tui.screens.forms import ChoiceModal

    long = "Review: Thematic review of adolescent suicide and self-harm across the county (2023)"
    options = [("All open items", "all"), (long, "long")] + [
        (f"Agency {n}", f"agency:{n}") for n in range(30)
    ]
    app: App[None] = App()
    async with app.run_test(size=(60, 20)) as pilot:
        chosen: list[str | None] = []
        await app.push_screen(ChoiceModal("Which items?", options), chosen.append)
        await pilot.pause()
        listing = app.screen.query_one("#choice-list", OptionList)
        assert listing.virtual_size.height == len(options)
        second = listing.render_line(1).text
        assert second.strip().startswith("Review: Thematic review") and second.rstrip().endswith("…")
        assert listing.render_line(2).text.strip() == "Agency 0", "one line for each choice"
        await pilot.press("down")  # from the box where one types, into the list at its first choice
        assert listing.has_focus and listing.highlighted == 0
        await pilot.press("down", "enter")
        assert chosen == ["long"]
