"""The Meeting pack screen: record a meeting and produce its pack with a key."""

from __future__ import annotations

import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from sscp_tui.app import SSCPApp
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle, static_text, table_rows, type_text

SIZE = (140, 45)


class Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def test_record_a_meeting_then_produce_its_pack(demo: Tracker, tmp_path: Path) -> None:
    app = SSCPApp(demo)
    before = len(demo.meetings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        table = app.screen.query_one("#meetings-table", DataTable)
        assert table.row_count == before
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-date", Input).value = "15/01/2027"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert len(demo.meetings()) == before + 1
        assert any("15 Jan 2027" in row[1] for row in table_rows(table))

        rows = table_rows(table)
        table.move_cursor(row=next(i for i, r in enumerate(rows) if "15 Jan 2027" in r[1]))
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#field-fmt", Select).value = "html"
        folder = app.screen.query_one("#field-folder", Input)
        folder.value = str(tmp_path / "packs")
        await pilot.press("ctrl+s")
        await settle(pilot, app, rounds=6)
        status = static_text(app, "#pack-status")
        assert "The pack is ready:" in status
        written = Path(status.split("ready:", 1)[1].strip())
        assert written.parent == tmp_path / "packs" and written.suffix == ".html"
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        parser = Words()
        parser.feed(written.read_text(encoding="utf-8"))
        text = " ".join(parser.text)
        assert "Case Review Panel" in text and "OFFICIAL-SENSITIVE" in text


async def test_a_bad_date_is_refused_in_place(demo: Tracker) -> None:
    app = SSCPApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-date", Input).focus()
        await type_text(pilot, "31/02/2027")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a real date" in static_text(app, "#error-date")


def offered(app: SSCPApp, name: str) -> list[str]:
    """The entries a choice lists when opened, as the user reads them."""
    from textual.widgets._select import SelectOverlay

    overlay = app.screen.query_one(f"#field-{name}", Select).query_one(SelectOverlay)
    return [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]


async def test_a_choice_that_must_be_made_offers_no_empty_entry(demo: Tracker) -> None:
    app = SSCPApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("enter")  # the pack form for the meeting under the cursor
        await pilot.pause()
        assert offered(app, "fmt") == [
            "Word document (.docx)",
            "Web page to print (.html)",
            "Spreadsheet (.xlsx)",
            "Markdown (.md)",
        ]
        assert offered(app, "by") == ["Review", "Lead agency"]
        assert offered(app, "agency")[0] == "(every agency)"
        assert app.screen.query_one("#field-fmt", Select).value == "docx"
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("f3", "f")  # the log's filter form: an empty choice means any
        await settle(pilot, app)
        assert offered(app, "agency")[0] == "(any)" and offered(app, "alert")[0] == "(any)"
        assert offered(app, "state") == ["Open items", "Closed (Blue) items", "All items"]


async def test_a_meeting_recorded_by_mistake_is_removed_with_a_note(demo: Tracker) -> None:
    from sqlalchemy import select

    from sscp_tui.db.models import HistoryEntry

    app = SSCPApp(demo)
    held = demo.meetings("Case Review Panel")[0].held_on
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-date", Input).value = "21/01/2027"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        (mistake,) = [m for m in demo.meetings() if m.held_on.isoformat() == "2027-01-21"]
        table = app.screen.query_one("#meetings-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(mistake.id)))
        await pilot.press("delete")
        await pilot.pause()
        assert "Remove the Case Review Panel meeting on 21 Jan 2027?" in static_text(app, ".dialog-title")
        await pilot.press("y")
        await settle(pilot, app)
        await pilot.press("enter")  # no note: refused in the form
        await settle(pilot, app)
        assert "A note is required" in static_text(app, "#error-note")
        await type_text(pilot, "Entered the wrong month")
        await pilot.press("enter")
        await settle(pilot, app)
        assert all(m.id != mistake.id for m in demo.meetings())
        assert all("21 Jan 2027" not in row[1] for row in table_rows(table))
        assert any(m.held_on == held for m in demo.meetings())  # the others are untouched
        await pilot.press("u")
        await settle(pilot, app)
        assert list(app._notifications)[-1].message.startswith("Removing a meeting cannot be undone")
    with demo.store.read() as s:
        entry = s.scalars(select(HistoryEntry).where(HistoryEntry.entity == "meeting")).all()[-1]
    assert (entry.entity_id, entry.field, entry.old_value, entry.new_value) == (
        mistake.id, "deleted", "Case Review Panel 2027-01-21", None)  # fmt: skip
    assert entry.note == "Entered the wrong month"


async def test_a_meeting_is_not_removed_while_a_pack_is_being_produced(
    demo: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from sscp_tui.services import packs

    release = threading.Event()
    build = packs.build_pack

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(10), "the test never released the build"
        return build(*args, **kwargs)

    monkeypatch.setattr(packs, "build_pack", slow_build)
    app = SSCPApp(demo)
    before = len(demo.meetings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#field-folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        await pilot.press("delete")
        await pilot.pause()
        said = list(app._notifications)[-1].message
        assert said == "A pack is being produced; remove the meeting once it is written."
        release.set()
        await settle(pilot, app, rounds=6)
    assert len(demo.meetings()) == before
