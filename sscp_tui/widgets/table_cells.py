"""RowTable's columns and cells: how wide a column is, and a cell as segments of exactly that width."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

PADDING = 1  # spaces either side of a cell, as DataTable draws them


@dataclass(frozen=True)
class TableColumn:
    key: str
    label: Text
    width: int

    @property
    def cell_width(self) -> int:
        return self.width + 2 * PADDING


def fitted_columns(
    headings: Sequence[tuple[str, Text]],
    rows: Sequence[Sequence[Text]],
    *,
    at_least: Mapping[str, int] | None = None,
) -> list[TableColumn]:
    """Columns (key, heading) each as wide as its heading or widest cell, as DataTable sizes them.

    ``at_least`` gives a column a narrowest width (by key) whatever its cells hold.
    """
    widths = [label.cell_len for _, label in headings]
    for cells in rows:
        for index, cell in enumerate(cells[: len(widths)]):
            widths[index] = max(widths[index], cell.cell_len)
    least = at_least or {}
    return [
        TableColumn(key, label, max(width, least.get(key, 0)))
        for (key, label), width in zip(headings, widths, strict=True)
    ]


# Line breaks, tabs and other control characters would break a line of the table apart (an
# imported reference or review name may hold them); each becomes one space, so spans keep
# their places.
_CONTROLS = {code: " " for code in [*range(32), 127]}


def fit_cell(cell: Text, width: int) -> list[Segment]:
    """A cell's segments, cut or padded to exactly ``width`` cells, on one line.

    The padding goes where the cell's ``justify`` asks: a right-justified count lines up on
    the right of its column, as in DataTable.
    """
    plain = cell.plain
    if not cell.spans and plain.isprintable() and plain.isascii():
        # Most cells: one style, one column a character. One segment, made directly (the
        # general path below is about ten times as slow, which a page of 1,200 cells shows);
        # a long one is cut with an ellipsis, as Text.truncate would.
        if len(plain) > width:
            plain = plain[: width - 1] + "…" if width > 0 else ""
        style = _CONSOLE.get_style(cell.style) if cell.style else None
        gap = width - len(plain)
        if cell.justify == "right":
            return [Segment(" " * gap + plain, style)]
        if cell.justify == "center":
            return [Segment(" " * (gap // 2) + plain + " " * (gap - gap // 2), style)]
        return [Segment(plain + " " * gap, style)]
    text = cell.copy()
    plain = text.plain
    if not plain.isprintable():
        text.plain = plain.translate(_CONTROLS)
    text.no_wrap = True
    text.truncate(width, overflow="ellipsis")
    gap = width - text.cell_len
    if cell.justify == "right":
        text.pad_left(gap)
    elif cell.justify == "center":
        text.pad_left(gap // 2)
        text.pad_right(gap - gap // 2)
    else:
        text.pad_right(gap)
    # Text.render draws the spans only; the text's own style is laid under them here.
    base = _CONSOLE.get_style(text.style) if text.style else None
    return list(Segment.apply_style(text.render(_CONSOLE, end=""), base))


# Cells are rendered with a console of their own: no terminal, markup or emoji is involved.
_CONSOLE = Console(width=10_000, color_system=None, markup=False, emoji=False, highlight=False)
