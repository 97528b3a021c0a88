"""A fast table for one page of rows: drawn line by line, each row's cells turned into segments once.

The log shows a page of 100 items at a time, and a key that changes what it shows (a search,
a saved view, a rating) must repaint within a frame or two. Textual's DataTable renders every
cell through a Rich console and renders them all again whenever the focus, cursor or rows
change; at a dozen columns that cost a tenth of a second per repaint. Here a row becomes a
strip of segments when it arrives, and painting a line is cropping that strip and laying the
row's background (zebra stripe or cursor) under it.

The API is a small, DataTable-shaped subset: columns and rows are keyed by strings, the
cursor is a row, enter or a click on the cursor row posts ``RowSelected``, a click on a
heading posts ``HeaderSelected``. With ``cursor="cell"`` the cursor is one cell instead (left
and right move it across the columns) and enter or a click on it posts ``CellSelected``; the
dashboard's agency × rating matrix works that way. A cell keeps its Text's ``justify``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sscp_tui.widgets.table_cells import PADDING, fit_cell
from sscp_tui.widgets.table_cells import TableColumn as TableColumn
from sscp_tui.widgets.table_cells import fitted_columns as fitted_columns

CursorType = Literal["row", "cell"]


class RowTable(ScrollView, can_focus=True):
    """Rows of Rich Text cells under one fixed heading line, with a row (or cell) cursor."""

    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus { background-tint: $foreground 5%; }
        & > .rowtable--header { text-style: bold; background: $panel; color: $foreground; }
        & > .rowtable--odd-row { }
        & > .rowtable--even-row { background: $surface-lighten-1 50%; }
        &:dark > .rowtable--even-row { background: $surface-darken-1 40%; }
        & > .rowtable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .rowtable--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rowtable--header",
        "rowtable--odd-row",
        "rowtable--even-row",
        "rowtable--cursor",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first_row", "First row", show=False),
        Binding("end", "last_row", "Last row", show=False),
        Binding("left", "column_left", "Scroll left a column", show=False),
        Binding("right", "column_right", "Scroll right a column", show=False),
        # With a cell cursor the same keys move it instead (check_action picks one of each pair).
        Binding("left", "cursor_left", "Cursor left", show=False),
        Binding("right", "cursor_right", "Cursor right", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    cursor_column: reactive[int] = reactive(0, always_update=True, repaint=False)
    """The cursor's column, when the cursor is a cell (``cursor="cell"``)."""

    @dataclass
    class RowSelected(Message):
        """Enter, or a click on the row under the cursor."""

        table: RowTable
        row_key: str
        cursor_row: int

        @property
        def control(self) -> RowTable:
            return self.table

    @dataclass
    class CellSelected(Message):
        """Enter, or a click on the cell under the cursor (``cursor="cell"`` only)."""

        table: RowTable
        row_key: str
        column_key: str
        cursor_row: int
        cursor_column: int

        @property
        def control(self) -> RowTable:
            return self.table

    @dataclass
    class HeaderSelected(Message):
        """A click on a column's heading."""

        table: RowTable
        column_key: str

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(
        self,
        *,
        cursor: CursorType = "row",
        show_header: bool = True,
        zebra_stripes: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.cursor_type: CursorType = cursor
        self._top = 1 if show_header else 0  # lines above the first row: the heading, or none
        self.zebra_stripes = zebra_stripes
        self._columns: list[TableColumn] = []
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        # A row's cells, or None for a row whose cells are made only when first needed (drawn
        # or read): set_rows_made_by. A page of 100 rows shows about 35 at a time.
        self._cells: list[list[Text] | None] = []
        self._make: Callable[[int], list[Text]] | None = None
        self._strips: dict[int, Strip] = {}  # row index → its cells as one unstyled strip
        self._header: Strip | None = None
        self._styles_now: tuple[Style, Style, Style, Style, Style] = (Style(),) * 5

    # --- the DataTable-shaped API ----------------------------------------------------------
    @property
    def columns(self) -> dict[str, TableColumn]:
        return {column.key: column for column in self._columns}

    @property
    def row_keys(self) -> list[str]:
        return list(self._keys)

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def show_header(self) -> bool:
        return self._top == 1

    @property
    def cursor_key(self) -> str | None:
        return self._keys[self.cursor_row] if self._keys else None

    @property
    def cursor_column_key(self) -> str | None:
        return self._columns[self.cursor_column].key if self._columns else None

    def set_columns(self, columns: Sequence[TableColumn]) -> None:
        if list(columns) == self._columns:
            return  # unchanged: keep every row already drawn
        if [c.key for c in columns] != [c.key for c in self._columns]:
            self._keys, self._index, self._cells = [], {}, []  # cells made for other columns
            self._make = None
        self._columns = list(columns)
        self._header = None
        self._strips.clear()
        self._resized()
        self.cursor_column = self.cursor_column  # kept within the columns

    def set_rows(self, rows: Sequence[tuple[str, list[Text]]], *, cursor_row: int = 0) -> None:
        """Replace every row at once (a page), placing the cursor."""
        cells = [row for _, row in rows]
        self.set_rows_made_by([key for key, _ in rows], cells.__getitem__, cursor_row=cursor_row)

    def set_rows_made_by(
        self, keys: Sequence[str], make: Callable[[int], list[Text]], *, cursor_row: int = 0
    ) -> None:
        """As set_rows, with each row's cells made by ``make(index)`` when first drawn or read:
        a page is shown without making the cells of rows scrolled out of sight."""
        self._keys = list(keys)
        self._index = {key: i for i, key in enumerate(self._keys)}
        self._cells = [None] * len(self._keys)
        self._make = make
        self._strips.clear()
        self._resized()
        self.move_cursor(row=cursor_row)

    def _row(self, row: int) -> list[Text]:
        cells = self._cells[row]
        if cells is None:
            assert self._make is not None
            cells = self._cells[row] = self._make(row)
        return cells

    def get_row_at(self, row: int) -> list[Text]:
        return list(self._row(row))

    def get_cell(self, row_key: str, column_key: str) -> Text:
        return self._row(self._index[row_key])[self._column_index(column_key)]

    def update_cell(self, row_key: str, column_key: str, value: Text) -> None:
        row = self._index.get(row_key)
        if row is None:
            return
        self._row(row)[self._column_index(column_key)] = value
        self._strips.pop(row, None)
        self.refresh_line(row + self._top)

    def update_row(self, row_key: str, cells: list[Text]) -> None:
        row = self._index.get(row_key)
        if row is None:
            return
        self._cells[row] = cells
        self._strips.pop(row, None)
        self.refresh_line(row + self._top)

    def move_cursor(
        self, *, row: int | None = None, column: int | None = None, animate: bool = False
    ) -> None:
        # Kept within the rows and columns by validate_cursor_row and validate_cursor_column.
        if row is not None:
            self.cursor_row = row
        if column is not None:
            self.cursor_column = column

    # --- cursor ----------------------------------------------------------------------------
    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._keys) - 1))

    def validate_cursor_column(self, column: int) -> int:
        return max(0, min(column, len(self._columns) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + self._top)
        self.refresh_line(new + self._top)
        self._scroll_to_cursor()

    def watch_cursor_column(self) -> None:
        if self.cursor_type == "cell":
            self.refresh_line(self.cursor_row + self._top)
            self._scroll_to_cursor()

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        region = self.scrollable_content_region
        rows_shown = region.height - self._top
        if rows_shown < 1:
            return  # not laid out yet: on_resize comes back here
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, force=True)
        elif self.cursor_row >= top + rows_shown:
            self.scroll_to(y=self.cursor_row - rows_shown + 1, animate=False, force=True)
        if self.cursor_type == "cell" and self._columns:
            start = self._column_starts()[self.cursor_column]
            end = start + self._columns[self.cursor_column].cell_width
            left = round(self.scroll_x)
            if start < left:
                self.scroll_to(x=start, animate=False, force=True)
            elif end > left + region.width:
                self.scroll_to(x=min(start, end - region.width), animate=False, force=True)

    def _rows_per_page(self) -> int:
        return max(1, self.scrollable_content_region.height - self._top - 1)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._rows_per_page()

    def action_page_down(self) -> None:
        self.cursor_row += self._rows_per_page()

    def action_first_row(self) -> None:
        self.cursor_row = 0

    def action_last_row(self) -> None:
        self.cursor_row = len(self._keys) - 1

    def _column_starts(self) -> list[int]:
        starts, left = [], 0
        for column in self._columns:
            starts.append(left)
            left += column.cell_width
        return starts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("column_left", "column_right"):
            return self.cursor_type == "row"
        if action in ("cursor_left", "cursor_right"):
            return self.cursor_type == "cell"
        return True

    def action_cursor_left(self) -> None:
        self.cursor_column -= 1

    def action_cursor_right(self) -> None:
        self.cursor_column += 1

    def action_column_left(self) -> None:
        x = round(self.scroll_x)
        self.scroll_to(x=max([s for s in self._column_starts() if s < x], default=0), animate=False)

    def action_column_right(self) -> None:
        x = round(self.scroll_x)
        later = [s for s in self._column_starts() if s > x]
        if later:
            self.scroll_to(x=min(later[0], round(self.max_scroll_x)), animate=False)

    def action_select_cursor(self) -> None:
        if not self._keys:
            return
        row, key = self.cursor_row, self._keys[self.cursor_row]
        if self.cursor_type == "cell":
            if self._columns:
                column = self.cursor_column
                self.post_message(self.CellSelected(self, key, self._columns[column].key, row, column))
        else:
            self.post_message(self.RowSelected(self, key, row))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        column = self._column_at(offset.x + round(self.scroll_x))
        if offset.y < self._top:
            if column is not None:
                self.post_message(self.HeaderSelected(self, self._columns[column].key))
            return
        row = offset.y - self._top + round(self.scroll_y)
        if not 0 <= row < len(self._keys):
            return
        if self.cursor_type == "cell":
            if column is None:
                return  # beside the last column: no cell there
            if (row, column) == (self.cursor_row, self.cursor_column):
                self.action_select_cursor()
            else:
                self.move_cursor(row=row, column=column)
        elif row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.cursor_row = row

    # --- painting --------------------------------------------------------------------------
    def _column_index(self, key: str) -> int:
        for index, column in enumerate(self._columns):
            if column.key == key:
                return index
        raise KeyError(key)

    def _column_at(self, x: int) -> int | None:
        """The index of the column drawn at ``x`` (counted from the table's left edge)."""
        left = 0
        for index, column in enumerate(self._columns):
            if left <= x < left + column.cell_width:
                return index
            left += column.cell_width
        return None

    def _resized(self) -> None:
        width = sum(column.cell_width for column in self._columns)
        self.virtual_size = Size(width, len(self._keys) + self._top)
        self.refresh()

    def _line(self, cells: Sequence[Text]) -> Strip:
        segments: list[Segment] = []
        pad = Segment(" " * PADDING)
        for column, cell in zip(self._columns, cells, strict=False):
            segments.append(pad)
            segments.extend(fit_cell(cell, column.width))
            segments.append(pad)
        return Strip(segments, sum(column.cell_width for column in self._columns))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The component styles are looked up once per paint, not once per line.
        self._styles_now = (
            self.rich_style,
            self.get_component_rich_style("rowtable--header"),
            self.get_component_rich_style("rowtable--odd-row"),
            self.get_component_rich_style("rowtable--even-row"),
            self.get_component_rich_style("rowtable--cursor"),
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, header, odd, even, cursor = self._styles_now
        width = self.size.width
        scroll_x = round(self.scroll_x)
        if y < self._top:
            if self._header is None:
                self._header = self._line([column.label for column in self._columns])
            line, style = self._header, base + header
        else:
            row = y - self._top + round(self.scroll_y)
            if row >= len(self._keys):
                return Strip.blank(width, base)
            cached = self._strips.get(row)
            if cached is None:
                cached = self._strips[row] = self._line(self._row(row))
            line = cached
            stripe = even if (self.zebra_stripes and row % 2 == 0) else odd
            style = base + stripe
            if row == self.cursor_row:
                if self.cursor_type == "row":
                    style = base + cursor
                elif self._columns:
                    line = self._with_cursor_cell(line, cursor)
        return line.crop_extend(scroll_x, scroll_x + width, None).apply_style(style)

    def _with_cursor_cell(self, line: Strip, cursor: Style) -> Strip:
        """The row's line with the cursor's style laid under the cursor cell alone."""
        start = self._column_starts()[self.cursor_column]
        end = start + self._columns[self.cursor_column].cell_width
        return Strip.join([line.crop(0, start), line.crop(start, end).apply_style(cursor), line.crop(end)])
