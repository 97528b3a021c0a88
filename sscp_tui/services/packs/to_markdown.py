"""The pack as Markdown (GitHub-flavoured tables), every piece of recorded text shown literally.

Text from the log is escaped so that nothing in it becomes formatting, a link or HTML when
the file is rendered: "**x**" stays two asterisks, an x and two asterisks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from sscp_tui.services.packs.layout import (
    Cell,
    Facts,
    Heading,
    Para,
    Part,
    RatingCell,
    Table,
    cell_text,
    outline,
)
from sscp_tui.services.packs.model import Pack, Progress
from sscp_tui.services.packs.output import clean, write_pieces

# Backslash-escaping any ASCII punctuation is literal in CommonMark; these can start markup
# anywhere in a line.
_INLINE = re.compile(r"[\\`*_{}\[\]<>|&~!#]")
# These only matter at the start of a line: headings, lists, quotes, rules, tables.
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")


def _inline(text: str) -> str:
    text = clean(text)
    return _INLINE.sub(r"\\\g<0>", text) if _INLINE.search(text) else text


def escape(text: str) -> str:
    """Recorded text made literal inside a line (a table cell, a heading, a list item).

    Block markers ("# ", "- ", "1. ") mean nothing there, so only inline markup is escaped;
    line breaks become <br>, which GitHub-flavoured tables accept.
    """
    escaped = _inline(text)
    if "\n" in escaped:
        return " <br> ".join(part.strip() for part in escaped.split("\n"))
    return escaped.strip()


def escape_block(text: str) -> str:
    """Recorded text made literal as a paragraph, keeping its line breaks."""
    lines = []
    for line in _inline(text).split("\n"):
        line = _NUMBERED.sub(r"\1\\\2", line.strip())
        lines.append(_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "  \n".join(lines)


def _cell(value: Cell) -> str:
    if isinstance(value, RatingCell):
        return f"**{escape(value.text)}**"
    return escape(cell_text(value)) or " "


def _table(table: Table, cell: Callable[[Cell], str]) -> list[str]:
    lines = [
        "| " + " | ".join(escape(h) for h in table.headers) + " |",
        "|" + "|".join("---" for _ in table.headers) + "|",
    ]
    lines.extend("| " + " | ".join([cell(c) for c in row]) + " |" for row in table.rows)
    lines.append("")
    return lines


def markdown_lines(pack: Pack) -> list[str]:
    """The file, line by line."""
    marking = escape(pack.cover.protective_marking)
    lines = [f"**{marking}**", ""]
    # Each distinct cell escaped once: most of a pack's cells repeat (ratings, agencies, dates,
    # reviews), and escaping each of 130,000 was most of the time.
    cell = lru_cache(maxsize=None)(_cell)
    for block in outline(pack):
        if isinstance(block, Part):
            if block.name != "cover":
                lines += ["---", ""]
        elif isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + escape(block.text), ""]
        elif isinstance(block, Para):
            text = escape_block(block.text)
            lines += [f"**{text}**" if block.strong else text, ""]
        elif isinstance(block, Facts):
            lines += [f"- **{escape(label)}:** {escape(value)}" for label, value in block.rows]
            lines.append("")
        else:
            lines += _table(block, cell)
    lines += ["---", "", f"**{marking}**", ""]
    return lines


def render(pack: Pack, path: Path, progress: Progress | None = None) -> None:
    """Write the pack to ``path`` as Markdown (UTF-8), atomically, readable only by you."""
    write_pieces(path, markdown_lines(pack), "\n")
    if progress:
        progress("Markdown file written", 1.0)
