"""Ratings and alerts as Rich Text: coloured AND labelled, never colour alone.

The colours are theme variables (``rating-red`` …) declared once in the App, so the same
palette drives the .tcss and these cells, and a theme can change them everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from sscp_tui.db.enums import Rating
from sscp_tui.services.records import AlertKind, rating_label

RATING_VARIABLES: dict[str, str] = {
    "rating-blue": "#1f6feb",
    "rating-green": "#1a7f37",
    "rating-amber": "#d4a72c",
    "rating-red": "#cf222e",
    "rating-unrated": "#6e7781",
    "rating-blue-text": "#ffffff",
    "rating-green-text": "#ffffff",
    "rating-amber-text": "#1f2328",
    "rating-red-text": "#ffffff",
    "rating-unrated-text": "#ffffff",
}


def rating_key(rating: Rating | None) -> str:
    return rating.value if rating else "unrated"


def rating_text(
    rating: Rating | None, variables: Mapping[str, str], *, width: int = 8, suffix: str = ""
) -> Text:
    label = f" {rating_label(rating)}{suffix}".ljust(width)
    return Text(label, style=_style(rating, variables))


def _style(rating: Rating | None, variables: Mapping[str, str]) -> str:
    """A rating's own colours, from the theme's variables where it sets them."""
    key = rating_key(rating)
    background = variables.get(f"rating-{key}", RATING_VARIABLES[f"rating-{key}"])
    foreground = variables.get(f"rating-{key}-text", RATING_VARIABLES[f"rating-{key}-text"])
    return f"bold {foreground} on {background}"


_SHORT_RATINGS = {"red": "Red", "amber": "Amb", "green": "Grn", "blue": "Blue", "unrated": "Unr"}


def rating_header(rating: Rating | None, variables: Mapping[str, str]) -> Text:
    """A count column's heading in the rating's colours, five wide ("Amb", "Grn"): a screen of
    counts by rating keeps its names and statuses whole at 120 columns."""
    return Text(f" {_SHORT_RATINGS[rating_key(rating)]}".ljust(5), style=_style(rating, variables))


def fitted(text: str, width: int) -> Text:
    """``text`` cut to ``width`` cells with "…" where it is longer (the whole is a key away)."""
    return Text(text if len(text) <= width else text[: max(width - 1, 1)].rstrip() + "…")


def flexible_width(table_width: int, others: list[int], *, minimum: int = 16) -> int:
    """The width left for a table's one flexible column (a name) beside columns of ``others``
    widths, each with a DataTable's padding of one either side, and room for a scrollbar."""
    return max(minimum, table_width - sum(width + 2 for width in others) - 2 - 2)


# Each alert has one name wherever it is shown (the log, the dashboard, help, the pack, the
# alerts command): its own.
ALERT_MARKS: dict[AlertKind, str] = {kind: kind.value for kind in AlertKind}
