"""Forms made ahead: while the user reads a screen, the forms its keys ask are made out of
sight, and a key then shows the form made for it, refilled, rather than building one."""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input, Select

from sscp_tui import ahead
from sscp_tui.app import SSCPApp
from sscp_tui.db.enums import Rating
from sscp_tui.screens.base import TrackerScreen
from sscp_tui.screens.forms import FormModal
from sscp_tui.screens.log import LogTable
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
from tests.functional.screen_helpers import settle, static_text, table_rows, type_text, wait_until

SIZE = (140, 45)


def kept_forms(app: SSCPApp) -> set[Screen[Any]]:
    return {screen for name, screen in app._installed_screens.items() if name.startswith("form:")}


async def made_ahead(pilot: Any, app: SSCPApp) -> set[Screen[Any]]:
    """Every form the screen on top asks, made while no key is pressed."""
    screen = app.screen
    assert isinstance(screen, TrackerScreen)
    wanted = len(screen.forms_ahead())

    def done() -> bool:
        forms = kept_forms(app)
        # Each is made and mounted, out of sight.
        return (
            not app._ahead._pending.get(screen, [None]) and bool(forms) and all(f.is_mounted for f in forms)
        )

    await wait_until(pilot, app, done)
    forms = kept_forms(app)
    assert len(forms) <= wanted + 8  # (those made on other screens before)
    return forms


@pytest.mark.parametrize(
    ("start", "keys"),
    [
        ("log", ("g", "a", "r", "U", "n", "t", "e", "o", "d", "b", "f", "v", "i", "E")),
        ("reviews", ("n", "e", "a", "v", "w")),
        ("packs", ("p", "n")),
        ("dashboard", ("i",)),
    ],
)
async def test_each_key_asks_the_form_made_for_it(demo: Tracker, start: str, keys: tuple[str, ...]) -> None:
    """Each form-opening key of the screen shows a form made before it was pressed: the
    lists each screen makes ahead ask what its keys ask (a form that drifted from its list
    would be built at the key, as before, and fail here)."""
    app = SSCPApp(demo, start=start)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        made = await made_ahead(pilot, app)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, app)
            form = app.screen
            assert isinstance(form, FormModal), f"{key} on {start} opened {form!r}"
            assert form in made, f"{key} on {start}: '{form.form_title}' was built at the key, not ahead"
            await pilot.press("escape")
            await settle(pilot, app)
            assert not isinstance(app.screen, FormModal)


async def test_the_priorities_forms_are_made_ahead(demo: Tracker) -> None:
    assert demo.plans()[0].priorities, "the demo has a plan with priorities"
    app = SSCPApp(demo, start="priorities")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        made = await made_ahead(pilot, app)
        # No node yet (a new plan), then the first plan, then its first priority.
        for key in ("plus", "down", "plus", "e", "down", "plus", "v", "e"):
            await pilot.press(key)
            await settle(pilot, app)
            if key == "down":
                continue
            form = app.screen
            assert isinstance(form, FormModal), f"{key} opened {form!r}"
            assert form in made, f"{key}: '{form.form_title}' was built at the key, not ahead"
            await pilot.press("escape")
            await settle(pilot, app)


async def test_a_form_made_ahead_asks_about_the_item_under_the_cursor(demo: Tracker) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await made_ahead(pilot, app)
        table = app.screen.query_one(LogTable)
        await pilot.press("down")
        await settle(pilot, app)
        item_id = int(table.cursor_key or 0)
        row = demo.rows([item_id])[0]
        await pilot.press("e")
        await settle(pilot, app)
        assert f"Edit {row.source} {row.reference}" in static_text(app, ".dialog-title")
        assert app.screen.query_one("#field-reference", Input).value == row.reference
        assert app.screen.query_one("#field-lead_agency", Select).value == (row.lead_agency or Select.NULL)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("a")  # the rating note, made ahead, saves to this item
        await settle(pilot, app)
        assert "Amber" in static_text(app, ".dialog-title")
        await type_text(pilot, "Slipping")
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
    assert demo.rows([item_id])[0].rating is Rating.AMBER


async def test_nothing_is_made_while_keys_come(demo: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forms wait for a pause: a key pressed within AHEAD_AFTER of the last holds them back."""
    monkeypatch.setattr(ahead, "AHEAD_AFTER", 60.0)
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for _ in range(5):
            await pilot.press("down")
            await pilot.pause(0.15)
        assert not kept_forms(app)
        monkeypatch.setattr(ahead, "AHEAD_AFTER", 0.3)
        await made_ahead(pilot, app)
        assert kept_forms(app)


async def test_the_f_keys_screens_are_made_ahead_out_of_sight(demo: Tracker) -> None:
    """While the log is read, the other F-keys' screens are made and read: nothing of them is
    seen (the chair's chooser waits for its screen), and a first visit shows one made before."""
    from sscp_tui.app import AHEAD_MODES
    from sscp_tui.screens.forms import ChoiceModal
    from sscp_tui.screens.reviews import ReviewsScreen

    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        log = app.screen
        await wait_until(pilot, app, lambda: all(mode in app._screen_stacks for mode in AHEAD_MODES))
        await settle(pilot, app)
        assert app.screen is log and app.current_mode == "log", "made out of sight"
        reviews = app._screen_stacks["reviews"][0]
        assert isinstance(reviews, ReviewsScreen) and reviews.is_mounted
        await pilot.press("f4")
        await settle(pilot, app)
        assert app.screen is reviews
        shown = " ".join(" ".join(row) for row in table_rows(reviews.query_one(RowTable)))
        assert "Child D" in shown, "read as it was made"
        await pilot.press("f7")  # the chair's pass asks its scope only now
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceModal)
        assert "which items" in app.screen.choice_title


async def test_the_app_closes_cleanly_with_a_form_half_made(demo: Tracker) -> None:
    """Quitting while a form is being made ahead leaves the rest unmade, and no error."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)

        def half_made() -> bool:
            return any(isinstance(f, FormModal) and not f.built for f in kept_forms(app))

        await wait_until(pilot, app, half_made)
        app.exit()  # (run_test raises, on leaving, any error the app met)
    assert app.return_code == 0
