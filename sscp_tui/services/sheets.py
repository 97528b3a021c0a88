"""Reading a spreadsheet as people keep it: CSV in any common encoding and delimiter, or XLSX;
the header row found wherever it is, under titles, notes and merged cells.

The result is a :class:`Table`: the columns (each with the field it feeds, if any) and the
rows below the header, each with its spreadsheet row number. No database here.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from sscp_tui.services.imports.headings import LABELS, HeadingMatch, match_heading, normalise_heading

Cell = str | int | float | date | datetime | time | bool | None
Progress = Callable[[str, int, int], None]  # (stage, done, total; 0 when not yet known)

HEADER_SCAN = 50  # rows searched for the header
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format
_NOT_TEXT = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"SQLite format 3")


class TransferError(Exception):
    """An import or export cannot go ahead; the message is one sentence for the user."""


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
class SheetRow:
    number: int  # as the spreadsheet shows it (1-based)
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    source: Path
    format: str  # "CSV" or "XLSX"
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_row: int
    columns: tuple[Column, ...]
    rows: tuple[SheetRow, ...]
    update_day: date | None = None  # from a "Progress to 17 July 2013" heading
    header: tuple[Cell, ...] = ()  # the header row's cells as written

    def index_of(self, field: str) -> int | None:
        for column in self.columns:
            if column.field == field:
                return column.index
        return None

    def describe(self) -> str:
        if self.format == "CSV":
            how = f"{self.encoding}, {DELIMITER_NAMES.get(self.delimiter or ',', 'comma')}s"
            where = f"CSV ({how})"
        else:
            where = f"sheet '{self.sheet}'"
        return f"{self.source.name}, {where}: header on row {self.header_row}, {len(self.rows)} rows below it"


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    mapping: Sequence[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> Table:
    """Read ``path`` and find its header row. Raises TransferError with one sentence."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise TransferError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise TransferError(f"{path} is a folder, not a spreadsheet.") from None
    except OSError as exc:
        raise TransferError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    suffix = path.suffix.lower()
    if head.startswith(_OLE) and suffix in (".xlsx", ".xlsm"):  # Excel encrypts into the old container
        raise TransferError(
            f"{path.name} is password-protected; save a copy without a password and import that."
        )
    if head.startswith(_OLE):
        raise TransferError(
            f"{path.name} is an old-style Excel (.xls) workbook; save it as .xlsx or CSV and import that."
        )
    if suffix == ".ods":
        raise TransferError(f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx or CSV.")
    if head.startswith(_ZIP) or suffix in (".xlsx", ".xlsm"):
        if not head:
            raise TransferError(f"{path.name} is empty.")
        return _read_xlsx(path, sheet, mapping, progress)
    if sheet:
        raise TransferError(f"--sheet applies to .xlsx workbooks; {path.name} is a CSV file.")
    return _read_csv(path, mapping, progress)


# --- the header ------------------------------------------------------------------------------
def _heading_text(value: Cell) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _recognise(cells: Sequence[Cell], mapping: Sequence[tuple[str, str]]) -> dict[int, HeadingMatch | None]:
    chosen = {normalise_heading(heading): field for heading, field in mapping}
    found: dict[int, HeadingMatch | None] = {}
    for index, value in enumerate(cells):
        heading = _heading_text(value)
        if not heading:
            continue
        key = normalise_heading(heading)
        if key in chosen:
            found[index] = HeadingMatch(chosen[key], -1) if chosen[key] else None
        else:
            found[index] = match_heading(heading)
    return found


def header_score(cells: Sequence[Cell], mapping: Sequence[tuple[str, str]] = ()) -> int:
    """How many different fields a row's cells name: the header row names the most."""
    return len({m.field for m in _recognise(cells, mapping).values() if m is not None})


def _find_header(rows: Sequence[SheetRow], mapping: Sequence[tuple[str, str]]) -> int | None:
    """Position in ``rows`` of the header row, None when no row names two fields."""
    best, best_score = None, 1
    for position, row in enumerate(rows[:HEADER_SCAN]):
        score = header_score(row.cells, mapping)
        if score > best_score:
            best, best_score = position, score
    return best


def _columns(
    cells: Sequence[Cell], mapping: Sequence[tuple[str, str]]
) -> tuple[tuple[Column, ...], date | None]:
    recognised = _recognise(cells, mapping)
    winner: dict[str, tuple[int, int]] = {}  # field -> (rank, index)
    for index, found in recognised.items():
        if found and (found.field not in winner or found.rank < winner[found.field][0]):
            winner[found.field] = (found.rank, index)
    columns = []
    update_day = None
    for index, found in sorted(recognised.items()):
        heading = _heading_text(cells[index])
        if found is None:
            note = "left out (--map)" if _mapped_out(heading, mapping) else ""
            columns.append(Column(index, heading, None, note))
        elif winner[found.field][1] != index:
            best = _heading_text(cells[winner[found.field][1]])
            note = f"not imported: '{best}' gives the {LABELS[found.field].lower()}"
            columns.append(Column(index, heading, None, note))
        else:
            columns.append(Column(index, heading, found.field))
            update_day = found.day or update_day
    return tuple(columns), update_day


def _mapped_out(heading: str, mapping: Sequence[tuple[str, str]]) -> bool:
    key = normalise_heading(heading)
    return any(normalise_heading(h) == key and not f for h, f in mapping)


def _table(
    path: Path,
    fmt: str,
    rows: list[SheetRow],
    mapping: Sequence[tuple[str, str]],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    if not any(any(_heading_text(c) for c in row.cells) for row in rows):
        raise TransferError(f"{path.name} holds no rows." if fmt == "XLSX" else f"{path.name} is empty.")
    position = _find_header(rows, mapping)
    if position is None:
        raise TransferError(
            f"No header row found in the first {HEADER_SCAN} rows of {path.name}: expected "
            "headings such as 'Review', 'Rec no', 'Recommendation', 'Lead agency', 'RAG'."
        )
    present = {normalise_heading(_heading_text(c)) for c in rows[position].cells}
    for heading, _field in mapping:
        if normalise_heading(heading) not in present:
            raise TransferError(f"--map: there is no column headed '{heading}' in {path.name}.")
    columns, update_day = _columns(rows[position].cells, mapping)
    return Table(path, fmt, sheet, encoding, delimiter, rows[position].number, columns,
                 tuple(rows[position + 1 :]), update_day, rows[position].cells)  # fmt: skip


# --- CSV -------------------------------------------------------------------------------------
def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith(_NOT_TEXT) or b"\x00" in raw[:4096]:
        raise TransferError(f"{path.name} is not a CSV or XLSX file.")
    for encoding, name in (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")):
        try:
            return raw.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "Latin-1"


def _parse_csv(text: str, delimiter: str, limit: int | None = None) -> list[SheetRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, 1):
            rows.append(SheetRow(number, tuple(cells)))
            if limit and number >= limit:
                break
    except csv.Error as exc:
        raise TransferError(f"Row {len(rows) + 1} of the file cannot be read as CSV: {exc}.") from exc
    return rows


def _read_csv(path: Path, mapping: Sequence[tuple[str, str]], progress: Progress | None) -> Table:
    raw = path.read_bytes()
    if not raw.strip():
        raise TransferError(f"{path.name} is empty.")
    text, encoding = _decode(path, raw)
    sample = text[:65536]
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        rows = _parse_csv(sample, delimiter, HEADER_SCAN)
        score = max((header_score(r.cells, mapping) for r in rows), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    if progress:
        progress("reading", 0, 0)
    rows = _parse_csv(text, best)
    if progress:
        progress("reading", len(rows), len(rows))
    return _table(path, "CSV", rows, mapping, encoding=encoding, delimiter=best)


# --- XLSX ------------------------------------------------------------------------------------
# What openpyxl raises on a damaged or foreign file; each becomes one sentence for the user.
_BROKEN = (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, EOFError,
           OSError, SyntaxError)  # fmt: skip


def _broken(path: Path, exc: BaseException) -> TransferError:
    return TransferError(
        f"{path.name} cannot be read as an Excel workbook (it may be damaged, or not really "
        f"an .xlsx file): {type(exc).__name__}."
    )


def _read_xlsx(
    path: Path, sheet: str | None, mapping: Sequence[tuple[str, str]], progress: Progress | None
) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *_BROKEN) as exc:
        raise _broken(path, exc) from exc
    try:
        names = list(book.sheetnames)
        if sheet is not None:
            matches = [n for n in names if n.casefold() == sheet.strip().casefold()]
            if not matches:
                raise TransferError(
                    f"There is no sheet '{sheet}' in {path.name} (it has {', '.join(names)})."
                )
            chosen = matches[0]
        else:
            chosen = _likeliest_sheet(book, names, mapping)
        rows = list(_xlsx_rows(book[chosen], progress))
    except (InvalidFileException, *_BROKEN) as exc:
        raise _broken(path, exc) from exc
    finally:
        book.close()
    return _table(path, "XLSX", rows, mapping, sheet=chosen)


def _xlsx_rows(worksheet: object, progress: Progress | None, limit: int | None = None) -> Iterator[SheetRow]:
    worksheet.reset_dimensions()  # type: ignore[attr-defined]
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), 1):  # type: ignore[attr-defined]
        yield SheetRow(number, tuple(cells))
        if progress and number % 2000 == 0:
            progress("reading", number, 0)
        if limit and number >= limit:
            return


def _likeliest_sheet(book: object, names: list[str], mapping: Sequence[tuple[str, str]]) -> str:
    """The first sheet whose header names the most fields."""
    best, best_score = names[0], -1
    if len(names) == 1:
        return best
    for name in names:
        rows = list(_xlsx_rows(book[name], None, HEADER_SCAN))  # type: ignore[index]
        score = max((header_score(r.cells, mapping) for r in rows), default=0)
        if score > best_score:
            best, best_score = name, score
    return best
