"""One measured start of the app (run by bench/run.py in a fresh process each time).

    python bench/probe.py empty|dashboard|log DB AS_OF

Prints "PAINTED" the moment the screen is painted and interactive with its data (for the log:
its first page). Then, once the store has opened behind it and the screen has read its data
again through the store, "SETTLED <peak RSS in KiB>", and leaves at once, so teardown is not
counted. The peak is taken there, not at the first paint: by then SQLAlchemy is loaded too.
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


def painted() -> None:
    sys.stdout.write("PAINTED\n")
    sys.stdout.flush()


def settled() -> None:
    sys.stdout.write(f"SETTLED {peak_rss_kib()}\n")
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
        painted()
        settled()


async def tracker_app(mode: str, db: str, as_of: str) -> None:
    from datetime import date

    from sscp_tui.cli import quick_app
    from sscp_tui.config import Settings

    # As `sscp-tui --db DB` opens it: the quick way (a first look, the store behind it).
    app = quick_app(db, Settings(), date.fromisoformat(as_of), start=mode)
    assert app is not None, f"{db} cannot be opened the quick way"
    # The first screen asks for the store to be opened once its data has been painted (after
    # the refresh that drew it): that is the moment measured. Opening the store loads
    # SQLAlchemy in a thread, behind the painted and working screen.
    opened = asyncio.Event()
    open_store_behind = app.open_in_background

    def open_in_background() -> None:
        painted()
        open_store_behind()
        opened.set()

    app.open_in_background = open_in_background  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(opened.wait(), 60)
        await app.workers.wait_for_complete()
        app.screen.refresh_data()  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        settled()


if __name__ == "__main__":
    mode = sys.argv[1]
    asyncio.run(empty() if mode == "empty" else tracker_app(mode, sys.argv[2], sys.argv[3]))
