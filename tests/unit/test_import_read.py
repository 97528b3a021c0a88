"""Reading a spreadsheet as a user gives it: the values and layout that import's first stage returns.

Every workbook here is built in the test, with openpyxl or by hand, and read back as a person
looking at it in Excel would describe it.
"""

from __future__ import annotations

import base64
import random
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Color, PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from sscp_tui.services.imports.read import CellRange, Sheet, Workbook, read_workbook
from sscp_tui.services.transfer import TransferError


def _save(book: openpyxl.Workbook, path: Path) -> Path:
    book.save(path)
    return path


def _cells(sheet: Sheet) -> dict[tuple[int, int], object]:
    """Every cell with a value, by (row number, 0-based column)."""
    return {(row.number, index): value for row in sheet.rows for index, value in enumerate(row.cells)
            if value is not None}  # fmt: skip


def _cell(sheet: Sheet, reference: str) -> object:
    """The value at an Excel reference such as "B7" (None when the cell is empty)."""
    found = re.fullmatch(r"([A-Z])([0-9]+)", reference)
    assert found
    return _cells(sheet).get((int(found[2]), ord(found[1]) - 65))


def _rewrite(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Edit one XML part of a workbook in place, as another program might have written it."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data.decode()).encode() if info.filename == part else data)


def _near(colour: str, expected: str) -> bool:
    """Within two steps in each channel: Excel rounds a tinted colour a little differently."""
    return all(abs(int(colour[i : i + 2], 16) - int(expected[i : i + 2], 16)) <= 2 for i in (0, 2, 4))


# --- values -----------------------------------------------------------------------------------
def test_each_kind_of_value_reads_as_a_typed_value(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Log"
    sheet["A1"] = "Recommendation log"
    sheet.append([])
    sheet.append(["Share information", 3, 2.5, 4.0, date(2021, 3, 31), datetime(2021, 3, 31, 14, 5), True])
    sheet["H3"] = time(9, 30)
    sheet["I3"] = timedelta(hours=30)
    sheet["A5"] = "after a blank row"

    workbook = read_workbook(_save(book, tmp_path / "log.xlsx"))

    assert workbook.format == "XLSX" and workbook.source == tmp_path / "log.xlsx"
    assert workbook.encoding is None and workbook.delimiter is None
    (log,) = workbook.sheets
    assert (log.name, log.visible) == ("Log", True)
    assert _cells(log) == {
        (1, 0): "Recommendation log",
        (3, 0): "Share information",
        (3, 1): 3,
        (3, 2): 2.5,
        (3, 3): 4.0,
        (3, 4): date(2021, 3, 31),
        (3, 5): datetime(2021, 3, 31, 14, 5),
        (3, 6): True,
        (3, 7): time(9, 30),
        (3, 8): "30:00:00",  # a duration, as Excel shows it in an [h]:mm:ss cell
        (5, 0): "after a blank row",
    }
    assert type(_cell(log, "E3")) is date and type(_cell(log, "F3")) is datetime
    assert _cell(log, "G3") is True
    numbers = [row.number for row in log.rows]
    assert numbers == sorted(numbers) and {1, 3, 5} <= set(numbers)
    assert all(cell is None for row in log.rows if row.number in (2, 4) for cell in row.cells)
    assert not log.merged and not log.hidden_columns and not log.fills and not log.styles and not log.formulas


def test_a_table_that_starts_away_from_a1_keeps_its_rows_and_columns(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["D5"] = "Rec no"
    book.active["E6"] = "Recommendation"

    (sheet,) = read_workbook(_save(book, tmp_path / "log.xlsx")).sheets

    assert _cells(sheet) == {(5, 3): "Rec no", (6, 4): "Recommendation"}


def test_dates_in_a_1904_workbook_read_as_the_dates_excel_shows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active["A1"] = date(2021, 3, 31)
    book.active["A2"] = datetime(2019, 7, 17, 12, 0)

    (sheet,) = read_workbook(_save(book, tmp_path / "mac.xlsx")).sheets

    assert _cell(sheet, "A1") == date(2021, 3, 31)
    assert _cell(sheet, "A2") == datetime(2019, 7, 17, 12, 0)


# --- sheets ----------------------------------------------------------------------------------
def _three_sheets(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active["A1"] = "Safeguarding partnership"
    book.create_sheet("Log")["A1"] = "Rec no"
    hidden = book.create_sheet("Hidden")
    hidden["A1"] = "lookup list"
    hidden.sheet_state = "hidden"
    book.create_sheet("Secret").sheet_state = "veryHidden"
    return _save(book, tmp_path / "book.xlsx")


def test_every_sheet_is_read_in_order_and_hidden_ones_say_so(tmp_path: Path) -> None:
    sheets = read_workbook(_three_sheets(tmp_path)).sheets

    assert [(s.name, s.visible) for s in sheets] == [
        ("Cover", True), ("Log", True), ("Hidden", False), ("Secret", False),
    ]  # fmt: skip
    assert _cell(sheets[2], "A1") == "lookup list"


def test_one_sheet_can_be_chosen_whatever_its_case(tmp_path: Path) -> None:
    workbook = read_workbook(_three_sheets(tmp_path), sheet=" log ")

    assert [s.name for s in workbook.sheets] == ["Log"]
    assert _cell(workbook.sheets[0], "A1") == "Rec no"


def test_a_sheet_that_is_not_there_is_named_with_those_that_are(tmp_path: Path) -> None:
    with pytest.raises(TransferError) as raised:
        read_workbook(_three_sheets(tmp_path), sheet="Actions")

    assert (
        str(raised.value) == "There is no sheet 'Actions' in book.xlsx (it has Cover, Log, Hidden, Secret)."
    )


# --- layout ----------------------------------------------------------------------------------
def test_merged_ranges_are_listed_and_their_value_stays_in_the_first_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B6"] = "SCR Child A"
    sheet.merge_cells("B6:B8")
    sheet["C6"] = "Progress to 17 July 2013"
    sheet.merge_cells("C6:E6")
    sheet["C7"] = "first note"

    (read,) = read_workbook(_save(book, tmp_path / "log.xlsx")).sheets

    assert set(read.merged) == {CellRange(6, 1, 8, 1), CellRange(6, 2, 6, 4)}
    assert _cell(read, "B6") == "SCR Child A" and _cell(read, "B7") is None and _cell(read, "D6") is None


def test_hidden_columns_are_listed(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Review", "Rec no", "Officer's notes", "Recommendation", "Old 1", "Old 2", "Old 3", "RAG"])
    sheet.column_dimensions["C"].hidden = True
    sheet.column_dimensions.group("E", "G", hidden=True)

    (read,) = read_workbook(_save(book, tmp_path / "log.xlsx")).sheets

    assert read.hidden_columns == {2, 4, 5, 6}


EXCEL_STANDARD_COLOURS = {"FF0000": "Red", "FFC000": "Orange", "FFFF00": "Yellow", "92D050": "Light Green",
                          "00B050": "Green", "00B0F0": "Light Blue", "0070C0": "Blue"}  # fmt: skip


def test_solid_fills_read_as_the_colour_excel_shows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for number, colour in enumerate(EXCEL_STANDARD_COLOURS, 1):
        sheet.cell(number, 1, EXCEL_STANDARD_COLOURS[colour]).fill = PatternFill(
            "solid", fgColor="FF" + colour
        )
    sheet["B1"].fill = PatternFill("solid", fgColor=Color(theme=4))  # Accent 1 of the Office 2007 theme
    sheet["B2"].fill = PatternFill("solid", fgColor=Color(theme=9, tint=0.7999816888943144))  # Accent 6, 80%
    sheet["B3"].fill = PatternFill("solid", fgColor=Color(theme=9, tint=-0.249977111117893))  # Accent 6, -25%
    sheet["B4"].fill = PatternFill("solid", fgColor=Color(indexed=51))  # the old palette's gold
    sheet["B5"].fill = PatternFill("solid", fgColor=Color(theme=3))  # "Text 2": themes list dk2 after lt2
    sheet["C1"].fill = PatternFill("solid", fgColor="FFFFFF")  # white: no colour to read
    sheet["C2"].fill = PatternFill("darkGrid", fgColor="FF0000")  # a pattern, not a solid fill
    sheet["C3"] = "plain"

    (read,) = read_workbook(_save(book, tmp_path / "rag.xlsx")).sheets

    fills = dict(read.fills)
    assert {where: fills.pop(where) for where in [(n, 0) for n in range(1, 8)]} == {
        (n, 0): colour for n, colour in enumerate(EXCEL_STANDARD_COLOURS, 1)
    }
    assert fills.pop((1, 1)) == "4F81BD"
    assert _near(fills.pop((2, 1)), "FDE9D9")  # what Excel's colour picker shows
    assert _near(fills.pop((3, 1)), "E46C0A")
    assert fills.pop((4, 1)) == "FFCC00"
    assert fills.pop((5, 1)) == "1F497D"
    assert fills == {}, "white, patterned and plain cells have no fill"
    assert not read.styles


def test_the_good_bad_and_neutral_styles_are_named(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Green", "Red", "Amber", "Plain"])
    sheet["A1"].style, sheet["B1"].style, sheet["C1"].style = "Good", "Bad", "Neutral"
    sheet["D1"].style = "Normal"

    (read,) = read_workbook(_save(book, tmp_path / "styles.xlsx")).sheets

    assert read.styles == {(1, 0): "Good", (1, 1): "Bad", (1, 2): "Neutral"}
    assert read.fills == {(1, 0): "C6EFCE", (1, 1): "FFC7CE", (1, 2): "FFEB9C"}  # the styles' own fills


# --- formulas --------------------------------------------------------------------------------
def test_a_formula_saved_without_a_value_is_given_as_text_and_not_evaluated(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = 3
    sheet["B2"] = "=A1*2"
    sheet["C2"] = '=IF(A1>2,"Red","Green")'

    (read,) = read_workbook(_save(book, tmp_path / "sums.xlsx")).sheets

    assert read.formulas == {(2, 1): "=A1*2", (2, 2): '=IF(A1>2,"Red","Green")'}
    assert _cell(read, "B2") is None and _cell(read, "C2") is None and _cell(read, "A1") == 3


def test_a_formula_saved_with_its_value_reads_as_that_value(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = 3
    book.active["B2"] = "=A1*2"
    path = _save(book, tmp_path / "saved.xlsx")
    _rewrite(
        path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("<f>A1*2</f><v></v>", "<f>A1*2</f><v>6</v>")
    )

    (read,) = read_workbook(path).sheets

    assert _cell(read, "B2") == 6 and read.formulas == {}


def test_a_shared_formula_is_given_as_it_reads_in_each_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    for number in (2, 3, 4):
        book.active[f"A{number}"] = number
        book.active[f"B{number}"] = f"=A{number}*2"
    path = _save(book, tmp_path / "shared.xlsx")

    def share(xml: str) -> str:  # as Excel writes a formula filled down a column
        xml = xml.replace("<f>A2*2</f><v></v>", '<f t="shared" ref="B2:B4" si="0">A2*2</f>')
        return re.sub(r"<f>A[34]\*2</f><v></v>", '<f t="shared" si="0"/>', xml)

    _rewrite(path, "xl/worksheets/sheet1.xml", share)

    (read,) = read_workbook(path).sheets

    assert read.formulas == {(2, 1): "=A2*2", (3, 1): "=A3*2", (4, 1): "=A4*2"}


def test_cells_written_without_their_references_are_still_placed_right(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Rec no", "Recommendation", "RAG", "Double"])
    sheet.append([1, "Share information", "Red", "=A2*2"])
    sheet.append([2, "Train staff", "Amber", "=A3*2"])
    sheet["C2"].fill = PatternFill("solid", fgColor="FF0000")
    sheet["C3"].style = "Neutral"
    path = _save(book, tmp_path / "generated.xlsx")
    # Some generators leave out the optional r="C2" of each cell and row: positions are counted.
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: re.sub(r'(<c|<row) r="[A-Z]*[0-9]+"', r"\1", xml))

    (read,) = read_workbook(path).sheets

    assert _cell(read, "B3") == "Train staff" and _cell(read, "C2") == "Red"
    assert read.fills == {(2, 2): "FF0000", (3, 2): "FFEB9C"}
    assert read.styles == {(3, 2): "Neutral"}
    assert read.formulas == {(2, 3): "=A2*2", (3, 3): "=A3*2"}


def test_a_sheet_written_with_a_namespace_prefix_gives_its_layout(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Rec no", "RAG", "Double"])
    sheet.append([1, "Red", "=A2*2"])
    sheet["B2"].fill = PatternFill("solid", fgColor="FF0000")
    sheet.column_dimensions["C"].hidden = True
    path = _save(book, tmp_path / "dotnet.xlsx")

    def prefixed(xml: str) -> str:  # <x:worksheet xmlns:x="…"><x:sheetData>…, as some .NET writers do
        xml = xml.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=", 1)
        return re.sub(r"<(/?)(?!x:)(\w)", r"<\1x:\2", xml)

    _rewrite(path, "xl/worksheets/sheet1.xml", prefixed)

    (read,) = read_workbook(path).sheets

    assert _cell(read, "B2") == "Red"
    assert (read.fills, read.hidden_columns, read.formulas) == ({(2, 1): "FF0000"}, {2}, {(2, 2): "=A2*2"})


# --- other formats ---------------------------------------------------------------------------
# A small .xls made with xlwt 1.3.0 (zlib, then base64): sheet "Log" with a header, a date, a
# merged A4:A6, a red cell and a hidden column C (an .xls gives neither fills nor hidden columns:
# calamine does not read them); sheet "Notes", hidden.
SMALL_XLS = (
    "eNrtWE1IVFEU/u6dN+OMP/PjT6CBDEJWJki0aWNTYblJMQv6IajReelg815MtijILJtNEEStijaCLdpYEfRDEbVrERi1CILA"
    "KdrkKiiIUF/nnnnPdJrAAROU9w333HvPuefec88992fem4nI5Oj9uizysA0ezFoB+ObxBKWAUwmD5Jalik7up2S5WFEI+Gkh"
    "fV48rXhdotZQrXcWEve0l0SBT5SO4CQ6TUOPLiN2sg1xoWxoFRrFnsQtSkHUsl2VTHuZVjG9y22fMd3OnCtMW6ntpDiMiVhn"
    "01Y7jg/KBpYFiQo8Yp0PzNmMGrxScXz+qsi19WJHOhk/sVoE9Vo5xkBr3a4belrVQ7iNUqCtraWjo+UQYRLVFAdj+GFFge/O"
    "hn8RdfnLyxcg/s+F/JJ/8P20iIX4gfz22uXodakBw7COCRX9GZRhSFMiD/aYfRlU4KsvFzCd5qB+ahr7VbhwIn633hs1zCAX"
    "zFRKNxLxwaRpeCiATusRYF9/PK1Hk8ZxM51iCemk9HSfnvAonQRV+5OJhG6UqtuET5/wgtOngvdkOdEEQlyO8M4M0xyn73x7"
    "29HTFTvKnGG+cZSpAuvUnGDhgtIoP8f6EtfKQnxrQQbh9K/mCTRxD5uYXuRR1nK5jmk1TZ7yxq4au7B7hNtcYmkjjbuF8S62"
    "fl55A5UzU3sf12c+xzZSebw9e7Z6/H1sFA20Dgm2U2AEzaJZ3Lyh8CTm5MI+0T4yrf3rdPPLsG27ZV/GIcyobUuIMM3VlLfE"
    "XE3avlPaIk97SJYyL8JeUe0Fayvv5GSSbPr1QLK2LKAtWXuKFLzSb6+U4J6U76vIdbmRPWzXQrs9rKvZLbS8Fs/Je5o9MyX3"
    "FpB7bfkXttzDdXq3yEo8VIbRHfAHSxlryIs1J7bEHF2psSUKxpbP8SoKedWFCxcuXLhwsfIg+JWYexOrV43XfhmV2N91ZijN"
    "up9JVi26YdJvkP4h7oJBeRpnioqfNfAKpy+xSB3ne6HCARo9jQH0sB0DRccvvWzF/PksWjG8dFuo2PFni7HzP4//G9p3JAM="
)


def test_an_old_style_xls_workbook_is_read(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(zlib.decompress(base64.b64decode(SMALL_XLS)))

    workbook = read_workbook(path)

    assert workbook.format == "XLS"
    log, notes = workbook.sheets
    assert (log.name, log.visible, notes.name, notes.visible) == ("Log", True, "Notes", False)
    assert [row.cells for row in log.rows[:3]] == [
        ("Rec no", "Recommendation", "Due"),
        (1, "Share information", date(2021, 3, 31)),
        (2.5, True, "Red"),
    ]
    assert _cell(log, "A4") == "merged" and log.merged == (CellRange(4, 0, 6, 0),)
    assert _cell(notes, "A1") == "hidden"


def _ods(path: Path, content: str, styles: str = "") -> Path:
    """An OpenDocument spreadsheet as the standard lays it out: the mimetype first and stored."""
    namespaces = " ".join(
        f'xmlns:{name}="urn:oasis:names:tc:opendocument:xmlns:{uri}"'
        for name, uri in [("office", "office:1.0"), ("style", "style:1.0"), ("text", "text:1.0"),
                          ("table", "table:1.0"), ("fo", "xsl-fo-compatible:1.0"), ("of", "of:1.2")]
    )  # fmt: skip

    def document(root: str, body: str) -> str:
        body = re.sub(r">\s+<", "><", body.strip())
        return f'<?xml version="1.0" encoding="UTF-8"?><office:{root} {namespaces} office:version="1.2">{body}</office:{root}>'

    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)  # fmt: skip
        archive.writestr("content.xml", document("document-content", content))
        if styles:
            archive.writestr("styles.xml", document("document-styles", styles))
        archive.writestr("META-INF/manifest.xml", manifest)
    return path


ODS_STYLES = """
<office:styles>
  <style:style style:name="Default" style:family="table-cell"/>
  <style:style style:name="Good" style:display-name="Good" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:background-color="#ccffcc"/>
  </style:style>
</office:styles>
"""
ODS_CONTENT = """
<office:automatic-styles>
  <style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
  <style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
  <style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:background-color="#ff0000"/>
  </style:style>
  <style:style style:name="ce2" style:family="table-cell" style:parent-style-name="Good"/>
  <style:style style:name="ce3" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:background-color="#ffc000"/>
  </style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
<table:table table:name="Log" table:style-name="ta1">
  <table:table-column table:number-columns-repeated="2"/>
  <table:table-column table:visibility="collapse"/>
  <table:table-column table:number-columns-repeated="2"/>
  <table:table-row>
    <table:table-cell table:number-columns-spanned="3" office:value-type="string"><text:p>Recommendation log</text:p></table:table-cell>
    <table:covered-table-cell table:number-columns-repeated="2"/>
  </table:table-row>
  <table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="5"/></table:table-row>
  <table:table-row>
    <table:table-cell office:value-type="string"><text:p>Rec no</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Recommendation</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Officer's notes</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Due</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>RAG</text:p></table:table-cell>
  </table:table-row>
  <table:table-row>
    <table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Share information</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>
    <table:table-cell office:value-type="date" office:date-value="2021-03-31"><text:p>31/03/21</text:p></table:table-cell>
    <table:table-cell table:style-name="ce1" office:value-type="string"><text:p>Red</text:p></table:table-cell>
  </table:table-row>
  <table:table-row>
    <table:table-cell office:value-type="float" office:value="2.5"><text:p>2.5</text:p></table:table-cell>
    <table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>
    <table:table-cell table:style-name="ce3" table:number-columns-repeated="2"/>
    <table:table-cell table:style-name="ce2" office:value-type="string"><text:p>Green</text:p></table:table-cell>
  </table:table-row>
  <table:table-row>
    <table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>SCR Child A</text:p></table:table-cell>
    <table:table-cell table:formula="of:=[.A5]*2"/>
  </table:table-row>
  <table:table-row>
    <table:covered-table-cell/>
    <table:table-cell office:value-type="string"><text:p>last</text:p></table:table-cell>
  </table:table-row>
</table:table>
<table:table table:name="Notes" table:style-name="ta2">
  <table:table-row><table:table-cell office:value-type="string"><text:p>hidden</text:p></table:table-cell></table:table-row>
</table:table>
</office:spreadsheet></office:body>
"""


def test_an_opendocument_spreadsheet_is_read_with_its_layout(tmp_path: Path) -> None:
    workbook = read_workbook(_ods(tmp_path / "log.ods", ODS_CONTENT, ODS_STYLES))

    assert workbook.format == "ODS"
    log, notes = workbook.sheets
    assert (log.name, log.visible, notes.name, notes.visible) == ("Log", True, "Notes", False)
    assert _cells(log) == {
        (1, 0): "Recommendation log",
        (4, 0): "Rec no", (4, 1): "Recommendation", (4, 2): "Officer's notes", (4, 3): "Due", (4, 4): "RAG",
        (5, 0): 1, (5, 1): "Share information", (5, 2): "x", (5, 3): date(2021, 3, 31), (5, 4): "Red",
        (6, 0): 2.5, (6, 1): True, (6, 4): "Green",
        (7, 0): "SCR Child A",
        (8, 1): "last",
    }  # fmt: skip
    assert set(log.merged) == {CellRange(1, 0, 1, 2), CellRange(7, 0, 8, 0)}
    assert log.hidden_columns == {2}
    assert log.fills == {(5, 4): "FF0000", (6, 2): "FFC000", (6, 3): "FFC000", (6, 4): "CCFFCC"}
    assert log.styles == {(6, 4): "Good"}
    assert log.formulas == {(7, 1): "=[.A5]*2"}
    assert _cell(notes, "A1") == "hidden"


def test_the_format_is_told_by_content_not_by_name(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "Rec no"
    xlsx_named_xls = _save(book, tmp_path / "export.xls")
    ods_named_xlsx = _ods(tmp_path / "sheet.xlsx", ODS_CONTENT, ODS_STYLES)
    csv_named_xls = tmp_path / "report.xls"
    csv_named_xls.write_text("Review,Rec no,Recommendation\nSCR Child A,1,Share information\n")

    assert read_workbook(xlsx_named_xls).format == "XLSX"
    assert read_workbook(ods_named_xlsx).format == "ODS"
    assert read_workbook(csv_named_xls).format == "CSV"
    assert _cell(read_workbook(xlsx_named_xls).sheets[0], "A1") == "Rec no"


# --- CSV -------------------------------------------------------------------------------------
HEADINGS = ["Review", "Rec no", "Recommendation", "Lead agency", "RAG"]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "named"),
    [("utf-8-sig", ",", "UTF-8"), ("cp1252", ";", "Windows-1252"), ("utf-16", "\t", "UTF-16"),
     ("utf-8", "|", "UTF-8")],
)  # fmt: skip
def test_csv_in_common_encodings_and_delimiters(
    tmp_path: Path, encoding: str, delimiter: str, named: str
) -> None:
    rows = [["Recommendation log – Café Review"], HEADINGS,
            ["SCR Child A", "1", "Share information; promptly, with £ costs", "Police", "Amber"]]  # fmt: skip
    path = tmp_path / "log.csv"
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c or "," in c else c for c in r) for r in rows)
    path.write_bytes(text.encode(encoding))

    workbook = read_workbook(path)

    assert (workbook.format, workbook.encoding, workbook.delimiter) == ("CSV", named, delimiter)
    (sheet,) = workbook.sheets
    assert (sheet.name, sheet.visible) == ("", True)
    assert [row.number for row in sheet.rows] == [1, 2, 3]
    assert [list(row.cells) for row in sheet.rows] == rows


def test_a_csv_file_has_no_sheets_to_choose(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("Review,Rec no\n")

    with pytest.raises(TransferError, match=r"^--sheet applies to .* workbooks; log.csv is a CSV file.$"):
        read_workbook(path, sheet="Log")


# --- what cannot be read ---------------------------------------------------------------------
def _damaged(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    book = openpyxl.Workbook()
    book.active["A1"] = "Rec no"
    whole = _save(book, tmp_path / "whole.xlsx").read_bytes()
    files = {
        "truncated.xlsx": whole[: len(whole) // 2],
        "random.xlsx": random.Random(7).randbytes(3000),
        "garbage.xlsx": b"PK\x03\x04" + b"\x00garbage" * 50,
        "empty.xlsx": b"",
        "empty.csv": b"",
        "minutes.xlsx": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)),
        "minutes.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)),
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "protected.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        "truncated.ods": _ods(tmp_path / "whole.ods", ODS_CONTENT).read_bytes()[:300],
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    broken_xml = tmp_path / "badxml.xlsx"
    broken_xml.write_bytes(whole)
    _rewrite(broken_xml, "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2])
    damaged = "cannot be read as an Excel workbook (it may be damaged, or not really an .xlsx file)"
    return {
        "truncated": (tmp_path / "truncated.xlsx", f"truncated.xlsx {damaged}"),
        "random bytes": (tmp_path / "random.xlsx", f"random.xlsx {damaged}"),
        "garbage after zip magic": (tmp_path / "garbage.xlsx", f"garbage.xlsx {damaged}"),
        "broken sheet XML": (broken_xml, f"badxml.xlsx {damaged}"),
        "empty workbook file": (tmp_path / "empty.xlsx", "empty.xlsx is empty."),
        "empty CSV": (tmp_path / "empty.csv", "empty.csv is empty."),
        "PDF named .xlsx": (tmp_path / "minutes.xlsx", f"minutes.xlsx {damaged}"),
        "PDF": (tmp_path / "minutes.pdf", "minutes.pdf is not a CSV or XLSX file."),
        "not really .xls": (tmp_path / "old.xls", "old.xls cannot be read as an Excel workbook"),
        "password": (tmp_path / "protected.xlsx", "protected.xlsx is password-protected; save a copy"),
        "truncated ODS": (tmp_path / "truncated.ods", "truncated.ods cannot be read as an OpenDocument"),
        "missing": (tmp_path / "nowhere.xlsx", f"There is no file {tmp_path / 'nowhere.xlsx'}."),
        "folder": (tmp_path, f"{tmp_path} is a folder, not a spreadsheet."),
    }


@pytest.mark.parametrize("case", ["truncated", "random bytes", "garbage after zip magic", "broken sheet XML",
                                  "empty workbook file", "empty CSV", "PDF named .xlsx", "PDF", "not really .xls",
                                  "password", "truncated ODS", "missing", "folder"])  # fmt: skip
def test_what_cannot_be_read_gets_one_sentence(tmp_path: Path, case: str) -> None:
    path, message = _damaged(tmp_path)[case]

    with warnings.catch_warnings(record=True) as caught, pytest.raises(TransferError) as raised:
        warnings.simplefilter("always")
        read_workbook(path)

    text = str(raised.value)
    assert text.startswith(message)
    assert "\n" not in text and "Traceback" not in text and text.endswith(".")
    assert not caught


# --- progress --------------------------------------------------------------------------------
def test_progress_is_told_every_two_thousand_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Log")
    for number in range(1, 4501):
        sheet.append([number, f"Recommendation {number}"])
    calls: list[tuple[str, int, int]] = []

    workbook = read_workbook(_save(book, tmp_path / "long.xlsx"), progress=lambda *call: calls.append(call))

    assert isinstance(workbook, Workbook) and len(workbook.sheets[0].rows) == 4500
    assert ("reading", 2000, 0) in calls and ("reading", 4000, 0) in calls
    assert calls[-1][:2] == ("reading", 4500)


def test_a_workbook_that_unpacks_far_past_any_log_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A zip bomb: a 250 MB sheet of one repeated byte, a few hundred kilobytes packed."""
    path = tmp_path / "bomb.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "Review"
    book.save(path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/padding.xml", "w") as part,
    ):
        chunk = b" " * (1 << 20)
        for _ in range(250):
            part.write(chunk)
    assert path.stat().st_size < 2 * 2**20
    with pytest.raises(TransferError) as raised:
        read_workbook(path)
    assert str(raised.value) == (
        "bomb.xlsx cannot be imported: its part xl/padding.xml unpacks to 250 MB, far more than a log "
        "holds (the most read is 200 MB); it may be damaged."
    )


def _sheet_that_unpacks_to(path: Path, megabytes: int, *, declared: int | None = None) -> Path:
    """A workbook whose sheet is ``megabytes`` of one repeated byte inside an XML comment, a few
    hundred kilobytes packed; with ``declared``, its zip headers claim that size instead."""
    base = openpyxl.Workbook()
    base.active.append(["Review", "Ref", "Recommendation"])
    base.active.append(["SCR Child A", "1", "Agencies should share information."])
    plain = _save(base, path.with_name("plain.xlsx"))
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
                continue
            head, tail = data.split(b"<sheetData>")
            with out.open(info.filename, "w") as part:
                part.write(head + b"<sheetData>")
                chunk = b"<!--" + b" " * (1 << 20) + b"-->"
                for _ in range(megabytes):
                    part.write(chunk)
                part.write(tail)
    if declared is not None:  # the local header and the central directory both lie
        raw = bytearray(path.read_bytes())
        name = b"xl/worksheets/sheet1.xml"
        with zipfile.ZipFile(path) as archive:
            local = archive.getinfo(name.decode()).header_offset
        raw[local + 22 : local + 26] = declared.to_bytes(4, "little")
        central = raw.find(b"PK\x01\x02" + raw[local + 4 : local + 8])
        while raw[central + 46 : central + 46 + len(name)] != name:
            central = raw.find(b"PK\x01\x02", central + 4)
        raw[central + 24 : central + 28] = declared.to_bytes(4, "little")
        path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("declared", [None, 1000], ids=["honest sizes", "sizes that lie"])
def test_a_zip_bomb_is_refused_under_a_memory_cap(tmp_path: Path, declared: int | None) -> None:
    """In a process allowed 1 GiB of address space in all, a sheet that unpacks to 600 MB is
    refused in one sentence, whether its zip says so (refused before reading) or claims to be
    small (found out as it is read, without unpacking it all)."""
    import subprocess
    import sys
    import textwrap

    bomb = _sheet_that_unpacks_to(tmp_path / "bomb.xlsx", 600, declared=declared)
    assert bomb.stat().st_size < 4 * 2**20
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
        sys.argv = ["sscp-tui", "import", {str(bomb)!r}, "--dry-run", "--db", {str(tmp_path / "t.sqlite3")!r},
                    "--review-kind", "SCR", "--create-agencies"]
        from sscp_tui.cli import main
        main()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    said = done.stderr.strip().splitlines()[-1]
    assert said.startswith("sscp-tui: bomb.xlsx cannot be")
    if declared is None:
        assert "unpacks to 600 MB, far more than a log holds" in said
    else:
        assert "it may be damaged" in said
