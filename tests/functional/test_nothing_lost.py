"""Nothing replaced or dropped unasked: a rating reconfirmed leaves a trace, an impossible date
is refused where it is typed (and flagged by an import), never saved as "no date"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sscp_tui.app import SSCPApp
from sscp_tui.config import Settings
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.errors import EditError
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.imports.plan import ImportOptions, plan
from sscp_tui.services.records import ItemFilter
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.functional.screen_helpers import settle, static_text, type_text
from tests.stores import table_counts as counts


def history(tracker: Tracker, item_id: int) -> list[HistoryEntry]:
    with tracker.store.read() as session:
        return list(session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity_id == item_id).order_by(HistoryEntry.id)
        ))  # fmt: skip


def test_rerating_with_the_same_rating_is_recorded_as_reconfirmed(demo: Tracker) -> None:
    row = next(r for r in demo.page(ItemFilter(), limit=100).rows if r.rating is Rating.AMBER)
    ratings_before = [h.id for h in history(demo, row.id) if h.field == "rating"]
    result = demo.set_rating([row.id], Rating.AMBER, "Reconfirmed Amber at panel")
    assert result.changed == 0  # nothing to undo
    entries = history(demo, row.id)
    assert [h.id for h in entries if h.field == "rating"] == ratings_before  # the chain is untouched
    last = entries[-1]
    assert (last.field, last.new_value, last.note) == ("reconfirmed", "amber", "Reconfirmed Amber at panel")


@pytest.mark.parametrize("typed", ["31/02/2027", "30/02/2026", "2027-13-01"])
def test_an_impossible_date_is_refused_never_saved_as_no_date(demo: Tracker, typed: str) -> None:
    row = next(r for r in demo.page(ItemFilter(), limit=100).rows if r.due_on is not None)
    with pytest.raises(EditError, match="is not a real date"):
        demo.revise_timescale([row.id], typed, "Slipped")
    with pytest.raises(EditError, match="is not a real date"):
        demo.update_item(row.id, {"timescale": typed}, "Corrected")
    assert demo.rows([row.id])[0].due_on == row.due_on


async def test_the_timescale_form_says_so_under_the_field(demo: Tracker) -> None:
    app = SSCPApp(demo)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        table = app.screen.query_one("#log-table")
        item_id = int(table.cursor_key or 0)  # type: ignore[attr-defined]
        before = demo.rows([item_id])[0]
        await pilot.press("t")
        await type_text(pilot, "31/02/2027")
        await pilot.press("tab")
        await type_text(pilot, "Slipped")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert "is not a real date" in static_text(app, "#error-timescale")
    assert demo.rows([item_id])[0].timescale == before.timescale


def test_an_import_flags_an_impossible_date(demo: Tracker, tmp_path: Path) -> None:
    source = tmp_path / "log.csv"
    source.write_text("Review,Ref,Recommendation,Timescale\nSCR Child W,1,Share it,31/02/2027\n")
    found = plan(demo, source, ImportOptions(create_agencies=True, review_kind="SCR"))
    (rejected,) = found.rejected
    assert "'31/02/2027' is not a real date" in rejected.reason


async def test_quitting_with_a_half_typed_form_asks_first(demo: Tracker) -> None:
    from sscp_tui.screens.forms import ConfirmModal

    app = SSCPApp(demo)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("n")  # a progress update
        await settle(pilot, app)
        await type_text(pilot, "Half a sentence")
        await pilot.press("ctrl+q")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal) and "losing what you typed" in str(app.screen.question)
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal) and app.return_code is None  # still there, text kept
        assert "Half a sentence" in app.screen.values()["text"]
        await pilot.press("ctrl+q", "y")
        await settle(pilot, app)
    assert app.return_code == 0


async def test_a_read_only_tracker_says_so_before_any_form_opens(demo: Tracker) -> None:
    from sscp_tui.db.store import open_store

    url = demo.store.url
    demo.store.close()
    reading = Tracker(open_store(url, read_only=True), Settings(author="Board member"), AS_OF)
    app = SSCPApp(reading)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        assert "read-only" in app.sub_title
        for key in ("g", "n", "t", "e", "b", "d"):
            await pilot.press(key)
            await settle(pilot, app)
            assert not isinstance(app.screen, FormModal), key  # said, no form to type into
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
    with pytest.raises(EditError, match="read-only"):
        reading.set_rating([reading.page(ItemFilter(), limit=1).rows[0].id], Rating.RED, "No")
    reading.store.close()


def test_the_read_only_flag_opens_every_command_to_read(demo: Tracker, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sscp_tui.cli import main

    path = demo.store.url
    demo.store.close()
    before = counts(path)
    runner = CliRunner()
    alerts = runner.invoke(main, ["--read-only", "alerts", "--db", path])
    assert alerts.exit_code == 0, alerts.output
    exported = runner.invoke(main, ["--read-only", "export", str(tmp_path / "log.csv"), "--db", path])
    assert exported.exit_code == 0 and (tmp_path / "log.csv").exists()
    source = tmp_path / "in.csv"
    source.write_text("Review,Ref,Recommendation\nSCR Child W,1,Text\n")
    imported = runner.invoke(
        main, ["--read-only", "import", str(source), "--db", path, "--review-kind", "SCR"]
    )
    assert imported.exit_code == 1 and "read-only" in imported.stderr
    assert counts(path) == before


def test_the_demo_built_afresh_under_read_only_opens_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """`sscp-tui --demo --read-only` on a day the demo must be rebuilt: built, then opened to
    be read, as asked (it used to be handed over still open for writing)."""
    from sscp_tui import cli

    monkeypatch.setattr(cli, "_read_only", True)
    store, said = cli._demo_store(AS_OF)
    try:
        assert said.startswith("Built the demo partnership")
        assert store.read_only
    finally:
        store.close()
    again, said = cli._demo_store(AS_OF)  # the day's demo, already built
    try:
        assert said.startswith("Demo partnership at") and again.read_only
    finally:
        again.close()
