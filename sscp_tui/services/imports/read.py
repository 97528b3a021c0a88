"""Reading a spreadsheet a user gives, the first stage of an import: every sheet's cells as plain
values, with the layout facts later stages need. No header is looked for, no column mapped.

- The format is told by content, not only by name: a zip is an .xlsx/.xlsm workbook, or an .ods
  spreadsheet when its mimetype or parts say so; the old binary container is an .xls workbook, or
  an encrypted .xlsx when so named; anything else is CSV, unless it is plainly not text (a PDF).
- Values come from python-calamine. An empty cell is None; a whole number saved as a float stays
  a float; dates, date-times and times stay so (1904 workbooks included); a duration ("[h]:mm")
  becomes text as Excel shows it ("30:00:00"); an error (#N/A) reads as None. A formula saved
  with its value reads as the value; one saved without (as openpyxl writes them) reads as None
  and its text is in ``Sheet.formulas``. Nothing is evaluated.
- Rows are numbered as the spreadsheet shows them and run from column A; blank rows above the
  first value are left out, blank rows after it kept; a row may end before a formula or fill
  further right. Chart sheets are left out. A merged range's value stays in its first cell.
- Layout: hidden sheets and merged ranges from calamine; for .xlsx, hidden columns, solid fills
  and named styles from the workbook's own parts (:mod:`.xlsx_parts`); for .ods, the same from
  content.xml, for cells with their own style (a column's default style is not read), with
  formulas in OpenFormula ("=[.A5]*2"). An .xls gives no hidden columns, fills or styles:
  calamine does not read them.
- CSV: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252, else Latin-1; the delimiter
  (comma, semicolon, tab, bar) is the one under which a row names the most fields.
- Anything wrong is a TransferError with one sentence; no library warning reaches the user.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import html
import io
import itertools
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import cast
from xml.etree import ElementTree

import python_calamine as calamine

from sscp_tui.services.imports.headings import header_score
from sscp_tui.services.imports.xlsx_parts import Layout, XlsxParts, xml_attributes
from sscp_tui.services.transfer import Cell, Progress, SheetRow, TransferError

DELIMITERS = (",", ";", "\t", "|")
PROGRESS_EVERY = 2000  # rows
_SNIFF_ROWS = 50
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary container: .xls, or an encrypted .xlsx
_NOT_TEXT = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"SQLite format 3")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SUFFIXES = {".xlsx": "XLSX", ".xlsm": "XLSX", ".xls": "XLS", ".ods": "ODS"}
_REPEAT_CAP = 1000  # repeated ODS rows or cells whose look is recorded one by one
_Row = tuple[Cell, ...]
# What a damaged or foreign workbook raises; each becomes one sentence for the user.
# What a damaged file makes the readers raise. zipfile also raises NotImplementedError (a
# "version" or compression it does not know, read from damaged bytes), struct.error (a header
# cut short) and RuntimeError (an entry marked as encrypted).
_BROKEN = (calamine.CalamineError, zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError,
           ValueError, IndexError, EOFError, OSError, NotImplementedError, struct.error, RuntimeError,
           OverflowError)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CellRange:
    """A merged range: rows 1-based as the spreadsheet shows them, columns 0-based."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str  # "" for CSV
    visible: bool  # False for a hidden or very hidden sheet
    rows: tuple[SheetRow, ...]  # numbered as the spreadsheet shows them (see the rules above)
    merged: tuple[CellRange, ...] = ()  # values are not copied into the range
    hidden_columns: frozenset[int] = frozenset()  # 0-based
    # The three below are keyed by (row number, 0-based column).
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)  # solid fill, "RRGGBB"
    styles: Mapping[tuple[int, int], str] = field(default_factory=dict)  # named style but Normal
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)  # "=…", saved without value


@dataclass(frozen=True, slots=True)
class Workbook:
    source: Path
    format: str  # "CSV", "XLSX", "XLS" or "ODS"
    sheets: tuple[Sheet, ...]  # in workbook order
    encoding: str | None = None  # CSV only: "UTF-8", "Windows-1252", "UTF-16", "Latin-1"
    delimiter: str | None = None  # CSV only


