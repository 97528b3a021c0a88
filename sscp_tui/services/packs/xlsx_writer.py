"""A small, fast writer of .xlsx workbooks: text, numbers and dates, with a few fixed styles.

openpyxl takes several seconds for a log of ten thousand rows because it builds an object per
cell; a pack needs none of that. This writes SpreadsheetML directly: inline strings (always
text, never formulas), dates as serial numbers with a British date format, a frozen header
row, an autofilter, print titles and the page header and footer. The result opens in Excel
and LibreOffice and reads back with openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from sscp_tui.services.packs.model import RATING_COLOURS
from sscp_tui.services.packs.output import batches, clean

EXCEL_CELL_LIMIT = 32_767
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


STYLES: dict[str, tuple[str, str, int]] = {
    "normal": ("", "", 0),
    "header": (_font(bold=True), _solid("E8E8E8"), 0),
    "title": (_font(bold=True, size=14), "", 0),
    "date": ("", "", 164),
    **{
        f"rating-{rating.value if rating else 'unrated'}": (_font(bold=True, rgb=ink), _solid(fill), 0)
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
    for position, (name, (font, fill, number_format)) in enumerate(STYLES.items()):
        font_id = _index(fonts, font) if font else 0
        fill_id = _index(fills, fill) if fill else 0
        apply = ' applyFont="1"' * bool(font) + ' applyFill="1"' * bool(fill)
        apply += ' applyNumberFormat="1"' * bool(number_format)
        xfs.append(
            f'<xf numFmtId="{number_format}" fontId="{font_id}" fillId="{fill_id}" borderId="0" '
            f'xfId="0"{apply}/>'
        )
        index[name] = position
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
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


_XML_SPECIAL = re.compile("[&<>]")


def _text(value: str) -> str:
    text = value if value.isprintable() else clean(value)
    if len(text) > EXCEL_CELL_LIMIT - 20:
        text = text[: EXCEL_CELL_LIMIT - 20] + " [cut short here]"
    return escape(text) if _XML_SPECIAL.search(text) else text


_LETTERS = [column_letter(n) for n in range(1, 53)]


def _cell(ref: str, value: Value) -> str:
    """A cell other than plain text: styled, a date or a number."""
    style = ""
    if isinstance(value, Styled):
        style, value = f' s="{STYLE_INDEX[value.style]}"', value.value
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        return f'<c r="{ref}"{style or _DATE_STYLE}><v>{(day - _EPOCH).days}</v></c>'
    return f'<c r="{ref}"{style}><v>{int(value)}</v></c>'


_DATE_STYLE = f' s="{STYLE_INDEX["date"]}"'


@dataclass
class Sheet:
    name: str
    widths: Sequence[float] = ()
    freeze_header: bool = False
    autofilter: bool = False
    header_text: str = ""
    footer_text: str = ""
    _rows: list[str] = field(default_factory=list)
    _columns: int = 0
    # Short texts repeat down a column (ratings, agencies, dates as text): each is made fit
    # for the XML once. Long ones (an item's text) are rarely repeated and are not kept.
    _short: dict[str, str] = field(default_factory=dict)

    def append(self, values: Iterable[Value]) -> None:
        """Add a row; None or "" leaves a cell empty. Strings are always text, never formulas."""
        number = len(self._rows) + 1
        cells = []
        row = list(values)
        letters = (
            _LETTERS if len(row) <= len(_LETTERS) else [column_letter(n) for n in range(1, len(row) + 1)]
        )
        short = self._short
        for letter, value in zip(letters, row, strict=False):
            if type(value) is str:  # the usual case first: this loop runs for every cell
                if value:
                    known = short.get(value) if len(value) <= 80 else None
                    if known is None:
                        known = _text(value)
                        if len(value) <= 80:
                            short[value] = known
                    ref = f"{letter}{number}"
                    cells.append(
                        f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{known}</t></is></c>'
                    )
            elif value is not None:
                cells.append(_cell(f"{letter}{number}", value))
        self._columns = max(self._columns, len(row))
        self._rows.append(f'<row r="{number}">{"".join(cells)}</row>')

    @property
    def last_cell(self) -> tuple[str, int]:
        return column_letter(max(self._columns, 1)), max(len(self._rows), 1)

    @property
    def extent(self) -> str:
        column, row = self.last_cell
        return f"A1:{column}{row}"

    def xml_parts(self) -> list[str]:
        view = '<sheetView workbookViewId="0"'
        if self.freeze_header:
            view += '><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            view += '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
        else:
            view += "/>"
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, 1)
        )
        parts = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="{self.extent}"/><sheetViews>{view}</sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            "<sheetData>",
            *self._rows,
            "</sheetData>",
            f'<autoFilter ref="{self.extent}"/>' if self.autofilter else "",
            '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>',
            "<headerFooter>",
            f"<oddHeader>{escape('&C' + _amp(self.header_text))}</oddHeader>" if self.header_text else "",
            f"<oddFooter>{escape('&L' + _amp(self.footer_text) + '&RPage &P of &N')}</oddFooter>",
            "</headerFooter></worksheet>",
        ]
        return parts


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
            # Compressed as it is written, a megabyte at a time: never one string of it all.
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w") as entry:
                for batch in batches(sheet.xml_parts()):
                    entry.write(batch.encode("utf-8"))
