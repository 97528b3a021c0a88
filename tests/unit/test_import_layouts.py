"""Real-shaped logs as partnerships keep them, built with openpyxl, imported into a tracker the
way a new user would, and read back as a careful person would read the sheet, row by row."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import PatternFill

from sscp_tui.db.enums import Rating, ReviewKind
from sscp_tui.services.imports.plan import ImportOptions, RowAction, plan
from sscp_tui.services.imports.write import apply
from sscp_tui.services.tracker import Tracker
from tests.unit.test_import_export import by_ref, details

HEAD = ["Review", "Rec no", "Recommendation", "Lead agency", "RAG"]


def add_sheet(
    book: openpyxl.Workbook,
    title: str,
    rows: Sequence[Sequence[Any]],
    *,
    fills: Mapping[str, str] | None = None,
    styles: Mapping[str, str] | None = None,
    merged: Sequence[str] = (),
    hidden_columns: Sequence[str] = (),
    hidden: bool = False,
) -> None:
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    for where, colour in (fills or {}).items():
        sheet[where].fill = PatternFill("solid", fgColor=colour)
    for where, style in (styles or {}).items():
        sheet[where].style = style
    for cells in merged:
        sheet.merge_cells(cells)
    for letter in hidden_columns:
        sheet.column_dimensions[letter].hidden = True
    if hidden:
        sheet.sheet_state = "hidden"


def new_book() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def imported(tracker: Tracker, path: Path, **options: Any) -> Any:
    found = plan(tracker, path, ImportOptions(create_agencies=True, **options))
    assert found.ok, [(r.where, r.reason) for r in found.rejected]
    apply(tracker, found)
    return found


def ratings(tracker: Tracker) -> dict[str, Rating | None]:
    return {key: detail.row.rating for key, detail in by_ref(tracker).items()}


# --- ratings as people record them --------------------------------------------------------------
def test_fill_colours_and_cell_styles_are_read_as_ratings(tracker: Tracker, tmp_path: Path) -> None:
    colours = {"2": "FF0000", "3": "FFC000", "4": "FFFF00", "5": "92D050", "6": "00B050", "7": "00B0F0",
               "8": "0070C0", "12": "00B050"}  # fmt: skip
    rows = [HEAD] + [["SCR Child A", str(n), f"Recommendation number {n}.", "Surrey Police", ""]
                     for n in range(1, 12)]  # fmt: skip
    rows[11][4] = "Red"  # written Red on a green cell: the text wins
    book = new_book()
    add_sheet(book, "Log", rows, fills={f"E{r}": c for r, c in colours.items()},
              styles={"E9": "Good", "E10": "Neutral", "E11": "Bad"})  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    found = imported(tracker, tmp_path / "log.xlsx")
    assert ratings(tracker) == {
        "SCR Child A 1": Rating.RED, "SCR Child A 2": Rating.AMBER, "SCR Child A 3": Rating.AMBER,
        "SCR Child A 4": Rating.GREEN, "SCR Child A 5": Rating.GREEN, "SCR Child A 6": Rating.BLUE,
        "SCR Child A 7": Rating.BLUE, "SCR Child A 8": Rating.GREEN, "SCR Child A 9": Rating.AMBER,
        "SCR Child A 10": Rating.RED, "SCR Child A 11": Rating.RED,
    }  # fmt: skip
    (disagreeing,) = [row for row in found.rows if row.row == 12]
    assert "rated Red as written, though its cell is coloured Green" in disagreeing.reason


def test_a_colour_key_on_the_read_me_sheet_comes_before_the_standard_colours(
    tracker: Tracker, tmp_path: Path
) -> None:
    book = new_book()
    add_sheet(book, "Read me", [["How to use this tracker"], ["Green – on track"], ["Complete and evidenced"]],
              fills={"A2": "FFFF00", "A3": "7030A0"})  # fmt: skip
    add_sheet(book, "Log", [HEAD, ["SCR Child A", "1", "Yellow here means on track.", "Surrey Police", ""],
                            ["SCR Child A", "2", "Purple here means evidenced.", "Surrey Police", ""]],
              fills={"E2": "FFFF00", "E3": "7030A0"})  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    found = imported(tracker, tmp_path / "log.xlsx")
    assert ratings(tracker) == {"SCR Child A 1": Rating.GREEN, "SCR Child A 2": Rating.BLUE}
    assert any(s.startswith("'Read me': no row of headings") for s in found.skipped)


# --- layouts people make ------------------------------------------------------------------------
def test_two_row_headers_and_values_merged_down_their_rows(tracker: Tracker, tmp_path: Path) -> None:
    book = new_book()
    add_sheet(book, "Tracker", [
        ["Case review recommendations tracker"],
        [],
        ["Review", "Rec no", "Recommendation", "Lead agency", "Timescale", None, "RAG"],
        [None, None, None, None, "Original", "Revised", None],
        ["SCR Child A", "1", "Agencies should share chronologies.", "Surrey Police", "March 2021", "Sept 2021", "A"],
        [None, "2", "Schools should record attendance daily.", "Surrey County Council", "March 2021", None, "G"],
        [None, "3", "Health should ask about fathers.", "Surrey Heartlands", "31/12/2021", "30/06/2022", "R"],
        ["LCSPR Family B", "1", "The MASH should log every referral.", "Surrey County Council", "2021-22",
         None, "G"],
    ], merged=["A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:G4", "A5:A7"])  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    found = imported(tracker, tmp_path / "log.xlsx")
    assert found.count(RowAction.CREATE) == 4
    items = by_ref(tracker)
    assert set(items) == {"SCR Child A 1", "SCR Child A 2", "SCR Child A 3", "LCSPR Family B 1"}
    first, second, third = items["SCR Child A 1"], items["SCR Child A 2"], items["SCR Child A 3"]
    assert (first.row.timescale, first.original_timescale) == ("Sept 2021", "March 2021")
    assert (second.row.timescale, second.original_timescale) == ("March 2021", "March 2021")
    assert str(third.row.due_on) == "2022-06-30" and third.original_timescale == "31/12/2021"
    assert items["LCSPR Family B 1"].row.timescale == "2021-22"


def test_section_rows_name_the_review_of_the_rows_below(tracker: Tracker, tmp_path: Path) -> None:
    book = new_book()
    add_sheet(book, "Log", [
        ["Ref", "Recommendation", "Lead agency", "RAG"],
        ["Baby Q — SCR"],
        ["1", "Health visitors should see the baby at home.", "Surrey Heartlands", "A"],
        ["2", "GPs should flag missed appointments.", "Surrey Heartlands", "G"],
        [],
        ["Child R (LCSPR)"],
        ["1", "Police should share call-outs with schools.", "Surrey Police", "R"],
        ["Family T (SCR 2018)"],
        ["1", "Children's services should hear the child's voice.", "Surrey County Council", "B"],
        [],
        ["Total", None, None, 4],
        ["Key: R = off track, A = some slippage, G = on track, B = complete"],
    ], merged=["A2:D2", "A6:D6", "A8:D8"])  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    found = imported(tracker, tmp_path / "log.xlsx")
    assert set(by_ref(tracker)) == {
        "SCR Baby Q 1",
        "SCR Baby Q 2",
        "LCSPR Child R 1",
        "SCR Family T (2018) 1",
    }
    skipped = {row.row: row.reason for row in found.rows if row.action is RowAction.SKIP}
    assert skipped[2].startswith("a section row") and skipped[11] == "a totals or key row, not an item"
    assert skipped[12] == "a totals or key row, not an item"


def test_a_workbook_kept_a_sheet_per_review_imports_whole(tracker: Tracker, tmp_path: Path) -> None:
    book = new_book()
    add_sheet(
        book, "Read me", [["This workbook tracks the partnership's case reviews."], ["One tab per review."]]
    )
    add_sheet(book, "Summary", [["Review", "Red", "Amber", "Green", "Total"], ["Child A", 1, 2, 0, 3],
                                ["Family B", 0, 1, 1, 2]])  # fmt: skip
    add_sheet(
        book,
        "Child A (SCR)",
        [
            ["Rec no", "Recommendation", "Lead agency", "RAG"],
            ["1", "Agencies should share chronologies.", "Surrey Police", "R"],
            ["2", "Schools should record attendance.", "Surrey County Council", "A"],
        ],
    )
    add_sheet(
        book,
        "Family B",
        [
            ["LCSPR Family B — action plan"],
            [],
            ["Rec no", "Recommendation", "Lead agency", "RAG"],
            ["1", "The MASH should log every referral.", "Surrey County Council", "G"],
        ],
    )
    add_sheet(
        book,
        "Closed",
        [
            ["Review", "Rec no", "Recommendation", "Lead agency", "RAG"],
            ["Child Z", "1", "A finished recommendation.", "Surrey Police", None],
        ],
    )
    add_sheet(book, "Chart data", [["Month", "Open", "Closed"], ["Jan", 10, 2], ["Feb", 9, 3]])
    add_sheet(
        book, "Old", [HEAD, ["SCR Child Q", "1", "A superseded row.", "Surrey Police", "R"]], hidden=True
    )
    book.save(tmp_path / "reviews.xlsx")
    found = imported(tracker, tmp_path / "reviews.xlsx")
    items = by_ref(tracker)
    assert set(items) == {"SCR Child A 1", "SCR Child A 2", "LCSPR Family B 1", "Child Z 1"}
    assert items["Child Z 1"].row.rating is Rating.BLUE  # on the Closed sheet
    assert {r.kind for r in tracker.reviews()} == {ReviewKind.SCR, ReviewKind.LCSPR, ReviewKind.TO_CONFIRM}
    reasons = dict(s.split(": ", 1) for s in found.skipped)
    assert set(reasons) == {"'Read me'", "'Summary'", "'Chart data'", "'Old'"}
    assert reasons["'Summary'"] == reasons["'Chart data'"] == "a summary of counts, not a list of items"
    assert reasons["'Old'"].startswith("it is hidden")
    assert "sheet 'Child A (SCR)'" in found.description and "sheet 'Closed'" in found.description
    only = plan(tracker, tmp_path / "reviews.xlsx", ImportOptions(sheet="family b"))
    assert only.description.count("sheet '") == 1 and "Family B" in only.description


def test_hidden_columns_are_not_read(tracker: Tracker, tmp_path: Path) -> None:
    book = new_book()
    add_sheet(book, "Log", [[*HEAD, "Progress"], ["SCR Child A", "1", "Share chronologies.", "Surrey Police", "A",
                                                 "An old note nobody sees."]],
              hidden_columns=["F"])  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    found = imported(tracker, tmp_path / "log.xlsx")
    assert "'Progress' (F): hidden in the sheet, so not read" in found.columns
    assert details(tracker)[0].updates == ()


# --- cells that are not plain text ----------------------------------------------------------------
def _cache(path: Path, cell: str, value: str) -> None:
    """Give a formula cell the cached value Excel would have saved with it."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index(f'<c r="{cell}"')
    end = sheet.index("</c>", start)
    cell_xml = sheet[start:end].replace("<v></v>", "").replace("<v/>", "")
    cached = cell_xml.replace("</f>", f"</f><v>{value}</v>")
    if ' t="str"' not in cached:
        cached = cached.replace("<c ", '<c t="str" ', 1)
    parts["xl/worksheets/sheet1.xml"] = (sheet[:start] + cached + sheet[end:]).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_formulas_are_kept_as_text_or_read_by_their_saved_value(tracker: Tracker, tmp_path: Path) -> None:
    book = new_book()
    add_sheet(book, "Log", [HEAD, ["SCR Child A", "1", '=CONCATENATE("Share ","chronologies.")', "Surrey Police",
                                   "A"],
                            ["SCR Child A", "2", "=C2", "Surrey Police", "G"]])  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    _cache(tmp_path / "log.xlsx", "C2", "Share chronologies.")
    imported(tracker, tmp_path / "log.xlsx")
    items = by_ref(tracker)
    assert items["SCR Child A 1"].row.text == "Share chronologies."  # the value Excel saved
    assert items["SCR Child A 2"].row.text == "=C2"  # no saved value: the formula, as text, never run