def read_workbook(path: Path, *, sheet: str | None = None, progress: Progress | None = None) -> Workbook:
    """Every sheet of ``path`` (or only ``sheet``, matched case-insensitively). Raises TransferError
    with one plain sentence for anything wrong."""
    head = _head(path)
    guess = _guess_format(path, head)
    if guess == "CSV":
        if sheet:
            raise TransferError(
                f"--sheet applies to .xlsx, .xls and .ods workbooks; {path.name} is a CSV file."
            )
        return _read_csv(path, progress)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _read_book(path, guess, sheet, progress)
        except calamine.PasswordError as exc:
            raise _protected(path) from exc
        except _BROKEN as exc:
            raise _broken(path, guess, exc) from exc
        except BaseException as exc:
            if type(exc).__name__ == "PanicException":  # calamine's Rust code gave up on the file
                raise _broken(path, guess, exc) from exc
            raise


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(128)
    except FileNotFoundError:
        raise TransferError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise TransferError(f"{path} is a folder, not a spreadsheet.") from None
    except OSError as exc:
        raise TransferError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def _guess_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(_OLE) and suffix in (".xlsx", ".xlsm"):
        raise _protected(path)
    if head.startswith(_OLE):
        return "XLS"
    if head.startswith(_ZIP):
        ods = head[30:38] == b"mimetype" and head[38:].startswith(_ODS_MIMETYPE)
        return "ODS" if ods or suffix == ".ods" else "XLSX"
    return "CSV"


def _protected(path: Path) -> TransferError:
    return TransferError(
        f"{path.name} is password-protected; save a copy without a password and import that."
    )


def _broken(path: Path, fmt: str, exc: BaseException | None = None) -> TransferError:
    suffix = path.suffix.lower() if path.suffix.lower() in _SUFFIXES else "." + fmt.lower()
    what = "an OpenDocument spreadsheet" if fmt == "ODS" else "an Excel workbook"
    why = f": {type(exc).__name__}" if exc is not None else ""
    return TransferError(
        f"{path.name} cannot be read as {what} (it may be damaged, or not really an {suffix} file){why}."
    )


# --- workbooks -------------------------------------------------------------------------------
def _read_book(path: Path, guess: str, wanted: str | None, progress: Progress | None) -> Workbook:
    done = [0]  # rows read, over all sheets
    with contextlib.ExitStack() as stack:
        archive = stack.enter_context(zipfile.ZipFile(path)) if guess != "XLS" else None
        if archive is not None:
            _refuse_a_bomb(path, archive)
        fmt = _zip_format(archive) if archive is not None else "XLS"
        parts = XlsxParts(archive) if archive is not None and fmt == "XLSX" else None
        book = calamine.CalamineWorkbook.from_filelike(stack.enter_context(path.open("rb")))
        stack.enter_context(book)
        chosen = _chosen(path, book, wanted)
        # The layout is read beside calamine, which lets go of the GIL while it parses a sheet.
        pool = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="sscp-read-layout"))
        layouts = pool.submit(_layouts, archive, parts, [meta.name for meta in chosen])
        durations = parts.durations if parts is not None else True
        sheets = []
        for meta in chosen:
            values = book.get_sheet_by_name(meta.name)
            rows = _rows(values, durations, done, progress)
            sheets.append(
                Sheet(meta.name, meta.visible == calamine.SheetVisibleEnum.Visible, rows, _merged(values))
            )
        found = layouts.result()
    if progress:
        progress("reading", done[0], done[0])
    return Workbook(path, fmt, tuple(_with_layout(sheet, found.get(sheet.name)) for sheet in sheets))


PART_LIMIT = 200 * 1024 * 1024  # the most one part of a workbook may unpack to
PART_RATIO = 50  # ... or this many times the whole file, for parts past RATIO_FLOOR
RATIO_FLOOR = 20 * 1024 * 1024


def _refuse_a_bomb(path: Path, archive: zipfile.ZipFile) -> None:
    """A workbook one of whose parts says it unpacks far past any real log (a damaged file, or
    a zip bomb) is refused before it is read, rather than filling the memory. Judged by the
    sizes the archive declares; a part that unpacks past its declared size fails to read."""
    whole = max(1, path.stat().st_size)
    for info in archive.infolist():
        size = info.file_size
        if size > PART_LIMIT or (size > RATIO_FLOOR and size > PART_RATIO * whole):
            raise TransferError(
                f"{path.name} cannot be imported: its part {info.filename} unpacks to {size // 2**20:,} MB, "
                f"far more than a log holds (the most read is {PART_LIMIT // 2**20} MB); it may be damaged."
            )


