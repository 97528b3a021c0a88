"""The pack as one self-contained web page that prints well.

No scripts, fonts, images or links to anything outside the file: the styles are inline, the
rating colours always come with the rating's name, and a print stylesheet starts each part
on a new page, repeats table headers and prints the log in landscape.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from sscp_tui.services.packs.layout import (
    Facts,
    Heading,
    Para,
    Part,
    RatingCell,
    Table,
    outline,
)
from sscp_tui.services.packs.model import RATING_COLOURS, Pack, Progress, long_date
from sscp_tui.services.packs.output import clean, write_pieces
from sscp_tui.services.records import rating_label

_SPECIAL = re.compile("[&<>\"'\n]")


def _text(value: str) -> str:
    """Recorded text, escaped, its line breaks kept."""
    text = clean(value)
    if _SPECIAL.search(text) is None:  # most text needs nothing done, and this is quick to tell
        return text
    return escape(text).replace("\n", "<br>")


_RATING_CELLS = {
    rating: f'<td class="rating rating-{rating.value if rating else "unrated"}">{rating_label(rating)}</td>'
    for rating in RATING_COLOURS
}


def _rating_css() -> str:
    rules = []
    for rating, (fill, ink) in RATING_COLOURS.items():
        name = rating.value if rating else "unrated"
        rules.append(f"td.rating-{name} {{ background: #{fill}; color: #{ink}; }}")
    return "\n".join(rules)


_CSS = """
:root { color-scheme: light; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; line-height: 1.35;
       margin: 2em auto; max-width: 70em; padding: 0 1em; color: #111; }
.marking { text-align: center; font-weight: bold; letter-spacing: 0.05em; }
h1 { font-size: 1.6em; border-bottom: 2px solid #333; padding-bottom: 0.2em; }
h1.title { font-size: 2em; border: none; }
h2 { font-size: 1.2em; margin-top: 1.4em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1em; }
th, td { border: 1px solid #777; padding: 0.25em 0.4em; vertical-align: top;
         text-align: left; }
th { background: #e8e8e8; }
td.rating { font-weight: bold; white-space: nowrap;
            -webkit-print-color-adjust: exact; print-color-adjust: exact; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1.2em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
p.note { font-weight: bold; }
th.caption { background: #fff; border: none; padding: 0 0 0.3em; font-size: 1.05em; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; padding: 0; }
  section.part { break-before: page; }
  section.part.cover { break-before: auto; }
  section.part.log { page: log; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h1, h2 { break-after: avoid; }
  h2.new-page { break-before: page; }
}
"""


def _table(table: Table) -> str:
    parts = ["<table>", "<thead>"]
    if table.caption:
        parts.append(
            f'<tr><th class="caption" colspan="{len(table.headers)}">{_text(table.caption)}</th></tr>'
        )
    parts.append("<tr>")
    parts.extend(f'<th scope="col">{_text(h)}</th>' for h in table.headers)
    parts.append("</tr></thead><tbody>")
    append, ratings, special = parts.append, _RATING_CELLS, _SPECIAL.search
    # The hot loop of a large pack (150,000 cells for 10,000 items), so written out: the same
    # result as _text for each cell.
    for row in table.rows:
        append("<tr>")
        for cell in row:
            if type(cell) is str:
                text = cell if cell.isprintable() else clean(cell)
                if special(text) is not None:
                    text = escape(text).replace("\n", "<br>")
                append("<td>" + text + "</td>")
            elif isinstance(cell, RatingCell):
                append(ratings[cell.rating])
            else:
                append(f"<td>{_text(cell)}</td>")
        append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and spaces escaped by code
    point, so no recorded text can end the string, the rule or the style element. Each escape
    ends with a space, which CSS reads as part of it."""
    escaped = "".join(c if (c.isalnum() and c.isascii()) or c == " " else f"\\{ord(c):06x} " for c in text)
    return f'"{escaped}"'


def page_css(pack: Pack) -> str:
    """Paged media for printing: every page carries the protective marking at its head, and
    the meeting and "Page n of N" at its foot, in the page's margin boxes. A page that sets
    its own margin content also leaves out the browser's header of file path and time. The
    marking in the page itself stays too, at the start of each part, for a browser without
    margin boxes."""
    cover = pack.cover
    marking = css_string(clean(cover.protective_marking).replace("\n", " "))
    meeting = css_string(f"{clean(cover.group)}, {long_date(cover.meeting_on)}")
    boxes = (
        f"@top-center {{ content: {marking}; font: bold 9pt Arial, Helvetica, sans-serif; }} "
        f"@bottom-left {{ content: {meeting}; font: 8pt Arial, Helvetica, sans-serif; }} "
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); '
        "font: 8pt Arial, Helvetica, sans-serif; }"
    )
    return (
        f"@page {{ size: A4 portrait; margin: 18mm 15mm; {boxes} }}\n"
        f"@page log {{ size: A4 landscape; margin: 16mm 12mm; {boxes} }}\n"
    )


def page_lines(pack: Pack) -> list[str]:
    """The page, line by line."""
    cover = pack.cover
    marking = f'<p class="marking">{_text(cover.protective_marking)}</p>'
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(cover.title)}, {_text(cover.meeting_on.isoformat())}</title>",
        f"<style>{_CSS}{_rating_css()}\n{page_css(pack)}</style>",
        "</head>",
        "<body>",
    ]
    open_part = False
    for block in outline(pack):
        if isinstance(block, Part):
            if open_part:
                out.append("</section>")
            out.append(f'<section class="part {block.name}">{marking}')
            open_part = True
        elif isinstance(block, Heading):
            if block.level == 0:
                out.append(f'<h1 class="title">{_text(block.text)}</h1>')
            else:
                page = ' class="new-page"' if block.new_page else ""
                out.append(f"<h{block.level}{page}>{_text(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            css = ' class="note"' if block.strong else ""
            out.append(f"<p{css}>{_text(block.text)}</p>")
        elif isinstance(block, Facts):
            out.append('<dl class="facts">')
            out.extend(f"<dt>{_text(k)}</dt><dd>{_text(v)}</dd>" for k, v in block.rows)
            out.append("</dl>")
        else:
            out.append(_table(block))
    if open_part:
        out.append("</section>")
    out += [marking, "</body>", "</html>", ""]
    return out


def render(pack: Pack, path: Path, progress: Progress | None = None) -> None:
    """Write the pack to ``path`` as one HTML file, atomically, readable only by you."""
    write_pieces(path, page_lines(pack), "\n")
    if progress:
        progress("Web page written", 1.0)
