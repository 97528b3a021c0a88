"""A table cell is cut or padded to its column's width, the quick way and the general way alike."""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.text import Text

from sscp_tui.widgets.table_cells import fit_cell


def drawn(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments)


@pytest.mark.parametrize(
    ("cell", "width", "expected"),
    [
        (Text("Red"), 6, "Red   "),
        (Text("12", justify="right"), 5, "   12"),
        (Text("ab", justify="center"), 6, "  ab  "),
        (Text("Practitioners should show professional curiosity"), 12, "Practitione…"),
        (Text("exactly ten"), 11, "exactly ten"),
        (Text("exactly ten!"), 11, "exactly te…"),
        (Text("Café practice and the café"), 8, "Café pr…"),  # not ASCII: the general path
        (Text("line one\nline two"), 20, "line one line two   "),  # control characters
        (Text("anything"), 0, ""),
    ],
)
def test_a_cell_is_exactly_its_column_wide(cell: Text, width: int, expected: str) -> None:
    assert drawn(fit_cell(cell, width)) == expected


def test_a_long_cell_keeps_its_style_when_cut() -> None:
    segments = fit_cell(Text("Overdue since March 2025", style="bold"), 10)
    assert drawn(segments) == "Overdue s…"
    assert all(segment.style is not None and segment.style.bold for segment in segments)


def test_the_quick_way_draws_what_rich_draws() -> None:
    """Every ASCII cell without spans takes the quick way; it must match Text.truncate."""
    for text in ["short", "a" * 200, "Review of multi-agency practice, 2019"]:
        for width in (1, 5, 26, 90):
            reference = Text(text, no_wrap=True)
            reference.truncate(width, overflow="ellipsis", pad=True)
            assert drawn(fit_cell(Text(text), width)) == reference.plain
