"""A small, fast writer of .xlsx workbooks: text, numbers and dates, with a few fixed styles.

openpyxl takes several seconds for a log of ten thousand rows because it builds an object per
cell; a pack, or an export of the log, needs none of that. This writes SpreadsheetML
directly: inline strings (always text, never formulas), dates as serial numbers with a
British date format, a frozen header row, an autofilter, print titles and the page header
and footer. The result opens in Excel and LibreOffice and reads back with openpyxl.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from sscp_tui.services.packs.model import RATING_COLOURS
from sscp_tui.services.packs.output import batches, clean
from sscp_tui.services.spreadsheet_safety import EXCEL_CELL_LIMIT, neutralise

_EPOCH = date(1899, 12, 30)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True, slots=True)
class Styled:
    """A value with one of the named styles (see :data:`STYLES`)."""

    value: str | int | date | None
    style: str


Value = str | int | date | Styled | None

# name -> (font xml, fill xml or "", number format id). Order fixes the style index.
_FONTS = ['<font><sz val="11"/><name val="Calibri"/></font>']
_FILLS = ['<fill><patternFill patternType="none"/></fill>',
          '<fill><patternFill patternType="gray125"/></fill>']  # fmt: skip


def _solid(rgb: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/></patternFill></fill>'


def _font(bold: bool = False, size: int = 11, rgb: str = "000000") -> str:
    return (
        f'<font>{"<b/>" if bold else ""}<sz val="{size}"/><color rgb="FF{rgb}"/><name val="Calibri"/></font>'
    )


# name: (font, fill, number format, wrapped): a wrapped cell's text runs onto more lines within
# its column's width, from the top of the cell, so a long text prints whole.
STYLES: dict[str, tuple[str, str, int, bool]] = {
    "normal": ("", "", 0, False),
    "header": (_font(bold=True), _solid("E8E8E8"), 0, True),
    "title": (_font(bold=True, size=14), "", 0, False),
    "date": ("", "", 164, False),
    "wrap": ("", "", 0, True),
    "change": ("", "", 165, False),  # a change in a count: +1, −2, 0
    **{
        f"rating-{rating.value if rating else 'unrated'}": (_font(bold=True, rgb=ink), _solid(fill), 0, False)
        for rating, (fill, ink) in RATING_COLOURS.items()
    },
}


def _index(items: list[str], item: str) -> int:
    """The position of ``item`` in ``items``, appending it when new."""
    if item not in items:
        items.append(item)
    return items.index(item)


def _styles_xml() -> tuple[str, dict[str, int]]:
    fonts, fills, xfs, index = list(_FONTS), list(_FILLS), [], {}
    for position, (name, (font, fill, number_format, wrapped)) in enumerate(STYLES.items()):
        font_id = _index(fonts, font) if font else 0
        fill_id = _index(fills, fill) if fill else 0
        apply = ' applyFont="1"' * bool(font) + ' applyFill="1"' * bool(fill)
        apply += ' applyNumberFormat="1"' * bool(number_format)
        # Every cell reads from the top of its row, which a wrapped neighbour may make tall.
        wrap_text = ' wrapText="1"' if wrapped else ""
        alignment = f'<alignment vertical="top"{wrap_text}/>'
        apply += ' applyAlignment="1"'
        xfs.append(
            f'<xf numFmtId="{number_format}" fontId="{font_id}" fillId="{fill_id}" borderId="0" '
            f'xfId="0"{apply}>{alignment}</xf>'
        )
        index[name] = position
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
        '<numFmt numFmtId="165" formatCode="+0;&quot;\u2212&quot;0;0"/></numFmts>'
        f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
        f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    return xml, index


_STYLE_XML, STYLE_INDEX = _styles_xml()


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def safe_text(value: str) -> str:
    """Text that shows as written in any workbook the app writes (a pack, an export), and
    stays text once retyped or saved as CSV: never run as a formula.

    Judged before and after cleaning, so neither a leading carriage return (which cleaning
    turns into a line break) nor a stripped control character hides a formula; one
    apostrophe at most is added, which the import takes off again (exact round trips).
    The writer itself stores every string as text; this is what the text says.
    """
    if value.isprintable() and neutralise(value) == value:
        return value  # the usual case: nothing to clean, nothing to neutralise
    text: str = clean(value)
    if neutralise(value) != value or neutralise(text) != text:
        return "'" + text
    return text


CUT_SHORT = " [cut short here]"


def _text(value: str) -> str:
    text = value if value.isprintable() else clean(value)
    if len(text) > EXCEL_CELL_LIMIT:  # more than a spreadsheet's cell holds
        text = text[: EXCEL_CELL_LIMIT - len(CUT_SHORT)] + CUT_SHORT
    # Three scans for a character are quicker than one regular expression for any of them.
    return escape(text) if "&" in text or "<" in text or ">" in text else text


_LETTERS = [column_letter(n) for n in range(1, 53)]


def _cell_end(value: Value) -> str | None:
    """A cell's XML after its reference, from the closing quote on; None for an empty cell.

    A row is written as ``<c r="`` + the reference + this, so the end of a repeated cell (a
    rating, an agency, a date) is made once for a whole sheet.
    """
    style = ""
    if isinstance(value, Styled):
        style, value = f' s="{STYLE_INDEX[value.style]}"', value.value
        if value is None:
            return f'"{style}/>'
    if isinstance(value, str):
        if not value and not style:
            return None
        return f'"{style} t="inlineStr">{_inline(_text(value))}</c>'
    if value is None:
        return None
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        return f'"{style or _DATE_STYLE}><v>{(day - _EPOCH).days}</v></c>'
    if isinstance(value, float):
        return f'"{style}><v>{value!r}</v></c>'
    return f'"{style}><v>{int(value)}</v></c>'


_DATE_STYLE = f' s="{STYLE_INDEX["date"]}"'
LINE_HEIGHT_PT = 15  # one line of 11-point text
MOST_HEIGHT_PT = 409  # the tallest row a spreadsheet allows


def _inline(text: str) -> str:
    """An inline text cell's content. Leading or trailing spaces and line breaks are kept
    only when marked so (as openpyxl writes them); most texts need no mark."""
    if text[:1] in _EDGE_SPACE or text[-1:] in _EDGE_SPACE:
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


_EDGE_SPACE = frozenset(" \t\n\r")


@dataclass
class Sheet:
    name: str
    widths: Sequence[float] = ()
    freeze_header: bool = False
    autofilter: bool = False
    header_text: str = ""
    footer_text: str = ""
    wrap: bool = False  # texts wrap within their columns (a sheet meant to be printed)
    _rows: list[str] = field(default_factory=list)
    _columns: int = 0
    # Rows made only as the file is written (see :meth:`stream`): their number and width.
    _later: Iterable[Sequence[Value]] = ()
    _later_count: int = 0
    # Values repeat down a column (ratings, agencies, dates): each cell's end is made once
    # (see :func:`_cell_end`). Long texts (an item's) are rarely repeated and are not kept.
    _known: dict[Value, str] = field(default_factory=dict)

    def append(self, values: Iterable[Value]) -> None:
        """Add a row; None or "" leaves a cell empty. Strings are always text, never formulas."""
        if self._later_count:
            raise ValueError("rows cannot be added after the streamed ones")
        row = list(values)
        self._columns = max(self._columns, len(row))
        self._rows.append(self._row_xml(len(self._rows) + 1, row))

    def stream(self, rows: Iterable[Sequence[Value]], count: int, columns: int) -> None:
        """Add ``count`` rows, at most ``columns`` wide, to be made only as the file is written.

        A large log's rows are then never all held at once: each megabyte of them is made,
        compressed and written before the next (see :func:`save`). ``rows`` is read once, so
        a sheet with streamed rows is saved once.
        """
        self._later, self._later_count = rows, count
        self._columns = max(self._columns, columns)

    def _row_xml(self, number: int, row: Sequence[Value]) -> str:
        letters = (
            _LETTERS if len(row) <= len(_LETTERS) else [column_letter(n) for n in range(1, len(row) + 1)]
        )
        known, wrap = self._known, self.wrap
        cells = []
        for letter, value in zip(letters, row, strict=False):  # runs for every cell: kept lean
            end = known.get(value)
            if end is None:
                end = _cell_end(Styled(value, "wrap") if wrap and type(value) is str and value else value)
                if end is None:
                    continue
                if type(value) is not str or len(value) <= 80:
                    known[value] = end
            cells.append(f'<c r="{letter}{number}{end}')
        if wrap:
            lines = self._lines(row)
            if lines > 1:  # set, as a spreadsheet opened elsewhere may not fit rows to wrapped text
                height = f'ht="{min(lines * LINE_HEIGHT_PT + 2, MOST_HEIGHT_PT):g}" customHeight="1"'
                return f'<row r="{number}" {height}>{"".join(cells)}</row>'
        return f'<row r="{number}">{"".join(cells)}</row>'

    def _lines(self, row: Sequence[Value]) -> int:
        """How many lines the row's tallest wrapped text takes in its column (an estimate in
        characters: a column is as wide as that many average characters, less a margin)."""
        most = 1
        for value, width in zip(row, self.widths, strict=False):
            text = value.value if isinstance(value, Styled) else value
            if type(text) is str and (len(text) > width - 2 or "\n" in text):
                per_line = max(1, int(width - 2))
                # Words wrap whole, so a line holds a little less than its width on average.
                lines = sum(-(-max(1, len(part)) * 11 // (per_line * 10)) for part in text.split("\n"))
                most = max(most, lines)
        return most

    def _all_rows(self) -> Iterator[str]:
        yield from self._rows
        number = first = len(self._rows)
        for number, row in enumerate(self._later, first + 1):
            if len(row) > self._columns:
                raise ValueError(f"row {number} has {len(row)} cells, more than the {self._columns} declared")
            yield self._row_xml(number, row)
        if number != len(self._rows) + self._later_count:
            raise ValueError(
                f"{number} rows were written, not the {len(self._rows) + self._later_count} declared"
            )

    @property
    def last_cell(self) -> tuple[str, int]:
        return column_letter(max(self._columns, 1)), max(len(self._rows) + self._later_count, 1)

    @property
    def extent(self) -> str:
        column, row = self.last_cell
        return f"A1:{column}{row}"

    def xml_parts(self) -> Iterator[str]:
        view = '<sheetView workbookViewId="0"'
        if self.freeze_header:
            view += '><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            view += '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
        else:
            view += "/>"
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, 1)
        )
        yield from [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="{self.extent}"/><sheetViews>{view}</sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            "<sheetData>",
        ]
        yield from self._all_rows()
        yield from [
            "</sheetData>",
            f'<autoFilter ref="{self.extent}"/>' if self.autofilter else "",
            '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
            "<headerFooter>",
            f"<oddHeader>{escape('&C' + _amp(self.header_text))}</oddHeader>" if self.header_text else "",
            f"<oddFooter>{escape('&L' + _amp(self.footer_text) + '&RPage &P of &N')}</oddFooter>",
            "</headerFooter></worksheet>",
        ]


def _amp(text: str) -> str:
    """Header and footer codes start with "&", so a literal ampersand is doubled."""
    return clean(text).replace("\n", " ").replace("&", "&&")


def save(handle: BinaryIO, sheets: Sequence[Sheet], title: str) -> None:
    """Write the workbook to an open binary file."""
    names = []
    for index, sheet in enumerate(sheets):
        quoted = "'" + sheet.name.replace("'", "''") + "'"
        if sheet.autofilter:
            column, row = sheet.last_cell
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                f"{quoted}!$A$1:${column}${row}</definedName>"
            )
        if sheet.freeze_header:
            names.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{quoted}!$1:$1</definedName>'
            )
    entries = "".join(
        f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
        f'xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>"
        + (f"<definedNames>{''.join(names)}</definedNames>" if names else "")
        + "</workbook>"
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/'
        'vnd.openxmlformats-package.core-properties+xml"/>'
        f"{overrides}</Types>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(clean(title))}</dc:title><dc:creator>sscp-tui</dc:creator></cp:coreProperties>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/></Relationships>'
    )
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>',
        )
        archive.writestr("xl/styles.xml", _STYLE_XML)
        for i, sheet in enumerate(sheets, 1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w") as entry:
                # Made and compressed a megabyte at a time: never one string of it all.
                for batch in batches(sheet.xml_parts()):
                    entry.write(batch.encode("utf-8"))
