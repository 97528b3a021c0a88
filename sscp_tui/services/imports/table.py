"""Finding the table of items in each sheet a workbook holds (or the one table of a CSV file).

Rules, sheet by sheet in workbook order:
- The header is the row, among the first 50, whose cells name the most fields (at least two).
  A row of sub-headings under it is read with it: "Original" and "Revised" under a "Timescale"
  spread over two columns are "Timescale Original" (the original timescale) and "Timescale
  Revised" (the current one).
- A sheet is a log when its header names a column of recommendation or action text and rows
  follow it. Other sheets (a read-me, a key, a summary or pivot of counts, chart data, a hidden
  sheet) are skipped, each with the reason the dry run gives.
- Merged cells: a heading spread over several columns heads each of them; a value merged over
  several rows (a review over its recommendations, a recommendation over its actions) applies
  to every row it covers.
- Hidden columns are not read: what a person reading the sheet does not see is not imported,
  and the dry run names them.
- Where no column names the review, the sheet's own name does (a workbook kept a sheet per
  review), or else a title above the table that reads as a review's name. The type of review,
  where the rows do not give it, may come from the sheet's name or a title ("SCR tracker").
- A sheet named "Closed" or "Completed" holds closed items: one without a rating reads as Blue.
- A colour key on a sheet that is not a log ("Red = off track" beside a red cell) says what
  each fill colour means in this workbook; it is used before Excel's standard colours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sscp_tui.db.enums import Rating, ReviewKind
from sscp_tui.services.imports.cells import cell_text, kinds_mentioned, names_a_review, parse_rating
from sscp_tui.services.imports.headings import (
    LABELS,
    HeadingMatch,
    header_score,
    heading_text,
    match_heading,
    normalise_heading,
    recognise,
)
from sscp_tui.services.imports.read import CellRange, Sheet, Workbook
from sscp_tui.services.transfer import Cell, SheetRow, TransferError

HEADER_SCAN = 50  # rows searched for the header
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
# Sheet names that say nothing of the review on them.
_GENERIC = re.compile(
    r"(?i)^\s*(sheet\s*\d*|log|logs|tracker|recommendations?|actions?|action plan|open|current|live|"
    r"all|data|master|items|closed|completed?|archive[ds]?|rec(ommendation)? log|\d+)\s*$"
)
_NO_ROWS = "no rows below its headings on row"
_NO_TEXT = "its headings name no column of recommendation or action text"
_CLOSED = re.compile(r"(?i)\b(closed|completed?|archived?|signed off)\b")
# Sub-headings that say which of two values a heading spread over both columns is.
_ORIGINAL = {"original", "initial", "first", "previous", "old"}
_CURRENT = {"revised", "current", "new", "latest", "agreed", "amended", "updated"}
_ORIGINAL_FIELD = {"timescale": "original_timescale", "due_on": "original_due_on"}


@dataclass(frozen=True, slots=True)
class Column:
    index: int  # 0-based
    heading: str
    field: str | None  # None: not imported
    note: str = ""  # why a headed column is not imported

    @property
    def letter(self) -> str:
        number, letters = self.index + 1, ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return letters

    def describe(self) -> str:
        where = f"'{self.heading}' ({self.letter})" if self.heading else f"column {self.letter}"
        if self.field:
            return f"{where} → {LABELS[self.field]}"
        return f"{where}: {self.note or 'not a heading sscp-tui knows'}"


@dataclass(frozen=True, slots=True)
class Table:
    source: Path
    format: str  # "CSV", "XLSX", "XLS" or "ODS"
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_row: int  # the (last) header row's number
    columns: tuple[Column, ...]
    rows: tuple[SheetRow, ...]  # below the header, merged values spread over the rows they cover
    update_day: date | None = None  # from a "Progress to 17 July 2013" heading
    header: tuple[Cell, ...] = ()  # the header's cells as written (sub-headings joined)
    review: str = ""  # the review the sheet is about, where no column names it
    context_kind: ReviewKind | None = None  # the type its name or title gives
    closed: bool = False  # a "Closed" sheet: items without a rating read as Blue
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> "RRGGBB"
    styles: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> "Good"
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)  # formulas with no value

    def index_of(self, name: str) -> int | None:
        for column in self.columns:
            if column.field == name:
                return column.index
        return None

    def describe(self) -> str:
        if self.format == "CSV":
            how = f"{self.encoding}, {DELIMITER_NAMES.get(self.delimiter or ',', 'comma')}s"
            where = f"CSV ({how})"
        else:
            where = f"sheet '{self.sheet}'"
        count = len(self.rows)
        return f"{where}: header on row {self.header_row}, {count} row{'' if count == 1 else 's'} below it"


@dataclass(frozen=True, slots=True)
class Skipped:
    sheet: str
    reason: str


@dataclass(frozen=True, slots=True)
class Tables:
    source: Path
    tables: tuple[Table, ...]
    skipped: tuple[Skipped, ...]
    key: Mapping[str, Rating]  # the workbook's own colour key: "RRGGBB" -> rating

    def label(self, table: Table) -> str:
        """How rows of ``table`` are placed: by its sheet's name where the workbook gave
        several tables ("'Closed' row 4"), else by row number alone ("row 4")."""
        return (table.sheet or "") if len(self.tables) > 1 else ""

    def describe(self) -> str:
        parts = [table.describe() for table in self.tables]
        return f"{self.source.name}, " + "; ".join(parts)


# --- the header ------------------------------------------------------------------------------
def _find_header(rows: Sequence[SheetRow], mapping: Sequence[tuple[str, str]]) -> int | None:
    """Position in ``rows`` of the header row, None when no row names two fields."""
    best, best_score = None, 1
    for position, row in enumerate(rows[:HEADER_SCAN]):
        score = header_score(row.cells, mapping)
        if score > best_score:
            best, best_score = position, score
    return best


def _columns(
    cells: Sequence[Cell], mapping: Sequence[tuple[str, str]], hidden: frozenset[int]
) -> tuple[tuple[Column, ...], date | None]:
    recognised = recognise(cells, mapping)
    for index in hidden & recognised.keys():
        recognised[index] = None
    _two_levels(cells, recognised)
    winner: dict[str, tuple[int, int]] = {}  # field -> (rank, index)
    for index, found in recognised.items():
        if found and (found.field not in winner or found.rank < winner[found.field][0]):
            winner[found.field] = (found.rank, index)
    columns = []
    update_day = None
    for index, found in sorted(recognised.items()):
        heading = heading_text(cells[index])
        if index in hidden:
            columns.append(Column(index, heading, None, "hidden in the sheet, so not read"))
        elif found is None:
            note = "left out (--map)" if _mapped_out(heading, mapping) else ""
            columns.append(Column(index, heading, None, note))
        elif winner[found.field][1] != index:
            best = heading_text(cells[winner[found.field][1]])
            note = f"not imported: '{best}' gives the {LABELS[found.field].lower()}"
            columns.append(Column(index, heading, None, note))
        else:
            columns.append(Column(index, heading, found.field))
            update_day = found.day or update_day
    return tuple(columns), update_day


_ACTION_HEADING = re.compile(r"(?i)^\W*(smart\s+|agreed\s+)?actions?\b")
_RECOMMENDATION_HEADING = re.compile(r"(?i)^\W*(rec\b|recs\b|recommendations?\b)")


def _two_levels(cells: Sequence[Cell], recognised: dict[int, HeadingMatch | None]) -> None:
    """A sheet of recommendations over their actions: a recommendation column beside an action
    column. The action column gives each row's text and the recommendation column the text of
    the recommendation it belongs to; "Rec no" beside "Action no" likewise gives the parent."""
    for name, parent in (("text", "parent_text"), ("reference", "parent")):
        found = [i for i, m in recognised.items() if m is not None and m.field == name and m.rank >= 0]
        actions = [i for i in found if _ACTION_HEADING.match(heading_text(cells[i]))]
        recommendations = [i for i in found if _RECOMMENDATION_HEADING.match(heading_text(cells[i]))]
        if actions and recommendations:
            recognised[recommendations[0]] = HeadingMatch(parent, 0)


def _mapped_out(heading: str, mapping: Sequence[tuple[str, str]]) -> bool:
    key = normalise_heading(heading)
    return any(normalise_heading(h) == key and not f for h, f in mapping)


def _spans(number: int, width: int, merged: Sequence[CellRange]) -> list[tuple[int, int]]:
    """The column spans (first, last) of the headings merged across row ``number``."""
    return [(m.first_col, min(m.last_col, width - 1)) for m in merged
            if m.first_row <= number <= m.last_row and m.last_col > m.first_col]  # fmt: skip


def _is_sub_heading(value: Cell) -> bool:
    text = heading_text(value)
    if not text or not isinstance(value, str) or len(text) > 40:
        return False
    words = set(normalise_heading(text).split())
    return bool(words & (_ORIGINAL | _CURRENT)) or match_heading(text) is not None


def _joined_header(
    top: SheetRow, below: SheetRow | None, merged: Sequence[CellRange], mapping: Sequence[tuple[str, str]]
) -> tuple[tuple[Cell, ...], bool]:
    """The header's cells, with a row of sub-headings joined to the headings spread over them;
    and whether such a row was there (the table then starts a row lower)."""
    width = max(len(top.cells), len(below.cells) if below else 0)
    cells: list[Cell] = [*top.cells, *([None] * (width - len(top.cells)))]
    spans = _spans(top.number, width, merged)
    for first, last in spans:  # a heading merged over several columns heads each of them
        for index in range(first + 1, last + 1):
            if not heading_text(cells[index]):
                cells[index] = cells[first]
    if below is None or below.number != top.number + 1:
        return tuple(cells), False
    subs = [*below.cells, *([None] * (width - len(below.cells)))]
    spread = {index for first, last in spans for index in range(first, last + 1)}
    filled = [index for index, value in enumerate(subs) if heading_text(value)]
    if not filled or not all(_is_sub_heading(subs[i]) for i in filled):
        return tuple(cells), False
    if not spread:  # no merges: a heading with blank cells to its right that have sub-headings
        for index in filled:
            left = index
            while left > 0 and not heading_text(cells[left]):
                left -= 1
            if left != index and heading_text(cells[left]):
                spread |= set(range(left, index + 1))
                cells[index] = cells[left]
    if not spread or not any(i in spread for i in filled):
        return tuple(cells), False
    joined: list[Cell] = []
    for index, value in enumerate(cells):
        head, sub = heading_text(value), heading_text(subs[index])
        if sub and head and index in spread:
            joined.append(_join(head, sub, mapping))
        else:
            joined.append(value or subs[index])
    return tuple(joined), True


def _join(head: str, sub: str, mapping: Sequence[tuple[str, str]]) -> str:
    """ "Timescale" over "Revised" -> "Timescale Revised", read as the current timescale."""
    for text in (f"{head} {sub}", f"{sub} {head}"):
        if match_heading(text) is not None or _mapped(text, mapping):
            return text
    words = set(normalise_heading(sub).split())
    found = match_heading(head)
    if found and words & _ORIGINAL and found.field in _ORIGINAL_FIELD:
        return f"Original {head}" if match_heading(f"Original {head}") else f"{head} {sub}"
    if found and words & _CURRENT:
        return head
    return sub if match_heading(sub) is not None else f"{head} {sub}"


def _mapped(text: str, mapping: Sequence[tuple[str, str]]) -> bool:
    key = normalise_heading(text)
    return any(normalise_heading(h) == key for h, _ in mapping)


# --- merged values ---------------------------------------------------------------------------
def _spread_down(rows: list[SheetRow], merged: Sequence[CellRange], header_row: int) -> list[SheetRow]:
    """A value merged over several rows applies to each: its first column in every row it covers."""
    downward = [m for m in merged if m.last_row > m.first_row and m.last_row > header_row]
    if not downward:
        return rows
    by_number = {row.number: index for index, row in enumerate(rows)}
    for m in downward:
        first = by_number.get(m.first_row)
        value = _cell(rows[first], m.first_col) if first is not None else None
        if value is None:
            continue
        for number in range(max(m.first_row, header_row) + 1, m.last_row + 1):
            position = by_number.get(number)
            if position is None:
                continue
            cells = list(rows[position].cells)
            cells.extend([None] * (m.first_col + 1 - len(cells)))
            if cells[m.first_col] is None:
                cells[m.first_col] = value
                rows[position] = SheetRow(number, tuple(cells))
    return rows


def _cell(row: SheetRow, index: int) -> Cell:
    return row.cells[index] if index < len(row.cells) else None


# --- sheets ----------------------------------------------------------------------------------
def find_tables(book: Workbook, mapping: Sequence[tuple[str, str]] = (), *, chosen: bool = False) -> Tables:
    """The tables of items in ``book``, and the sheets skipped with the reason for each.
    ``chosen``: the user named the sheet (--sheet), so a hidden one is read too.
    Raises TransferError with one sentence when no sheet holds a log."""
    tables: list[Table] = []
    skipped: list[Skipped] = []
    unused: list[Sheet] = []
    for sheet in book.sheets:
        if not sheet.visible and not chosen:
            skipped.append(Skipped(sheet.name, "it is hidden in the workbook (--sheet reads it)"))
            continue
        found = _table(book, sheet, mapping)
        if isinstance(found, Table):
            tables.append(found)
        else:
            skipped.append(Skipped(sheet.name, found))
            unused.append(sheet)
    if not tables:
        raise TransferError(_nothing(book, skipped, mapping))
    return Tables(book.source, tuple(tables), tuple(skipped), _colour_key(unused))


def _nothing(book: Workbook, skipped: list[Skipped], mapping: Sequence[tuple[str, str]]) -> str:
    name = book.source.name
    if not any(any(heading_text(c) for c in row.cells) for sheet in book.sheets for row in sheet.rows):
        return f"{name} holds no rows." if book.format != "CSV" else f"{name} is empty."
    for heading, _field in mapping:
        if not any(
            normalise_heading(heading_text(c)) == normalise_heading(heading)
            for sheet in book.sheets for row in sheet.rows[:HEADER_SCAN] for c in row.cells
        ):  # fmt: skip
            return f"--map: there is no column headed '{heading}' in {name}."
    if len(skipped) == 1:
        reason = skipped[0].reason
        if reason.startswith("no row of headings"):
            return (f"No header row found in the first {HEADER_SCAN} rows of {name}: expected headings such "
                    "as 'Review', 'Rec no', 'Recommendation', 'Lead agency', 'RAG'.")  # fmt: skip
        if reason.startswith(_NO_ROWS):
            return f"{name} has a header on row {reason.rsplit(' ', 1)[1]} but no rows below it."
        if reason == _NO_TEXT:
            return (f"{name} has no column for the text of the recommendations (looked for 'Recommendation', "
                    "'Action', 'Description'); name it with --map \"Heading=text\".")  # fmt: skip
        return f"{name} cannot be imported: {reason}."
    listed = "; ".join(f"'{s.sheet}': {s.reason}" for s in skipped)
    return f"No sheet of {name} holds a log of items ({listed})."


def _table(book: Workbook, sheet: Sheet, mapping: Sequence[tuple[str, str]]) -> Table | str:
    """The sheet's table, or why it has none."""
    rows = list(sheet.rows)
    if not any(any(heading_text(c) for c in row.cells) for row in rows):
        return "it is empty"
    position = _find_header(rows, mapping)
    if position is None and _counts(rows):
        return "a summary of counts, not a list of items"
    if position is None:
        return "no row of headings such as Review, Recommendation, Lead agency (a read-me, key or notes)"
    top = rows[position]
    below = rows[position + 1] if position + 1 < len(rows) else None
    header, two_rows = _joined_header(top, below, sheet.merged, mapping)
    present = {normalise_heading(heading_text(c)) for c in header}
    for heading, _field in mapping:
        if normalise_heading(heading) not in present and book.format == "CSV":
            raise TransferError(f"--map: there is no column headed '{heading}' in {book.source.name}.")
    columns, update_day = _columns(header, mapping, sheet.hidden_columns)
    start = position + (2 if two_rows else 1)
    header_row = rows[start - 1].number
    fields = {c.field for c in columns if c.field}
    data = _spread_down(rows[start:], sheet.merged, header_row)
    if "text" not in fields:
        if _counts(data):
            return "a summary of counts, not a list of items"
        return _NO_TEXT
    if not any(any(heading_text(c) for c in row.cells) for row in data):
        return f"{_NO_ROWS} {header_row}"
    if _counts(data) and "review" not in fields and "reference" not in fields:
        return "a summary of counts, not a list of items"
    titles = [text for row in rows[:position] for text in _row_texts(row)]
    review, kind = _context(book, sheet.name, titles, "review" in fields)
    rating_at = {c.index for c in columns if c.field == "rating"}
    return Table(
        source=book.source,
        format=book.format,
        sheet=sheet.name or None,
        encoding=book.encoding,
        delimiter=book.delimiter,
        header_row=header_row,
        columns=columns,
        rows=tuple(data),
        update_day=update_day,
        header=header,
        review=review,
        context_kind=kind,
        closed=bool(sheet.name and _CLOSED.search(sheet.name)),
        fills={k: v for k, v in sheet.fills.items() if k[1] in rating_at and k[0] > header_row},
        styles={k: v for k, v in sheet.styles.items() if k[1] in rating_at and k[0] > header_row},
        formulas={k: v for k, v in sheet.formulas.items() if k[0] > header_row},
    )


