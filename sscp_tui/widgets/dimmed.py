"""The screen beneath a dialog, dimmed: what Textual draws behind a ModalScreen whose
background is translucent, drawn from the lines already painted and with each style's tint
worked out once.

Textual renders the screen beneath again through Rich, tints every segment (a colour blend
and a new style each), then splits the result back into lines: 20-25 ms a paint at 120x40,
and a dialog paints at least twice as it opens. A painted screen repeats its styles (a
table's rows share a few dozen; text carries a style per span, the same at each paint), so
the tints are kept, and its lines are taken as they are. What is drawn is the same, cell for
cell (the dialog snapshots are unchanged).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.strip import Strip
from textual.visual import RenderOptions, Visual

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.screen import Screen
    from textual.style import Style

_NULL = RichStyle()
_KEPT = 4096  # styles whose tints are kept; past that, worked out afresh
_tints: dict[tuple[Color, RichStyle], dict[RichStyle | None, RichStyle]] = {}


def _tinted(style: RichStyle | None, color: Color, base: RichStyle) -> RichStyle:
    """As Textual's BackgroundScreen and Widget.post_render together: links and meta dropped,
    the colours blended with ``color``, on the dialog screen's own ``base`` style."""
    plain = _NULL if style is None else style.clear_meta_and_links()
    foreground = None if plain.color is None else (Color.from_rich_color(plain.color) + color).rich_color
    background = None if plain.bgcolor is None else (Color.from_rich_color(plain.bgcolor) + color).rich_color
    tinted = plain + RichStyle.from_color(foreground, background)
    return base + tinted if base else tinted


class Dimmed(Visual):
    """``beneath``, tinted with ``color`` (which has some transparency)."""

    def __init__(self, beneath: Screen[object], color: Color) -> None:
        self.beneath = beneath
        self.color = color

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        base = style.rich_style
        tints = _tints.setdefault((self.color, base), {})
        if len(tints) > _KEPT:
            tints.clear()
        color = self.color
        lines = self.beneath._compositor.render_strips()
        strips: list[Strip] = []
        for line in lines[:height]:
            segments = []
            for text, segment_style, control in line:
                if control:
                    continue  # nothing a painted line carries; Textual drops them as it crops
                tint = tints.get(segment_style)
                if tint is None:
                    tint = tints[segment_style] = _tinted(segment_style, color, base)
                segments.append(Segment(text, tint))
            strip = Strip(segments, line.cell_length)
            strips.append(strip.crop(0, width) if line.cell_length > width else strip)
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.beneath.size.height
