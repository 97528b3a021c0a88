"""What the first screen says: that the demo is a demo, and what to do with an empty tracker."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
import types
import weakref
from pathlib import Path

import pytest
from textual.screen import ModalScreen

import sscp_tui.app as app_module
from sscp_tui import collection
from sscp_tui.app import DEMO_BANNER, SSCPApp
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.navbar import NavBar
from tests.functional.screen_helpers import settle, static_text


async def test_the_demo_says_it_is_a_demo_on_every_screen(demo: Tracker) -> None:
    app = SSCPApp(demo, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for key in ("f2", "f3", "f4", "f5", "f6", "f8"):
            await pilot.press(key)
            await settle(pilot, app)
            assert app.sub_title.startswith(DEMO_BANNER), key


async def test_a_partnerships_own_tracker_is_not_called_a_demo(demo: Tracker) -> None:
    app = SSCPApp(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "Demo" not in app.sub_title
        assert not app.screen.query_one("#dash-empty").display  # a tracker with items


async def test_an_empty_trackers_first_screen_says_what_to_do(tracker: Tracker) -> None:
    app = SSCPApp(tracker)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        hint = app.screen.query_one("#dash-empty")
        assert hint.display
        said = static_text(app, "#dash-empty")
        assert "This tracker is empty" in said and "press i" in said and "F4" in said
        await pilot.press("i")  # as it says: the import's first question
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal) and app.screen.query_one("#field-file")


async def test_a_keymap_that_gives_one_key_two_meanings_is_said_at_start(demo: Tracker) -> None:
    from dataclasses import replace

    settings = replace(demo.settings, keymap=(("item.rate_green", "a"), ("made.up", "z")))
    app = SSCPApp(Tracker(demo.store, settings, demo.as_of))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        said = [str(n.message) for n in app._notifications]
        assert any(
            "gives a to both 'item.rate_green' and 'item.rate_amber' on the Log screen" in s for s in said
        )
        assert any("names 'made.up', which is no key's id" in s for s in said)


async def test_a_keymap_without_clashes_is_used_and_nothing_is_said(demo: Tracker) -> None:
    from dataclasses import replace

    settings = replace(demo.settings, keymap=(("item.rate_green", "G"),))
    app = SSCPApp(Tracker(demo.store, settings, demo.as_of), start="log")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert not any("keymap" in str(n.message) for n in app._notifications)
        await pilot.press("G")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal) and app.screen.form_title.endswith("Green")


def test_once_settled_start_ups_objects_are_set_aside_from_the_collectors_full_passes(tmp_path: Path) -> None:
    """At 100,000 items a full pass of the garbage collector walked some 150,000 objects made
    at start-up, holding every key for 70-110 ms every few keys; once the app has settled they
    are frozen (checked in a process of its own: the test process is shared)."""
    script = f"""
import asyncio, gc
import sscp_tui.app as app_module
from sscp_tui.app import SSCPApp
from sscp_tui.db.store import open_store
from sscp_tui.config import Settings
from sscp_tui.services.tracker import Tracker
app_module.SETTLED_SECONDS = 0.2
app = SSCPApp(Tracker(open_store({str(tmp_path / "t.sqlite3")!r}), Settings(author="T")))
async def main():
    before = gc.get_freeze_count()
    async with app.run_test() as pilot:
        await pilot.pause(0.6)
        print(before, gc.get_freeze_count())
asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    before, after = (int(n) for n in done.stdout.split())
    assert before == 0 and after > 10_000


