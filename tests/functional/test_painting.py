"""A change is painted as soon as the screen has nothing more to do (see PaintsPromptly), not
at the next turn of Textual's paint timer, which came 17-33 ms after a paint."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.screen import UPDATE_PERIOD

from sscp_tui.app import SSCPApp
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle


def painted(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When the app has written an update to the terminal, from now on."""
    times: list[float] = []
    display = App._display

    def counted(app: Any, screen: Any, renderable: Any) -> None:
        display(app, screen, renderable)
        if renderable is not None:
            times.append(time.monotonic())

    monkeypatch.setattr(App, "_display", counted)
    return times


def change(screen: Any) -> None:
    """The log's table changed, and its screen told, as Textual does in the table's next turn."""
    screen.table.refresh()
    screen._dirty_widgets.add(screen.table)


async def test_a_change_is_painted_at_the_screens_next_idle_moment(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        monkeypatch.setattr(screen._update_timer, "resume", lambda: None)  # Textual's timer never runs
        paints = painted(monkeypatch)
        screen._painted_at = time.monotonic() - UPDATE_PERIOD  # a frame since the last paint
        change(screen)
        await screen._on_idle(events.Idle())
        assert len(paints) == 1, "painted there and then"

        # Within a frame of that paint, another change waits for the frame to be up: then it
        # is painted, with Textual's timer still stopped.
        painted_at = screen._painted_at = time.monotonic()  # (a slow paint took its frame)
        change(screen)
        await screen._on_idle(events.Idle())
        assert len(paints) == 1 and screen._paint_due
        for _ in range(400):  # (not Pilot's pause: it paints, as Textual's timer would)
            await asyncio.sleep(0.005)
            if len(paints) == 2:
                break
        assert len(paints) == 2, "painted once the frame was up"
        assert paints[1] - painted_at >= UPDATE_PERIOD * 0.9, "no more than Textual's frames a second"