def test_a_progress_cell_of_dated_entries_becomes_dated_updates(tracker: Tracker, tmp_path: Path) -> None:
    book = new_book()
    add_sheet(book, "Log", [[*HEAD, "Progress"], ["SCR Child A", "1", "Share chronologies.", "Surrey Police", "A",
                            "04/02/23 – Audit started\n19/04/23 – Re-audit booked with partners"]])  # fmt: skip
    book.save(tmp_path / "log.xlsx")
    imported(tracker, tmp_path / "log.xlsx")
    updates = details(tracker)[0].updates
    assert [(str(u.written_on), u.text) for u in updates] == [
        ("2023-04-19", "Re-audit booked with partners"), ("2023-02-04", "Audit started")]  # fmt: skip


def test_a_recommendation_over_its_actions_becomes_a_recommendation_and_its_actions(
    tracker: Tracker, tmp_path: Path
) -> None:
    book = new_book()
    add_sheet(book, "Actions", [
        ["Review", "Rec no", "Recommendation", "Action no", "SMART action", "Lead agency", "Timescale", "RAG"],
        ["LCSPR Child Z", "1", "Agencies should hear the child's voice.", "1.1", "Audit case notes.",
         "Surrey County Council", "March 2027", "A"],
        [None, None, None, "1.2", "Train staff in direct work.", "Surrey Police", "June 2027", "G"],
        [None, "2", "Schools should escalate concerns.", None, "Refresh the escalation policy.",
         "Surrey County Council", "Sept 2027", "R"],
        [None, None, None, None, "Brief head teachers.", "Surrey County Council", "Dec 2027", "G"],
        [None, "3", "Health should share records.", None, None, None, None, None],
    ], merged=["A2:A6", "B2:B3", "C2:C3"])  # fmt: skip
    book.save(tmp_path / "actions.xlsx")
    imported(tracker, tmp_path / "actions.xlsx")
    items = by_ref(tracker)
    assert set(items) == {f"LCSPR Child Z {r}" for r in ("1", "1.1", "1.2", "2", "2.1", "2.2", "3")}
    rec = items["LCSPR Child Z 1"]
    assert (
        rec.row.kind.value == "recommendation" and rec.row.text == "Agencies should hear the child's voice."
    )
    assert {child.reference for child in rec.children} == {"1.1", "1.2"}
    assert items["LCSPR Child Z 1.2"].row.kind.value == "action"
    assert items["LCSPR Child Z 1.2"].parent_reference == "1"
    assert items["LCSPR Child Z 1.2"].row.rating is Rating.GREEN
    assert items["LCSPR Child Z 2.2"].row.text == "Brief head teachers."
    assert items["LCSPR Child Z 2.2"].parent_reference == "2"
    assert items["LCSPR Child Z 3"].children == ()