def _layouts(archive: zipfile.ZipFile | None, parts: XlsxParts | None, names: list[str]) -> dict[str, Layout]:
    if parts is not None:
        return {name: layout for name in names if (layout := parts.layout(name)) is not None}
    return _ods_layouts(archive, names) if archive is not None else {}


def _zip_format(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    if "mimetype" in names:
        return "ODS" if archive.read("mimetype").strip() == _ODS_MIMETYPE else "XLSX"
    return "ODS" if "content.xml" in names and "[Content_Types].xml" not in names else "XLSX"


def _chosen(path: Path, book: calamine.CalamineWorkbook, wanted: str | None) -> list[calamine.SheetMetadata]:
    worksheets = [meta for meta in book.sheets_metadata if meta.typ == calamine.SheetTypeEnum.WorkSheet]
    if wanted is None:
        return worksheets
    found = [meta for meta in worksheets if meta.name.casefold() == wanted.strip().casefold()]
    if not found:
        there = ", ".join(meta.name for meta in worksheets) or "no sheets"
        raise TransferError(f"There is no sheet '{wanted}' in {path.name} (it has {there}).")
    return found[:1]


def _rows(
    values: calamine.CalamineSheet, durations: bool, done: list[int], progress: Progress | None
) -> tuple[SheetRow, ...]:
    """The sheet's rows from its first row with a value, each from column A."""
    top, left = values.start or (0, 0)
    before: _Row = (None,) * left
    rows = []
    for number, cells in enumerate(values.to_python(), top + 1):
        row: _Row
        if durations:
            row = tuple([_cell(v) if v == "" or isinstance(v, timedelta) else v for v in cells])
        else:  # the same, quicker, when no cell can be a duration
            row = cast(_Row, tuple([None if v == "" else v for v in cells]) if "" in cells else tuple(cells))
        rows.append(SheetRow(number, before + row if left else row))
        done[0] += 1
        if progress and done[0] % PROGRESS_EVERY == 0:
            progress("reading", done[0], 0)
    return tuple(rows)


def _cell(value: object) -> Cell:
    """An empty cell as None, a duration as Excel shows it ("30:00:00")."""
    if isinstance(value, timedelta):
        seconds = round(abs(value.total_seconds()))
        sign = "-" if value < timedelta(0) else ""
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02}:{seconds % 60:02}"
    return None


def _merged(values: calamine.CalamineSheet) -> tuple[CellRange, ...]:
    ranges = values.merged_cell_ranges or []
    return tuple(CellRange(top + 1, left, bottom + 1, right) for (top, left), (bottom, right) in ranges)


def _with_layout(sheet: Sheet, layout: Layout | None) -> Sheet:
    if layout is None:
        return sheet
    merged = sheet.merged or tuple(CellRange(*where) for where in layout.merged)
    return Sheet(sheet.name, sheet.visible, sheet.rows, merged, layout.hidden_columns, layout.fills,
                 layout.styles, layout.formulas)  # fmt: skip


# --- OpenDocument layout --------------------------------------------------------------------
# content.xml is searched with regular expressions, as .xlsx parts are: a tree of a big sheet takes
# seconds. Only rows holding a styled, spanned or formula cell are looked at cell by cell.
_NS = "urn:oasis:names:tc:opendocument:xmlns:"
_STYLE, _FO = "{" + _NS + "style:1.0}", "{" + _NS + "xsl-fo-compatible:1.0}"
OdsLooks = dict[str, tuple[str | None, str | None]]  # cell style name -> (fill, named style)