def _row_texts(row: SheetRow) -> list[str]:
    return [text for text in (heading_text(c) for c in row.cells) if text]


def _counts(rows: Sequence[SheetRow]) -> bool:
    """Whether the rows are mostly numbers: a summary or pivot of counts, or chart data."""
    numbers = texts = 0
    for row in rows[:200]:
        for value in row.cells:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers += 1
            elif isinstance(value, str) and len(value.strip()) > 25:
                texts += 1
    return texts == 0 and numbers >= max(2, len(rows[:200]))


def _context(book: Workbook, name: str, titles: list[str], has_review: bool) -> tuple[str, ReviewKind | None]:
    """The review a sheet is about (where no column names it) and the type its name or titles
    give: a workbook kept a sheet per review names each sheet after it."""
    kinds = {kind for text in [name, *titles] for kind in kinds_mentioned(text)}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    if has_review:
        return "", kind
    if name and not _GENERIC.match(name) and not _CLOSED.fullmatch(name.strip()):
        return name.strip(), kind
    for title in titles:
        if names_a_review(title):
            return title, kind
    return "", kind


# --- the colour key --------------------------------------------------------------------------
def _colour_key(sheets: Sequence[Sheet]) -> dict[str, Rating]:
    """Fill colours a read-me or key sheet explains: a coloured cell whose own text, or the text
    beside it, reads as a rating ("Red – off track", "Complete and evidenced")."""
    key: dict[str, Rating] = {}
    for sheet in sheets:
        by_number = {row.number: row for row in sheet.rows}
        for (number, column), colour in sheet.fills.items():
            row = by_number.get(number)
            if row is None:
                continue
            for value in (_cell(row, column), _cell(row, column + 1)):
                text = cell_text(value)
                if not text or len(text) > 60:
                    continue
                try:
                    rating = parse_rating(re.split(r"\s[-–—=:]\s|[=:–—]", text)[0]) or parse_rating(text)
                except ValueError:
                    continue
                if rating is not None:
                    key.setdefault(colour, rating)
                    break
    return key