# --- more formats -------------------------------------------------------------------------------
def test_an_opendocument_log_imports_with_its_colours(tracker: Tracker, tmp_path: Path) -> None:
    from tests.unit.test_import_read import _ods

    def cell(text: str, style: str = "") -> str:
        styled = f' table:style-name="{style}"' if style else ""
        return (
            f'<table:table-cell{styled} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
        )

    rows = [[*HEAD], ["SCR Child A", "1", "Share chronologies.", "Surrey Police", ("", "red")],
            ["SCR Child A", "2", "Record attendance.", "Surrey Police", ("", "green")]]  # fmt: skip
    body = "".join(
        "<table:table-row>"
        + "".join(cell(*v) if isinstance(v, tuple) else cell(str(v)) for v in row)
        + "</table:table-row>"
        for row in rows
    )
    content = f"""
<office:automatic-styles>
  <style:style style:name="red" style:family="table-cell"><style:table-cell-properties fo:background-color="#ff0000"/></style:style>
  <style:style style:name="green" style:family="table-cell"><style:table-cell-properties fo:background-color="#00b050"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="Log">{body}</table:table></office:spreadsheet></office:body>
"""  # fmt: skip
    imported(tracker, _ods(tmp_path / "log.ods", content))
    assert ratings(tracker) == {"SCR Child A 1": Rating.RED, "SCR Child A 2": Rating.GREEN}


def test_an_old_style_xls_log_is_read(tracker: Tracker, tmp_path: Path) -> None:
    import base64
    import zlib

    from tests.unit.test_import_read import SMALL_XLS

    path = tmp_path / "old.xls"
    path.write_bytes(zlib.decompress(base64.b64decode(SMALL_XLS)))
    found = plan(tracker, path, ImportOptions(review="SCR Child A"))
    first = found.rows[0]
    assert (first.row, first.action, first.source) == (2, RowAction.CREATE, "SCR Child A")
    timescale = found.read[0].timescale
    assert found.read[0].text == "Share information"
    assert timescale is not None and str(timescale.due_on) == "2021-03-31"  # a date cell of an .xls
    assert "sheet 'Log'" in found.description and "'Notes': it is hidden" in found.skipped[0]
