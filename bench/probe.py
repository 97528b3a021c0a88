"""One measured start of the app (run by bench/run.py in a fresh process each time).

    python bench/probe.py empty|dashboard|log DB AS_OF

Prints "PAINTED <peak RSS in KiB>" the moment the screen is painted and interactive with
its data (for the log: its first page), then leaves at once, so teardown is not counted.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys


def peak_rss_kib() -> int:
    """The peak resident size of this process. VmHWM starts afresh at exec; ru_maxrss does not
    (a child started by a large parent reports the parent's peak), so prefer VmHWM."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass  # not Linux: fall back to getrusage below
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def done() -> None:
    rss = peak_rss_kib()
    sys.stdout.write(f"PAINTED {rss}\n")
    sys.stdout.flush()
    os._exit(0)


async def empty() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Empty(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("empty")
            yield Footer()

    app = Empty()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        done()


async def tracker_app(mode: str, db: str, as_of: str) -> None:
    from datetime import date

    from sscp_tui.app import SSCPApp
    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services.tracker import Tracker

    tracker = Tracker(open_store(db, create=False), Settings(), date.fromisoformat(as_of))
    app = SSCPApp(tracker, start=mode)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_data(app, pilot, mode)
        done()


async def wait_for_data(app, pilot, mode: str) -> None:  # type: ignore[no-untyped-def]
    selector = "#log-table" if mode == "log" else "#matrix-table"
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        tables = app.screen.query(selector)
        if tables and tables.first().row_count:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.001)


if __name__ == "__main__":
    mode = sys.argv[1]
    asyncio.run(empty() if mode == "empty" else tracker_app(mode, sys.argv[2], sys.argv[3]))
