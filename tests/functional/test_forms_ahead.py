"""Forms made ahead: while the user reads a screen, the forms its keys ask are made out of
sight, and a key then shows the form made for it, refilled, rather than building one."""

from __future__ import annotations

import asyncio
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
from sscp_tui.services.records import ItemFilter
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
from tests.functional.screen_helpers import column, settle, static_text, table_rows, type_text, wait_until

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
        # Each is made and mounted, out of sight, every field of it (a form still being made
        # when its key comes is built at the key instead, as a form not made ahead).
        return (
            screen in app._ahead._done
            and bool(forms)
            and all(f.is_mounted and getattr(f, "built", False) for f in forms)
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


async def test_a_form_half_made_when_a_key_comes_waits_for_a_pause(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fields of a form being made ahead are not mounted while keys come (they would share
    the interpreter with what the key does); the form is finished once the user pauses."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        found: list[FormModal] = []

        def half_made() -> bool:
            for form in kept_forms(app):
                if (
                    isinstance(form, FormModal)
                    and form.is_mounted
                    and not form.built
                    and len(form.query(".field-label")) < len(form.fields) - 1
                ):
                    # A key, as of now (between two of the form's turns): the rest waits.
                    monkeypatch.setattr(ahead, "AHEAD_AFTER", 2.0)  # (no pause long enough under load)
                    app._collection.input()
                    found.append(form)
                    return True
            return False

        await wait_until(pilot, app, half_made)
        form = found[0]
        await pilot.pause()  # (a field being mounted as the key came is finished)
        fields = len(form.query(".field-label"))
        for _ in range(4):
            await pilot.press("down")
            await pilot.pause(0.1)
        assert not form.built and len(form.query(".field-label")) == fields < len(form.fields)
        monkeypatch.setattr(ahead, "AHEAD_AFTER", 0.3)
        await wait_until(pilot, app, lambda: form.built)
        assert len(form.query(".field-label")) == len(form.fields)


async def test_a_choice_started_as_the_app_closes_is_not_told_it_is_mounted(demo: Tracker) -> None:
    """A form being made ahead as the app closes: Textual starts none of a choice's parts, but
    still tells the choice it is mounted, and Textual's own looked for its parts and failed
    (the app closed on "No nodes match '#label'"). A form's choice is not told."""
    from textual import events
    from textual.css.query import NoMatches

    from sscp_tui.screens.forms import FieldSelect

    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        textual_own, ours = Select([("Yes", "yes")], value="yes"), FieldSelect([("Yes", "yes")], value="yes")
        app._running = False  # (as Textual marks the app at the start of its close)
        try:
            with pytest.raises(NoMatches):
                await textual_own.on_event(events.Mount())
            await ours.on_event(events.Mount())
        finally:
            app._running = True


async def test_a_form_made_ahead_is_shown_in_the_theme_chosen_since(demo: Tracker) -> None:
    """A form made minutes before it is first asked follows a change of theme made meanwhile."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        made = await made_ahead(pilot, app)
        app.theme = "textual-light"
        await settle(pilot, app)
        await pilot.press("g")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal) and form in made
        dialog = form.query_one(".dialog")
        assert dialog.styles.background.hex.lower() == app.theme_variables["surface"].lower()


async def test_a_form_closed_by_leaving_for_another_screen_is_asked_again(demo: Tracker) -> None:
    """A form closed other than by its own keys (a drill-down pops it) is kept for next time,
    not left taken."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        first = app.screen
        assert isinstance(first, FormModal)
        app.open_log(ItemFilter(ratings=frozenset({Rating.RED})))  # as a dashboard cell does
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        await pilot.press("f")
        await settle(pilot, app)
        assert app.screen is first


async def test_a_log_made_before_opens_on_a_filter_reading_that_page_alone(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f2")
        await settle(pilot, app)
        read: list[ItemFilter] = []
        page = demo.page
        monkeypatch.setattr(demo, "page", lambda f, **kw: (read.append(f), page(f, **kw))[1])
        app.data_version += 1  # an edit since the log was last shown: it would reload
        app.open_log(ItemFilter(ratings=frozenset({Rating.RED})))
        await settle(pilot, app)
        rows = app.screen.query_one(LogTable)
        assert rows.row_count and set(column(rows, "rating")) == {" Red    "}
        assert read and all(f.ratings == frozenset({Rating.RED}) for f in read), read


async def test_a_form_made_ahead_is_whole_when_it_may_be_asked(demo: Tracker) -> None:
    """A form made ahead counts as built only once every widget of every field is mounted, a
    choice's own parts too: a key that came as the last field was mounting refilled a choice
    not yet made, and the app failed."""
    app = SSCPApp(demo, start="dashboard")  # its one form, the import form, ends on a choice
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        built: list[FormModal] = []
        for _ in range(2000):
            built = [f for f in kept_forms(app) if isinstance(f, FormModal) and f.built]
            if built:
                break
            await asyncio.sleep(0.001)
        assert built, "the import form was made ahead"
        unmounted = [w for form in built for w in form.walk_children() if not w.is_mounted]
        assert not unmounted, unmounted


async def test_a_screen_made_ahead_has_its_forms_made_before_its_first_visit(demo: Tracker) -> None:
    """While the log is read, Reviews is made out of sight, and then its forms: its first
    visit's first key shows a form made before."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await wait_until(pilot, app, lambda: "reviews" in app._screen_stacks)
        reviews = app._screen_stacks["reviews"][0]
        await wait_until(pilot, app, lambda: reviews in app._ahead._done)
        made = kept_forms(app)
        await pilot.press("f4")
        await settle(pilot, app)
        await pilot.press("n")  # a new review
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal) and app.screen in made
        assert "review" in str(app.screen.form_title).lower()
