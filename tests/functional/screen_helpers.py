"""Helpers for driving the app with Pilot and reading what the screen shows."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sscp_tui.widgets.rowtable import RowTable


def plain(renderable: Any) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def static_text(app: Any, selector: str) -> str:
    return plain(app.screen.query_one(selector, Static).content)


def table_rows(table: DataTable[Any] | RowTable) -> list[list[str]]:
    return [
        [getattr(cell, "plain", str(cell)) for cell in table.get_row_at(i)] for i in range(table.row_count)
    ]


def column(table: DataTable[Any] | RowTable, key: str) -> list[str]:
    keys = [getattr(k, "value", k) for k in table.columns]
    index = keys.index(key)
    return [row[index] for row in table_rows(table)]


async def settle(pilot: Pilot[Any], app: Any, rounds: int = 3) -> None:
    """Let workers finish and the screen repaint."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def wait_until(pilot: Pilot[Any], app: Any, done: Any, *, seconds: float = 20.0) -> None:
    """Let workers run and the screen repaint until ``done()`` holds (a worker a screen starts as
    it mounts may not exist yet when the first wait for workers returns)."""
    import time

    ends = time.monotonic() + seconds
    while not done():
        if time.monotonic() > ends:
            raise AssertionError("the screen did not reach the state waited for")
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)


async def open_log(pilot: Pilot[Any], app: Any) -> Any:
    """The log (F3), once it has drawn its first page: its table."""
    from sscp_tui.screens.log import LogTable

    await pilot.press("f3")
    await settle(pilot, app)
    return app.screen.query_one("#log-table", LogTable)