def _ods_layouts(archive: zipfile.ZipFile, names: list[str]) -> dict[str, Layout]:
    """Hidden columns, merged ranges, fills, named styles and value-less formulas of an .ods."""
    content = archive.read("content.xml")
    root = re.search(rb"<([\w.-]+:)?document-content\b[^>]*>", content)
    body = content.find(b"<" + (root[1] or b"") + b"body") if root else -1
    if not root or body < 0:
        return {}
    looks: OdsLooks = {}
    if "styles.xml" in archive.NameToInfo:  # the named styles ("Good", "Bad", …)
        for style in ElementTree.fromstring(archive.read("styles.xml")).iter(_STYLE + "style"):
            _ods_style(style, looks, named=True)
    automatic = content[:body] + b"</" + (root[1] or b"") + b"document-content>"
    for style in ElementTree.fromstring(automatic).iter(_STYLE + "style"):
        _ods_style(style, looks, named=False)
    prefixes = {uri: name + b":" for name, uri in re.findall(rb'xmlns:([\w.-]+)="([^"]+)"', root[0])}
    prefix = prefixes.get(_NS.encode() + b"table:1.0", b"table:")
    table = re.compile(b"<" + re.escape(prefix) + rb"table(?=[\s>])([^>]*)>")
    tables = [(found.start(), html.unescape(xml_attributes(found[1]).get(b"name", b"").decode()))
              for found in table.finditer(content)]  # fmt: skip
    layouts = {}
    for index, (start, name) in enumerate(tables):
        if name in names:
            end = tables[index + 1][0] if index + 1 < len(tables) else len(content)
            layouts[name] = _OdsTable(content, prefix, looks).read(start, end)
    return layouts


def _ods_style(style: ElementTree.Element, looks: OdsLooks, *, named: bool) -> None:
    if style.get(_STYLE + "family") != "table-cell":
        return
    name = style.get(_STYLE + "name", "")
    parent = style.get(_STYLE + "parent-style-name", "Default")
    fill, inherited = looks.get(parent, (None, None))
    if parent not in looks and parent != "Default":
        inherited = parent
    for properties in style.iter(_STYLE + "table-cell-properties"):
        colour = properties.get(_FO + "background-color", "")
        if colour.startswith("#") and len(colour) == 7:
            fill = None if colour[1:].upper() == "FFFFFF" else colour[1:].upper()
        elif colour == "transparent":
            fill = None
    shown = style.get(_STYLE + "display-name", name)
    looks[name] = (fill, (shown if name != "Default" else None) if named else inherited)


class _OdsTable:
    """One table of content.xml, read for its layout."""

    def __init__(self, content: bytes, prefix: bytes, looks: OdsLooks) -> None:
        self.content, self.prefix, self.looks, self.layout = content, prefix, looks, Layout()
        self.tags: dict[bytes, dict[bytes, bytes]] = {}  # a cell's start tag -> its attributes

    def read(self, start: int, end: int) -> Layout:
        content, t = self.content, re.escape(self.prefix)
        first_row = re.compile(b"<" + t + rb"table-row(?=[\s/>])").search(content, start, end)
        rows_start, hidden, column = first_row.start() if first_row else end, set[int](), 0
        for found in re.finditer(b"<" + t + rb"table-column(?=[\s/>])([^>]*)>", content[start:rows_start]):
            attributes = xml_attributes(found[1])
            count = int(attributes.get(b"number-columns-repeated", b"1"))
            if attributes.get(b"visibility") == b"collapse":
                hidden.update(range(column, column + min(count, 16384)))
            column += count
        self.layout.hidden_columns = frozenset(hidden)
        marks = sorted(_ods_marks(content, (rows_start, end), self.looks))
        row = re.compile(b"<" + t + rb"table-row(?=[\s/>])([^>]*)>")
        rows = list(row.finditer(content, rows_start, end)) if marks else []
        starts, numbers, number = [found.start() for found in rows], [], 1
        for found in rows:  # a row's number, counting repeated rows
            numbers.append(number)
            number += (
                int(xml_attributes(found[1]).get(b"number-rows-repeated", b"1")) if b"rep" in found[1] else 1
            )
        numbers.append(number)
        cell, seen = re.compile(b"<" + t + rb"(?:covered-)?table-cell\s"), set()
        for mark in marks:
            index = bisect.bisect_right(starts, mark) - 1
            tag = content.rfind(b"<", rows[index].end(), mark) if index >= 0 else -1
            if tag >= 0 and tag not in seen and cell.match(content, tag):
                seen.add(tag)
                self._cell(rows[index].end(), tag, numbers[index], numbers[index + 1] - numbers[index])
        return self.layout

    def _cell(self, row_start: int, tag: int, number: int, rows: int) -> None:
        content, prefix, layout = self.content, self.prefix, self.layout
        text = content[tag : content.find(b">", tag)]
        attributes = self.tags.get(text) or self.tags.setdefault(text, xml_attributes(text))
        column = content.count(b"<" + prefix + b"table-cell", row_start, tag)
        column += content.count(b"<" + prefix + b"covered-table-cell", row_start, tag)
        if content.find(b"columns-repeated", row_start, tag) >= 0:
            for repeated in re.finditer(rb'columns-repeated="([0-9]+)"', content[row_start:tag]):
                column += int(repeated[1]) - 1
        columns = int(attributes.get(b"number-columns-repeated", b"1"))
        across = int(attributes.get(b"number-columns-spanned", b"1"))
        down = int(attributes.get(b"number-rows-spanned", b"1"))
        if across > 1 or down > 1:
            layout.merged.append((number, column, number + down - 1, column + across - 1))
        formula = html.unescape(attributes.get(b"formula", b"").decode())
        if formula and b"value-type" not in attributes:
            namespace, colon, rest = formula.partition(":")  # "of:=[.C3]*2", OpenFormula
            formula = rest if colon and namespace.isalpha() and rest.startswith("=") else formula
            layout.formulas[(number, column)] = formula if formula.startswith("=") else "=" + formula
        fill, style = self.looks.get(attributes.get(b"style-name", b"").decode(), (None, None))
        for where in itertools.product(range(number, number + min(rows, _REPEAT_CAP)),
                                       range(column, column + min(columns, _REPEAT_CAP))):  # fmt: skip
            if fill:
                layout.fills[where] = fill
            if style:
                layout.styles[where] = style


