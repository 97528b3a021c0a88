"""Going between screens: a screen seen before (or made ahead) is shown at once, reloaded only
when what it shows may have changed, and nothing left open elsewhere is shown on the way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sscp_tui import ahead
from sscp_tui import app as app_module
from sscp_tui.app import AHEAD_MODES, SSCPApp
from sscp_tui.db.enums import ReviewKind
from sscp_tui.screens.base import TrackerScreen
from sscp_tui.screens.item import ItemScreen
from sscp_tui.screens.log import LogScreen, LogTable
from sscp_tui.screens.reviews import ReviewsScreen
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
from tests.functional.screen_helpers import column, settle, static_text, table_rows, wait_until

SIZE = (140, 45)


def counting(monkeypatch: pytest.MonkeyPatch, tracker: Tracker, name: str) -> list[int]:
    """A list that grows by one at each call of the tracker's ``name``."""
    calls: list[int] = []
    real = getattr(tracker, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tracker, name, counted)
    return calls


async def test_a_screen_seen_before_is_shown_without_a_hold(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual held every paint for 50 ms after a change of mode; a screen made already is
    drawn at once (a screen being made is still hidden until it is)."""
    from textual.app import App

    holds: list[str] = []
    hold = App.delay_update

    def held(app: App[Any], delay: float = 0.05) -> None:
        holds.append(app.current_mode)  # (the mode switched from: Textual holds before it switches)
        hold(app, delay)

    monkeypatch.setattr(App, "delay_update", held)
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        app._ahead._failed = True  # (nothing made ahead: reviews is made at its F-key)
        await settle(pilot, app)
        holds.clear()
        await pilot.press("f4")
        await settle(pilot, app)
        assert app.current_mode == "reviews" and holds == ["log"], "a screen being made is hidden"
        await pilot.press("f3")
        await settle(pilot, app)
        holds.clear()
        await pilot.press("f4")
        await settle(pilot, app)
        assert app.current_mode == "reviews"
        assert holds == [], "a screen made before is painted as soon as it is drawn"


async def test_a_screen_made_ahead_takes_in_a_change_made_before_its_first_visit(demo: Tracker) -> None:
    """A screen read ahead, out of sight, and then a change: its first visit shows the change.
    (Textual resumes a screen as it is made, out of sight too, which marks it seen.)"""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await wait_until(pilot, app, lambda: all(mode in app._screen_stacks for mode in AHEAD_MODES))
        await settle(pilot, app)
        demo.save_review(
            None, {"kind": ReviewKind.LCSPR.value, "title": "Child Q", "year": 2026, "status": "published"}
        )
        app.data_version += 1  # as saving it in the app does
        await pilot.press("f4")
        await settle(pilot, app)
        assert isinstance(app.screen, ReviewsScreen)
        shown = " ".join(" ".join(row) for row in table_rows(app.screen.query_one(RowTable)))
        assert "Child Q" in shown, "reloaded on its first visit"


async def test_a_return_reloads_only_when_what_it_shows_may_have_changed(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not after a minute with nothing changed (another user's change moves the data version:
    see SSCPApp._look_for_changes); after a change, on a new day, or after some minutes."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        reviews = app.screen
        assert isinstance(reviews, ReviewsScreen)
        read = counting(monkeypatch, demo, "reviews")

        async def back_to_reviews(seen_seconds_ago: float = 0.0) -> int:
            await pilot.press("f3")
            await settle(pilot, app)
            if seen_seconds_ago and reviews._seen is not None:
                version, day, at = reviews._seen
                reviews._seen = (version, day, at - seen_seconds_ago)
            before = len(read)
            await pilot.press("f4")
            await settle(pilot, app)
            assert app.screen is reviews
            return len(read) - before

        assert await back_to_reviews(seen_seconds_ago=60) == 0, "nothing changed in a minute"
        app.data_version += 1
        assert await back_to_reviews() == 1, "a change since"
        monkeypatch.setattr(demo, "_as_of", demo.as_of + timedelta(days=1))
        assert await back_to_reviews() == 1, "a new day: alerts move on"
        assert await back_to_reviews(seen_seconds_ago=TrackerScreen.RELOAD_AFTER_SECONDS + 1) == 1


async def test_a_review_opened_with_an_item_left_open_over_the_log_goes_straight_to_the_log(
    demo: Tracker,
) -> None:
    """An item left open over the log, then Enter on a review: the log shows the review's items,
    and the item is neither shown on the way nor left under the log."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ItemScreen)
        await pilot.press("f4")
        await settle(pilot, app)
        shown: list[str] = []
        app.screen_change_signal.subscribe(
            app, lambda screen: shown.append(type(screen).__name__), immediate=True
        )
        await pilot.press("enter")
        await settle(pilot, app)
        log = app.screen
        assert isinstance(log, LogScreen) and app.screen_stack == [log]
        assert "ItemScreen" not in shown, shown
        reviews = set(column(log.query_one(LogTable), "review"))
        assert len(reviews) == 1, reviews


async def test_an_item_is_shown_once_its_read_has_ended(demo: Tracker) -> None:
    """The item's screen is shown once the read of its record has ended, not from inside it."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        at_work: list[list[str]] = []

        def shown(screen: Any) -> None:
            if isinstance(screen, ItemScreen):
                at_work.append([w.group for w in app.workers if not w.is_finished])

        app.screen_change_signal.subscribe(app, shown, immediate=True)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ItemScreen) and app.screen.detail is not None
        assert at_work and "open-item" not in at_work[0], at_work


async def test_nothing_is_made_ahead_once_the_app_is_closing(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the app closes, its screens are taken down one by one: a screen or form made then
    failed the close ("dictionary changed size during iteration")."""
    monkeypatch.setattr(ahead, "AHEAD_AFTER", 0.0)
    monkeypatch.setattr(ahead, "SCREEN_AHEAD_AFTER", 0.0)
    app = SSCPApp(demo, start="log")
    closing = [False]
    made: list[str] = []
    close_all = app._close_all

    async def close_all_and_look() -> None:
        closing[0] = True  # and now it is time to make something ahead
        before = set(app._screen_stacks) | set(app._installed_screens)
        app._ahead.tick()
        made.extend((set(app._screen_stacks) | set(app._installed_screens)) - before)
        await close_all()

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app._ahead._ready = lambda: closing[0]  # nothing made while the app runs
        app._close_all = close_all_and_look  # type: ignore[method-assign]
        await settle(pilot, app)
        assert "reviews" not in app._screen_stacks
    assert not made, made


async def test_a_screen_still_being_made_ahead_is_hidden_until_made(demo: Tracker) -> None:
    """An F-key to a screen that the app began making ahead a moment before keeps Textual's
    hold: it is not shown half made."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app._ahead._failed = True
        app._init_mode("reviews")  # as making it ahead begins
        app.switch_mode("reviews")
        assert app._batch_count == 2, "paints are held (Textual's hold, and until it has read)"
        app.delay_update()  # as the command palette asks, closing
        assert app._batch_count == 3, "Textual's hold alone"
        await settle(pilot, app)
        assert isinstance(app.screen, ReviewsScreen)


async def test_the_chairs_scope_chooser_is_kept_and_asked_again_as_new(demo: Tracker) -> None:
    """The chooser of the chair's scopes (one a review, one an agency) is laid out once, not at
    every `s`; asked again it has nothing typed and every scope, a review added since among
    them, and the scope chosen names the pass."""
    from textual.widgets import Input, OptionList

    from sscp_tui.screens.forms import ChoiceModal

    app = SSCPApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait_until(pilot, app, lambda: isinstance(app.screen, ChoiceModal))
        first = app.screen
        listing = first.query_one("#choice-list", OptionList)
        every = listing.option_count
        await pilot.press("F", "a", "m", "i", "l", "y")
        await settle(pilot, app)
        assert 0 < listing.option_count < every
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("s")
        await wait_until(pilot, app, lambda: isinstance(app.screen, ChoiceModal))
        assert app.screen is first, "the chooser kept, not made again"
        assert first.query_one("#choice-filter", Input).value == ""
        assert listing.option_count == every and listing.highlighted == 0
        await pilot.press("escape")
        await settle(pilot, app)
        demo.save_review(
            None, {"kind": ReviewKind.LCSPR.value, "title": "Child Q", "year": 2026, "status": "published"}
        )
        await pilot.press("s")
        await wait_until(pilot, app, lambda: isinstance(app.screen, ChoiceModal))
        assert app.screen is first and listing.option_count == every + 1
        offered = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert any("Child Q" in option for option in offered)
        await pilot.press("C", "h", "i", "l", "d", "space", "Q", "enter")
        await settle(pilot, app)
        assert "Scope: LCSPR Child Q" in str(app.screen.query_one("#chair-scope").content)


async def test_the_chairs_scopes_read_once_a_form_is_open_on_the_pass_ask_nothing(demo: Tracker) -> None:
    """The scopes are read in a worker; should a form have opened on the pass meanwhile (or the
    chair have left it), the chooser is not pushed over it."""
    from sscp_tui.screens.chair import ChairPassScreen
    from sscp_tui.screens.forms import ChoiceModal, FormModal

    app = SSCPApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await wait_until(pilot, app, lambda: isinstance(app.screen, ChoiceModal))
        await pilot.press("enter")  # all open items
        await wait_until(
            pilot, app, lambda: isinstance(app.screen, ChairPassScreen) and app.screen.detail is not None
        )
        chair = app.screen
        await pilot.press("g")  # the rating's note form, over the pass
        await wait_until(pilot, app, lambda: isinstance(app.screen, FormModal))
        form = app.screen
        chair._choose_scope([("All open items", "all", "All open items")])  # as a late read hands them over
        await settle(pilot, app)
        assert app.screen is form


async def test_the_first_item_opened_is_shown_on_a_screen_made_ahead(demo: Tracker) -> None:
    """The item's screen is made out of sight, with no item, while the log is read; the first
    Enter gives it the item under the cursor."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await wait_until(pilot, app, lambda: app.is_screen_installed(ItemScreen.KEPT_AS))
        made = app.get_screen(ItemScreen.KEPT_AS)
        await wait_until(pilot, app, lambda: made.is_mounted)
        assert app.screen is not made
        table = app.screen.query_one(LogTable)
        item_id = int(table.cursor_key or 0)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is made and made.item_id == item_id
        detail = demo.item(item_id)
        assert detail is not None and detail.row.reference in static_text(app, "#item-head")


async def _first_paints_of_reviews(
    monkeypatch: pytest.MonkeyPatch, demo: Tracker, read_for: float
) -> tuple[float, float, float]:
    """(Helper.) The app open on the log, nothing made ahead, and reading the reviews taking
    ``read_for`` seconds: when F4 was pressed, when the read ended, and when the Reviews screen
    was first written to the terminal."""
    import time

    real = demo.reviews
    ended: list[float] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(read_for)
        try:
            return real(*args, **kwargs)
        finally:
            ended.append(time.perf_counter())

    monkeypatch.setattr(demo, "reviews", slow)
    app = SSCPApp(demo, start="log")
    written: list[float] = []
    display = app._display

    def spied(screen: Any, renderable: Any) -> None:
        if renderable is not None and not app._batch_count and isinstance(screen, ReviewsScreen):
            written.append(time.perf_counter())  # (a held paint writes nothing)
        display(screen, renderable)

    monkeypatch.setattr(app, "_display", spied)
    async with app.run_test(size=SIZE) as pilot:
        app._ahead._failed = True  # (the reviews made at F4)
        await settle(pilot, app)
        pressed = time.perf_counter()
        await pilot.press("f4")
        await wait_until(pilot, app, lambda: bool(ended) and bool(written))
        await settle(pilot, app)
        assert table_rows(app.screen.query_one(RowTable)), "the reviews are shown"
        return pressed, ended[0], written[0]


async def test_a_screen_being_made_is_first_shown_with_what_it_read(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen made at its F-key was painted empty once Textual's 50 ms hold was over, and
    again as its read came in (at 100,000 items, the log's read then took five times as long).
    Its first paint now waits for its read."""
    _, read, painted = await _first_paints_of_reviews(monkeypatch, demo, 0.1)
    assert painted >= read, f"painted {1000 * (read - painted):.0f} ms before its read was in"


async def test_a_slow_read_holds_a_screens_first_paint_only_so_long(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read slower than HOLD_FOR_READ: the screen is shown meanwhile (the old one is not left
    on the terminal as if the key had done nothing)."""
    pressed, read, painted = await _first_paints_of_reviews(monkeypatch, demo, 1.5)
    assert painted < read, "shown before its read was in"
    assert painted - pressed < 1.0


async def test_a_log_made_at_its_key_is_painted_without_waiting_for_its_count(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a count is slow (a server's), the log's page is painted first and counted after:
    the hold for a screen's first read does not wait for the count."""
    import time

    from sscp_tui.services.tracker import Tracker as TrackerClass

    counting: list[float] = []
    real = demo.count

    def slow(*args: Any, **kwargs: Any) -> Any:
        counting.append(time.perf_counter())
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(demo, "count", slow)
    monkeypatch.setattr(TrackerClass, "counts_quickly", property(lambda _self: False))
    monkeypatch.setattr(app_module, "HOLD_FOR_READ", 5.0)  # (not the hold's end at 0.3 s)
    app = SSCPApp(demo, start="dashboard")
    written: list[float] = []
    display = app._display

    def spied(screen: Any, renderable: Any) -> None:
        if renderable is not None and not app._batch_count and isinstance(screen, LogScreen):
            written.append(time.perf_counter())
        display(screen, renderable)

    monkeypatch.setattr(app, "_display", spied)
    async with app.run_test(size=SIZE) as pilot:
        app._ahead._failed = True  # (the log made at F3)
        await settle(pilot, app)
        await pilot.press("f3")
        await wait_until(pilot, app, lambda: bool(counting) and bool(written))
        assert written[0] < counting[0] + 1.0, "painted while its count went on"
        await settle(pilot, app)
