"""Import with a preview and export of what the log shows, from the terminal UI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from textual.widgets import DataTable, Input

from sscp_tui.app import SSCPApp
from sscp_tui.screens.log import LogTable
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle, static_text, table_rows, type_text, wait_until

SIZE = (140, 45)


def messy_log(path: Path, *, bad_agency: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Recommendation tracker — CRP"
    sheet.append([])
    sheet.append(["Name of review", "Rec no", "Recommendation", "Key agency", "Timescale", "RAG", "Progress"])
    sheet.append(["SCR Child A", "9", "Agencies should audit how the voice of the child is recorded.",
                  "Nowhere Trust" if bad_agency else "Surrey Police", "March 2027", "A", "Audit planned"])  # fmt: skip
    sheet.append(["LCSPR Child Q9", "1", "Schools should share attendance concerns with the MASH within a day.",
                  "SCC", "tbc", "R", ""])  # fmt: skip
    book.save(path)
    return path


async def open_preview(pilot: Any, app: SSCPApp, source: Path) -> None:
    """From the log, i, the file's path, then the preview once the file is read."""
    await pilot.press("f3")
    await settle(pilot, app)
    await pilot.press("i")
    await pilot.pause()
    app.screen.query_one("#field-file", Input).value = str(source)
    await pilot.press("ctrl+s")
    await settle(pilot, app, rounds=5)

    def read() -> bool:
        return app.screen.__class__.__name__ != "ImportPreviewScreen" or not static_text(
            app, "#import-summary"
        ).startswith("Reading ")

    await wait_until(pilot, app, read)


async def test_import_shows_a_preview_then_imports_all(demo: Tracker, tmp_path: Path) -> None:
    app = SSCPApp(demo)
    before = demo.count(ItemFilter(state=ItemState.ALL))
    source = messy_log(tmp_path / "log.xlsx")
    async with app.run_test(size=SIZE) as pilot:
        await open_preview(pilot, app, source)
        assert app.screen.__class__.__name__ == "ImportPreviewScreen"
        rows = table_rows(app.screen.query_one("#import-rows", DataTable))
        assert [r[0] for r in rows] == ["4", "5"] and {r[1] for r in rows} == {"CREATE"}
        assert demo.count(ItemFilter(state=ItemState.ALL)) == before  # a preview writes nothing
        await pilot.press("enter")
        await settle(pilot, app, rounds=5)
        assert app.screen.__class__.__name__ == "LogScreen"
    assert demo.count(ItemFilter(state=ItemState.ALL)) == before + 2
    assert any(r.title == "Child Q9" for r in demo.reviews())


async def test_a_rejected_row_blocks_the_import(demo: Tracker, tmp_path: Path) -> None:
    app = SSCPApp(demo)
    before = demo.count(ItemFilter(state=ItemState.ALL))
    source = messy_log(tmp_path / "bad.xlsx", bad_agency=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_preview(pilot, app, source)
        assert "cannot be imported" in static_text(app, "#import-summary")
        rows = table_rows(app.screen.query_one("#import-rows", DataTable))
        assert rows[0][1] == "REJECT" and "Nowhere Trust" in rows[0][4]
        await pilot.press("enter")
        await settle(pilot, app)
    assert demo.count(ItemFilter(state=ItemState.ALL)) == before


async def test_export_writes_what_the_log_shows(demo: Tracker, tmp_path: Path) -> None:
    app = SSCPApp(demo)
    target = tmp_path / "out.xlsx"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("slash")
        await type_text(pilot, "Doris")
        await pilot.press("enter")
        await settle(pilot, app)
        shown = app.screen.query_one("#log-table", LogTable).row_count
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#field-file", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, app, rounds=5)
    sheet = openpyxl.load_workbook(target, read_only=True).worksheets[0]
    values = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    headings = [i for i, row in enumerate(values) if row and "Ref" in [str(v) for v in row]]
    assert headings, "a header row"
    assert len(values) - headings[0] - 1 == shown > 0


async def test_the_preview_imports_the_good_rows_and_writes_the_rejected_beside_the_file(
    demo: Tracker, tmp_path: Path
) -> None:
    app = SSCPApp(demo)
    before = demo.count(ItemFilter(state=ItemState.ALL))
    source = messy_log(tmp_path / "log.xlsx", bad_agency=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_preview(pilot, app, source)
        summary = static_text(app, "#import-summary")
        assert "1 row cannot be imported (marked REJECT below), so enter writes nothing." in summary
        assert "s imports the 1 good row" in summary
        await pilot.press("enter")  # all or nothing: nothing
        await settle(pilot, app)
        assert demo.count(ItemFilter(state=ItemState.ALL)) == before
        await pilot.press("s")
        await settle(pilot, app, rounds=5)
        assert app.screen.__class__.__name__ == "LogScreen"
        said = " ".join(str(n.message) for n in app._notifications)
    assert demo.count(ItemFilter(state=ItemState.ALL)) == before + 1
    written = tmp_path / "log - rejected rows.csv"
    assert f"The rejected rows are in {written}." in said
    assert "Nowhere Trust" in written.read_text(encoding="utf-8")


async def test_an_export_over_a_file_asks_before_replacing_it(demo: Tracker, tmp_path: Path) -> None:
    from sscp_tui.screens.forms import ConfirmModal

    app = SSCPApp(demo)
    target = tmp_path / "log.csv"
    target.write_text("kept")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        for answer in ("n", "y"):
            await pilot.press("E")
            await pilot.pause()
            app.screen.query_one("#field-file", Input).value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot, app, rounds=5)
            assert isinstance(app.screen, ConfirmModal)
            assert "already exists. Replace it?" in str(app.screen.question)
            await pilot.press(answer)
            await settle(pilot, app, rounds=5)
            if answer == "n":
                assert target.read_text() == "kept"
    assert target.read_text() != "kept" and "Ref" in target.read_text()


async def test_an_export_from_the_log_keeps_its_order_and_says_the_days_overdue(
    demo: Tracker, tmp_path: Path
) -> None:
    import csv

    from tests.functional.screen_helpers import column

    app = SSCPApp(demo)
    target = tmp_path / "worst-first.csv"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        shown = [(ref.strip(), late.strip()) for ref, late in zip(column(table, "ref"), column(table, "overdue"),
                                                                  strict=True)]  # fmt: skip
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#field-file", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot, app, rounds=5)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # The screen's order (worst alerts first), not the review order; the same days overdue.
    exported = [(row["Ref"], f"{row['Days overdue']} d" if row["Days overdue"] else "") for row in rows]
    assert exported[: len(shown)] == shown
    assert any(late for _ref, late in shown)