def _ods_marks(content: bytes, span: tuple[int, int], looks: OdsLooks) -> Iterator[int]:
    """Where, in ``span``, a cell may have a look, a formula or a merge (some marks are in text)."""
    styled = [re.escape(name.encode()) for name, look in looks.items() if look != (None, None)]
    if styled:
        pattern = re.compile(rb'style-name="(?:' + b"|".join(styled) + b')"')
        yield from (found.start() for found in pattern.finditer(content, *span))
    for needle in (b"formula=", b"spanned="):
        at = content.find(needle, *span)
        while at >= 0:
            yield at
            at = content.find(needle, at + 1, span[1])


# --- CSV -------------------------------------------------------------------------------------
def _read_csv(path: Path, progress: Progress | None) -> Workbook:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TransferError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if not raw.strip():
        raise TransferError(f"{path.name} is empty.")
    text, encoding = _decode(path, raw)
    sample = text[:65536]
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        rows = _parse_csv(sample, delimiter, None, _SNIFF_ROWS)
        named = max((header_score(r.cells) for r in rows), default=0)
        score = (named, sum(len(r.cells) > 1 for r in rows))
        if score > best_score:
            best, best_score = delimiter, score
    if progress:
        progress("reading", 0, 0)
    rows = _parse_csv(text, best, progress)
    if progress:
        progress("reading", len(rows), len(rows))
    return Workbook(path, "CSV", (Sheet("", True, tuple(rows)),), encoding, best)


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith(_NOT_TEXT) or b"\x00" in raw[:4096]:
        if path.suffix.lower() in _SUFFIXES:
            raise _broken(path, _SUFFIXES[path.suffix.lower()])
        raise TransferError(f"{path.name} is not a CSV or XLSX file.")
    for encoding, name in (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")):
        try:
            return raw.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "Latin-1"


def _parse_csv(
    text: str, delimiter: str, progress: Progress | None, limit: int | None = None
) -> list[SheetRow]:
    # A field may be as long as the file: a text of any length comes back whole (csv's own
    # limit, 131,072 characters, would refuse a long report pasted into one cell).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, 1):
            rows.append(SheetRow(number, tuple(cells)))
            if progress and number % PROGRESS_EVERY == 0:
                progress("reading", number, 0)
            if limit and number >= limit:
                break
    except csv.Error as exc:
        raise TransferError(f"Row {len(rows) + 1} of the file cannot be read as CSV: {exc}.") from exc
    return rows
