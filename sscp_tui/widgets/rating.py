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
    key = rating_key(rating)
    background = variables.get(f"rating-{key}", RATING_VARIABLES[f"rating-{key}"])
    foreground = variables.get(f"rating-{key}-text", RATING_VARIABLES[f"rating-{key}-text"])
    label = f" {rating_label(rating)}{suffix}".ljust(width)
    return Text(label, style=f"bold {foreground} on {background}")


# Each alert has one name wherever it is shown (the log, the dashboard, help, the pack, the
# alerts command): its own.
ALERT_MARKS: dict[AlertKind, str] = {kind: kind.value for kind in AlertKind}