async def test_the_collectors_full_passes_wait_for_a_lull_in_the_keys(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full pass walked every screen, form and painted line kept since start, holding the
    key it fell on for 100-330 ms after an hour's use at 100,000 items: the app makes it when
    no key has come for a while, and puts the collector's own thresholds back as it closes."""
    monkeypatch.setattr(app_module, "COLLECT_SECONDS", 0.05)
    monkeypatch.setattr(collection, "IDLE_SECONDS", 0.6)
    found = gc.get_threshold()
    full_passes: list[float] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full_passes.append(time.monotonic())

    app = SSCPApp(demo, start="log")
    gc.callbacks.append(seen)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            # (Nothing made ahead: screens made once the app has settled would come between
            # the keys below, and stretch the test's waits for them into lulls.)
            app._ahead._failed = True
            await settle(pilot, app)
            assert gc.get_threshold()[2] == collection.NEVER  # the collector makes none of its own
            gc.collect(1)  # something has reached the oldest generation
            full_passes.clear()
            for _ in range(6):  # keys 0.1 s apart: no lull
                await pilot.press("j")
                await pilot.pause(0.1)
            assert not full_passes
            typed = app._collection.last_input  # as the app took the last key in
            await pilot.pause(1.5)  # a lull
            assert full_passes and full_passes[0] - typed >= 0.55
    finally:
        gc.callbacks.remove(seen)
    assert gc.get_threshold() == found


def test_a_full_pass_is_made_in_a_lull_or_in_a_gap_after_a_long_run_of_keys() -> None:
    idle = collection.IdleCollection()
    found = gc.get_threshold()
    idle.start()
    try:
        gc.collect(1)
        idle.input()
        assert not idle.tick()  # a key just now
        idle.last_input -= collection.IDLE_SECONDS
        assert idle.tick()  # a lull
        assert gc.get_freeze_count(), "what survived is set aside from the next passes"
        assert not idle.tick()  # nothing new since that pass
        gc.collect(1)
        idle.input()
        idle.last_pass -= collection.LATEST_SECONDS
        assert not idle.tick(), "keys without a lull: not while they come"
        idle.last_input -= collection.GAP_SECONDS
        assert idle.tick(), "... but in the first gap between them"
        gc.collect(1)
        idle.input()
        idle.last_pass -= collection.LONGEST_SECONDS
        assert idle.tick(), "and at the latest, at once"
    finally:
        idle.stop()
    assert gc.get_threshold() == found
    assert not gc.get_freeze_count(), "what its passes set aside is let go as the app closes"


class Ring:
    """Refers to itself: only the collector can free it."""

    def __init__(self) -> None:
        self.me = self


def test_a_cycle_set_aside_by_a_pass_is_freed_once_the_user_has_stepped_away() -> None:
    idle = collection.IdleCollection()
    idle.start()
    try:
        ring = Ring()
        gone = weakref.ref(ring)
        gc.collect(1)
        idle.last_input -= collection.IDLE_SECONDS
        assert idle.tick()  # the ring survives the pass, and is set aside
        del ring
        gc.collect(1)
        idle.last_input -= collection.IDLE_SECONDS
        assert idle.tick()
        assert gone() is not None, "a pass does not walk what an earlier one set aside"
        idle.last_reclaim -= collection.RECLAIM_AFTER_SECONDS
        idle.last_input -= collection.RECLAIM_IDLE_SECONDS
        assert idle.tick()
        assert gone() is None, "the whole heap walked again, and the ring freed"
    finally:
        idle.stop()


def test_a_painted_line_left_whole_is_not_kept_in_its_own_caches() -> None:
    """Textual's line cropped or divided to itself kept itself in its own cache, a cycle for
    the collector to find; the results are Textual's own."""
    from rich.segment import Segment
    from rich.style import Style
    from textual.strip import Strip

    collection.break_strip_cycles()
    red = Style(color="red")

    def line() -> Strip:
        return Strip([Segment("Overdue ", red), Segment("60 days")])

    whole = line()
    assert whole.crop_extend(0, whole.cell_length, None) is whole
    assert list(whole.divide([whole.cell_length, whole.cell_length + 5])) == [whole]
    for cache in (whole._crop_extend_cache, whole._divide_cache, whole._crop_cache):
        assert whole not in cache._cache.values() and [whole] not in cache._cache.values()
    referrers = [r for r in gc.get_referrers(whole) if not isinstance(r, types.FrameType)]
    assert referrers == [], "freed by reference counting alone"

    for start, end in ((0, 5), (3, 15), (2, 30), (0, 30)):
        assert line().crop_extend(start, end, red) == line().extend_cell_length(end, red).crop(start, end)
    assert [strip.text for strip in line().divide([3, 8, 15])] == ["Ove", "rdue ", "60 days"]


async def test_a_screens_first_visits_do_not_parse_the_whole_stylesheet_again(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual took each screen, made at its first visit, for one whose styles were out of date,
    and parsed and applied the whole stylesheet again at that visit and the next (50-60 ms
    each); with the theme unchanged, no visit does, and each screen is styled as it should be."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        refreshed: list[str] = []
        real = app.refresh_css
        monkeypatch.setattr(
            app, "refresh_css", lambda animate=True: (refreshed.append(app.current_mode), real(animate))
        )
        for key in ("f2", "f4", "f5", "f6", "f7", "f8", "f3") * 2:
            await pilot.press(key)
            await settle(pilot, app)
            if isinstance(app.screen, ModalScreen):  # the chair's choice of items
                await pilot.press("escape")
                await settle(pilot, app)
            bar = app.screen.query_one(NavBar)
            assert bar.size.height == 1 and bar.styles.background.a > 0, key  # styled as its CSS says
        assert refreshed == []
