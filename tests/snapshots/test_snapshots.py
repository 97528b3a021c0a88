"""Snapshots of the main screens on the demo data at a fixed as-of date (Textual is pinned)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from sscp_tui.app import SSCPApp
from sscp_tui.screens import log as log_module
from sscp_tui.services.tracker import Tracker

SIZE = (130, 40)


@pytest.fixture
def app(demo: Tracker) -> SSCPApp:
    return SSCPApp(demo)


def steady(*keys: str) -> Any:
    """Before the snapshot: a fixed subtitle (the temp path varies), no blinking, workers done."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.sub_title = "demo partnership"
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        # The log's detail pane paints once the cursor has rested, then reads the latest update.
        await pilot.pause(log_module.DETAIL_PAUSE + 0.15)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dashboard", ()),
        ("log", ("f3",)),
        ("item", ("f3", "enter")),
        ("reviews", ("f4",)),
        ("priorities", ("f5",)),
        ("agencies", ("f6",)),
        ("chair_pass", ("f7", "enter")),
        ("help", ("f3", "question_mark")),
    ],
)
def test_screen(snap_compare: Any, app: SSCPApp, name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(*keys))


@pytest.mark.parametrize("keys", [(), ("f3",)], ids=["dashboard", "log"])
def test_light_theme(snap_compare: Any, app: SSCPApp, keys: tuple[str, ...]) -> None:
    app.theme = "textual-light"
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(*keys))


@pytest.mark.parametrize("size", [(80, 24), (60, 15)], ids=["80x24", "60x15"])
@pytest.mark.parametrize(("name", "keys"), [("log", ("f3",)), ("chair_pass", ("f7", "enter"))])
def test_small_terminals(
    snap_compare: Any, app: SSCPApp, name: str, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steady(*keys))
