"""An edit's form stays open until the change is committed: a refusal is said in the form, and
what was typed is still there to correct or keep."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Select, Static, TextArea

from sscp_tui.app import SSCPApp
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.errors import EditError
from sscp_tui.screens import forms
from sscp_tui.screens.forms import FormModal, note_form, reused
from sscp_tui.screens.log import LogTable
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle, static_text, type_text

SIZE = (140, 45)


def history_count(tracker: Tracker, item_id: int) -> int:
    with tracker.store.read() as s:
        return s.scalar(select(func.count()).where(HistoryEntry.entity_id == item_id)) or 0


@pytest.fixture
def app(demo: Tracker) -> SSCPApp:
    return SSCPApp(demo, start="log")


async def test_a_refused_rating_keeps_the_form_and_the_note(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(LogTable)
        item_id = int(table.cursor_key or 0)
        history_before = history_count(demo, item_id)
        await pilot.press("g")
        await type_text(pilot, "Audit shows progress")
        demo.delete([item_id], "Withdrawn by the panel")  # someone else, while the form is open
        await pilot.press("enter")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        assert "no longer exists" in static_text(app, "#form-status")
        assert not any("no longer exists" in str(n.message) for n in app._notifications)  # said once
        assert form.query_one("#field-note", Input).value == "Audit shows progress"
        assert history_count(demo, item_id) == history_before + 1  # the deletion only; no rating
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)


async def test_the_form_closes_once_the_rating_is_committed(
    app: SSCPApp, demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    set_rating = Tracker.set_rating

    def slow_set_rating(self: Tracker, *args: Any, **kwargs: Any) -> Any:
        assert release.wait(10), "the test never released the commit"
        return set_rating(self, *args, **kwargs)

    monkeypatch.setattr(Tracker, "set_rating", slow_set_rating)
    # The word waits a moment so that a quick commit needs none; how long a moment is on a
    # loaded machine is not this test's business, so the wait is short and the check polls.
    monkeypatch.setattr(forms, "SAY_SAVING_AFTER", 0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(LogTable)
        item_id = int(table.cursor_key or 0)
        await pilot.press("g")
        await type_text(pilot, "On track")
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if static_text(app, "#form-status").strip():
                break
        assert isinstance(app.screen, FormModal)
        assert static_text(app, "#form-status").strip() == "Saving…"  # a slow commit says so
        await pilot.press("escape")  # too late to cancel: the commit is under way
        await pilot.pause()
        assert isinstance(app.screen, FormModal)
        assert table.get_cell(str(item_id), "rating").plain.strip() != "Green"  # not before saved
        release.set()
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        assert demo.rows([item_id])[0].rating is Rating.GREEN
        assert table.get_cell(str(item_id), "rating").plain.strip() == "Green"


async def test_a_refusal_about_one_field_is_shown_under_it(
    app: SSCPApp, demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Tracker, *args: Any, **kwargs: Any) -> Any:
        raise EditError("A progress update needs some text.", "text")

    monkeypatch.setattr(Tracker, "add_update", refuse)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n")  # a progress update
        await type_text(pilot, "Met the school")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        assert static_text(app, "#error-text").strip() == "A progress update needs some text."
        assert static_text(app, "#form-status").strip() == ""
        assert form.query_one("#field-text", TextArea).text == "Met the school"


async def test_saving_an_edit_with_nothing_changed_says_so_in_the_form(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item_id = int(app.screen.query_one(LogTable).cursor_key or 0)
        history_before = history_count(demo, item_id)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#field-note", Input).value = "Checked the wording"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        assert "Nothing has changed" in static_text(app, "#form-status")
        assert history_count(demo, item_id) == history_before


async def test_the_note_form_asked_again_starts_afresh(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item_id = int(app.screen.query_one(LogTable).cursor_key or 0)
        await pilot.press("g", "enter")  # no note: refused by the form itself
        await settle(pilot, app)
        assert "A note is required" in static_text(app, "#error-note")
        await type_text(pilot, "half a thought")
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        assert "Amber" in static_text(app, ".dialog-title")
        assert form.query_one("#field-note", Input).value == ""
        assert static_text(app, "#error-note").strip() == ""
        await type_text(pilot, "Slipped a quarter")
        await pilot.press("enter")
        await settle(pilot, app)
        assert demo.rows([item_id])[0].rating is Rating.AMBER


async def test_the_command_palette_waits_for_an_open_form(app: SSCPApp) -> None:
    """Over a form, the palette could close the form out of turn (a pop takes the top screen)
    or leave its question open on another screen."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("g")
        form = app.screen
        assert isinstance(form, FormModal)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen is form
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("ctrl+p")  # with no form open, the palette opens as usual
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_a_note_form_still_open_is_never_asked_again(app: SSCPApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        first = reused(app, note_form("Rate one item Green"))
        await app.push_screen(first)
        await pilot.pause()
        second = reused(app, note_form("Rate this priority Amber"))
        assert second is not first  # a form of its own: the open one keeps its question
        assert "Green" in static_text(app, ".dialog-title")
        first.dismiss(None)
        await settle(pilot, app)
        assert reused(app, note_form("Rate another item Red")) is first  # closed: asked again


async def test_a_failed_read_back_after_the_commit_still_says_saved(
    app: SSCPApp, demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item_id = int(app.screen.query_one(LogTable).cursor_key or 0)

        def broken(self: Tracker, ids: Any) -> Any:
            raise RuntimeError("the read back failed")

        monkeypatch.setattr(Tracker, "rows", broken)
        await pilot.press("g")
        await type_text(pilot, "On track")
        await pilot.press("enter")
        await settle(pilot, app)
        monkeypatch.undo()
        assert not isinstance(app.screen, FormModal)  # closed: the change is saved
        assert demo.rows([item_id])[0].rating is Rating.GREEN
        assert any(n.message == "Saved." for n in app._notifications)
        assert app.undo_stack, "the saved change can be undone"


async def test_the_edit_form_asked_again_shows_the_next_item(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one(LogTable)
        first = int(table.cursor_key or 0)
        await pilot.press("e")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#field-owner", Input).value = "Head of Quality"
        form.query_one("#field-note", Input).value = "Named at panel"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        await pilot.press("down")
        await settle(pilot, app)
        second = int(table.cursor_key or 0)
        assert second != first
        row = demo.rows([second])[0]
        await pilot.press("e")
        await settle(pilot, app)
        again = app.screen
        assert again is form  # the same form, refilled, not built again
        assert f"Edit {row.source} {row.reference}" in static_text(app, ".dialog-title")
        assert again.query_one("#field-lead_agency", Select).value == (row.lead_agency or Select.NULL)
        assert again.query_one("#field-themes", Input).value == "; ".join(row.themes)
        assert again.query_one("#field-reference", Input).value == row.reference
        assert again.query_one("#field-text", TextArea).text == row.text
        assert again.query_one("#field-owner", Input).value == (demo.item(second).owner)  # type: ignore[union-attr]
        assert again.query_one("#field-note", Input).value == ""  # the last note is not offered again
        again.query_one("#field-timescale", Input).value = "March 2027"
        again.query_one("#field-note", Input).value = "Agreed new date"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
    assert demo.item(first).owner == "Head of Quality"  # type: ignore[union-attr]
    assert demo.rows([second])[0].timescale == "March 2027"
    assert demo.rows([first])[0].timescale != "March 2027"


async def test_a_long_form_points_at_the_field_it_refuses(app: SSCPApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("e")  # the edit form: longer than the screen, its body scrolls
        form = app.screen
        assert isinstance(form, FormModal)
        await pilot.press("ctrl+s")  # no note given
        await settle(pilot, app)
        assert form.focused is form.query_one("#field-note", Input)
        error = form.query_one("#error-note", Static)
        assert "A note is required" in static_text(app, "#error-note")
        assert form.query_one(".form-body").region.contains_region(error.region)  # in view
        assert form.query_one("#submit").region.bottom <= 24  # Save is on the screen


async def new_form(pilot: Any, app: SSCPApp) -> FormModal:
    """The screen's form for something new (its n key)."""
    await settle(pilot, app)
    await pilot.press("n")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, FormModal)
    return form


async def test_a_meeting_already_recorded_is_refused_in_its_form(demo: Tracker) -> None:
    from datetime import timedelta

    app = SSCPApp(demo, start="packs")
    before = demo.meetings("Case Review Panel")
    held = before[0].held_on
    free = next(
        held + timedelta(days=n)
        for n in range(1, 30)
        if all(m.held_on != held + timedelta(days=n) for m in before)
    )
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(pilot, app)
        form.query_one("#field-date", Input).value = f"{held:%d/%m/%Y}"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # still open, with what was typed
        assert "already recorded" in static_text(app, "#error-date")
        assert form.query_one("#field-date", Input).value == f"{held:%d/%m/%Y}"
        assert demo.meetings("Case Review Panel") == before
        form.query_one("#field-date", Input).value = f"{free:%d/%m/%Y}"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        said = f"Recorded: Case Review Panel, {free:%d %b %Y}."
        assert any(said in str(n.message) for n in app._notifications)
    assert len(demo.meetings("Case Review Panel")) == len(before) + 1


async def test_a_review_that_already_exists_is_refused_under_its_title(demo: Tracker) -> None:
    app = SSCPApp(demo, start="reviews")
    existing = next(r for r in demo.reviews() if r.year is not None)
    count = len(demo.reviews())
    async with app.run_test(size=SIZE) as pilot:
        form = await new_form(pilot, app)
        form.query_one("#field-kind").value = existing.kind.value  # type: ignore[attr-defined]
        form.query_one("#field-title", Input).value = existing.title
        form.query_one("#field-year", Input).value = str(existing.year)
        form.query_one("#field-notes", TextArea).text = "Typed notes stay"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form
        assert f"There is already a review called {existing.label}" in static_text(app, "#error-title")
        assert form.query_one("#field-notes", TextArea).text == "Typed notes stay"
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
    assert len(demo.reviews()) == count


async def test_re_assigning_needs_an_agency_chosen(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item_id = int(app.screen.query_one(LogTable).cursor_key or 0)
        before = demo.rows([item_id])[0].lead_agency
        await pilot.press("o")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        assert form.query_one("#field-agency", Select).value is Select.NULL  # nothing assumed
        form.query_one("#field-note", Input).value = "Moved at panel"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form and "An agency is required" in static_text(app, "#error-agency")
        assert demo.rows([item_id])[0].lead_agency == before


async def test_an_undo_refused_while_the_tracker_is_busy_can_be_tried_again(
    app: SSCPApp, demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sscp_tui.errors import TrackerBusy

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item_id = int(app.screen.query_one(LogTable).cursor_key or 0)
        before = demo.rows([item_id])[0].rating
        await pilot.press("a" if before is not Rating.AMBER else "g")
        await type_text(pilot, "Reviewed")
        await pilot.press("enter")
        await settle(pilot, app)
        rated = demo.rows([item_id])[0].rating
        assert rated is not before

        def busy(self: Tracker, batch: str, note: str = "Undone") -> Any:
            raise TrackerBusy("The tracker is busy with another change; try again in a moment.")

        monkeypatch.setattr(Tracker, "undo", busy)
        await pilot.press("u", "y")
        await settle(pilot, app)
        assert list(app._notifications)[-1].message.startswith("The tracker is busy")
        assert demo.rows([item_id])[0].rating is rated
        monkeypatch.undo()
        await pilot.press("u", "y")  # the same change, tried again
        await settle(pilot, app)
        assert demo.rows([item_id])[0].rating is before


async def test_u_after_a_progress_update_says_it_stays(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        item_id = int(app.screen.query_one(LogTable).cursor_key or 0)
        updates = len(demo.item(item_id).updates)  # type: ignore[union-attr]
        await pilot.press("n")
        await type_text(pilot, "Met the school")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert list(app._notifications)[-1].message == (
            "Adding a progress update cannot be undone. Nothing was changed."
        )
        assert len(demo.item(item_id).updates) == updates + 1  # type: ignore[union-attr]
