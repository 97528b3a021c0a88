"""How wide a word prints, so a Word table's columns can be sized to their words.

Word and LibreOffice break a line at spaces; a word wider than its column is broken anywhere
("Timesc|ale", "31/03/2|014"). A column is therefore never made narrower than its widest word.
Widths are Helvetica's published metrics (thousandths of the type size), which Arial and
LibreOffice's Liberation Sans share; a character outside ASCII is given a generous width.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_FIRST = 32  # the space; the tables run to "~"
# fmt: off
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
)
# fmt: on
_OTHER = 700  # a letter outside ASCII: wider than most, so its column is never too narrow
_SLACK = 1.08  # renderers differ a little in spacing and kerning


def word_width(word: str, size_pt: float, *, bold: bool = False) -> float:
    """The printed width of ``word`` in points."""
    table = _BOLD if bold else _REGULAR
    units = 0
    for char in word:
        code = ord(char) - _FIRST
        units += table[code] if 0 <= code < len(table) else _OTHER
    return units * size_pt / 1000 * _SLACK


def widest_word(texts: Iterable[str], size_pt: float, *, bold: bool = False) -> float:
    """The printed width, in points, of the widest word in ``texts``. Only the longer words
    (by characters) are measured: the widest character is under six times the narrowest, so no
    word under a sixth of the longest's length can be wider."""
    longest: dict[str, None] = {}
    most = 0
    for text in texts:
        for word in text.split():
            size = len(word)
            if size * 6 > most:
                longest[word] = None
                most = max(most, size)
    return max((word_width(w, size_pt, bold=bold) for w in longest if len(w) * 6 > most), default=0.0)


def fit_columns(total: int, weights: Sequence[int], least: Sequence[int]) -> list[int]:
    """Columns sharing ``total`` in proportion to ``weights``, none narrower than its entry in
    ``least``: a column its share would squeeze is held at its least, and the rest share what
    is left. Where even the least widths do not fit, they are narrowed in proportion."""
    needed = sum(least)
    if needed >= total:
        return [total * w // needed for w in least] if needed else [total // len(least)] * len(least)
    held: set[int] = set()
    while True:
        free = total - sum(least[i] for i in held)
        weight = sum(w for i, w in enumerate(weights) if i not in held) or 1
        squeezed = [i for i, w in enumerate(weights) if i not in held and free * w // weight < least[i]]
        if not squeezed:
            break
        held.update(squeezed)
    return [least[i] if i in held else free * w // weight for i, w in enumerate(weights)]
