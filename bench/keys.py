"""Every key of every screen, timed from the key to the repaint that shows its result (not run
by the tests; bench/run.py adds its figures at the largest size).

    .venv/bin/python bench/keys.py DB [RUNS] [SCREEN,SCREEN…]   # e.g. agencies,reviews

Each screen is opened (by its F-key; an item by Enter from the log), and each of its own keys
is pressed on it as it opened: once while nothing it opens has been made yet (the first press)
and RUNS times more (later presses). A press is timed from the key (``App.simulate_key``, no
test-harness waits) to the first paint once every worker the key started has finished, or
to the last paint as they finished if nothing was then left to paint: the paint that shows
what the key did. A paint is an update written to the terminal; a refresh
that found nothing to draw is not one. Whatever the key opened (a form, a chooser, another screen)
is then closed with Escape, or left by the screen's own F-key, so that the next key starts from
the same place. The F-keys themselves are timed from the log. Keys that would end the app, and
the command palette's, are left out.

Every key is given something to act on: nine saved views, a meeting recorded for the pack, the
priorities' cursor on an action, the chair's pass begun on every open item; and each press in
the log is made on the log as it opened (no filter, first page, first row; `[` from the third
page), so that one key's filter is not the next key's log. A key that still shows nothing
is reported as such, never as a time.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

AS_OF = date(2026, 11, 28)
SKIPPED = {"q", "ctrl+q", "ctrl+c", "ctrl+p", "ctrl+z"}  # quit, palette, suspend
SCREENS = (("dashboard", ("f2",)), ("log", ("f3",)), ("item", ("f3", "enter")), ("reviews", ("f4",)),
           ("priorities", ("f5",)), ("agencies", ("f6",)), ("chair", ("f7",)), ("pack", ("f8",)))  # fmt: skip
QUIET = 0.08  # seconds with no worker running: the key's work is done
NOTHING_SHOWN = 1.0  # seconds after its work with no paint: the key changed nothing on screen (a
# screen's first visit can take some hundreds of ms to mount before any worker or paint)


@dataclass
class KeyTimes:
    """A key's times in ms; None for a press that showed nothing (no work, no paint)."""

    screen: str
    key: str
    description: str
    first: float | None = None
    later: list[float | None] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [t for t in (self.first, *self.later) if t is not None]

    @property
    def worst(self) -> float:
        return max(self.times, default=0.0)

    @property
    def did_nothing(self) -> bool:
        return not self.times


class Paints:
    """When the screen last painted something (App._display given an update, wrapped). A
    refresh that found nothing to draw is no paint: switching screens makes one of the new
    screen before it is laid out, and counting that timed every F-key at 2-3 ms. Nor is one
    made while paints are held (App._batch_count), which writes nothing."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def install(self) -> None:
        from textual.app import App

        display = App._display
        times = self.times

        def wrapped(app: Any, screen: Any, renderable: Any) -> None:
            held = app._batch_count  # (a paint held, as a screen is being made, writes nothing)
            display(app, screen, renderable)
            if renderable is not None and not held:
                times.append(time.perf_counter())

        App._display = wrapped  # type: ignore[method-assign]


BACKGROUND = {"watch"}  # the look for others' changes every 1.5 s: no key's work


def _shown(app: Any, worker: Any) -> bool:
    """Whether the worker is the app's or a screen's in the stack now shown."""
    return worker.node is app or getattr(worker.node, "screen", None) in app.screen_stack


def _running_on_screen(app: Any) -> frozenset[Any]:
    """(As a key is pressed.) The workers already at work for what is on screen: not the key's."""
    return frozenset(worker for worker in app.workers if not worker.is_finished and _shown(app, worker))


def _busy(app: Any, before: frozenset[Any] = frozenset()) -> bool:
    """Whether a worker is still at work for what is now on screen, other than those in
    ``before``: the key's own, or the read of a screen made ahead that the key has gone to (its
    data is what the user waits for). One reading for a screen made ahead and still out of
    sight is no part of the key's work (sscp_tui.ahead)."""
    return any(
        not worker.is_finished and worker.group not in BACKGROUND and worker not in before and _shown(app, worker)
        for worker in app.workers
    )


HANDED_OVER = 0.005  # seconds: a paint this close before its workers ended showed what they handed over


def _to_paint(app: Any) -> bool:
    """Whether a screen shown has a change not yet painted (or is still being made)."""
    return any(
        not screen.is_mounted
        or screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
        or getattr(screen, "_paint_due", False)
        for screen in app.screen_stack
    )


async def _press(app: Any, paints: Paints, key: str, timeout: float = 20.0) -> float | None:
    """Milliseconds from the key to the first paint after its workers finished (once no
    worker has run for QUIET seconds), or, if there is none and nothing is left to paint, to
    a paint as they ended (within HANDED_OVER): a worker's last act is often to hand its
    result to the screen (call_from_thread), which is painted before the worker is marked
    finished. A key
    whose work repainted nothing counts to the end of its work; None for a key that did no
    work and repainted nothing."""
    before = _running_on_screen(app)
    start = time.perf_counter()
    app.simulate_key(key)
    done_at = start
    while time.perf_counter() - start < timeout:
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        if _busy(app, before):
            done_at = now
            continue
        if now - done_at < QUIET:
            continue
        after = [t for t in paints.times[-50:] if t >= done_at]
        if after and after[0] - done_at <= NOTHING_SHOWN:
            return (after[0] - start) * 1000
        during = [t for t in paints.times[-50:] if done_at - HANDED_OVER <= t < done_at and t > start]
        if during and not _to_paint(app):
            return (during[-1] - start) * 1000
        if now - done_at >= NOTHING_SHOWN:  # nothing repainted
            return (done_at - start) * 1000 if done_at > start else None
    raise SystemExit(f"key {key!r} did not settle in {timeout:.0f} s")


async def _settle(app: Any) -> None:
    """Until no worker is at work, a screen's made ahead out of sight among them: each press
    starts from the same quiet app (a read ahead is part of no key's time; see _busy)."""
    while any(not worker.is_finished and worker.group not in BACKGROUND for worker in app.workers):
        await asyncio.sleep(0.005)
    await asyncio.sleep(QUIET)


async def _back(app: Any, paints: Paints, mode: str, depth: int, opening: tuple[str, ...]) -> None:
    """Back to the screen being measured: Escape out of whatever opened, else its F-key."""
    for _ in range(6):
        if app.current_mode == mode and len(app.screen_stack) == depth:
            return
        from textual.screen import ModalScreen

        if (app.current_mode == mode and len(app.screen_stack) > depth) or isinstance(app.screen, ModalScreen):
            # Wait for the escape to close what it closes: a second one sent before the first
            # has done so would go to the screen under it (closing a form over an item's
            # screen can take a few hundred milliseconds at 100,000 items).
            shown = (app.current_mode, len(app.screen_stack))
            app.simulate_key("escape")
            for _ in range(600):
                await asyncio.sleep(0.005)
                if (app.current_mode, len(app.screen_stack)) != shown:
                    break
        else:
            for key in opening:
                app.simulate_key(key)
                await _settle(app)
        await _settle(app)
    raise SystemExit(
        f"could not return to the {mode} screen (at {app.current_mode}, {len(app.screen_stack)} deep: "
        f"{app.screen!r})"
    )


VIEWS = (("Overdue", {"alert": "overdue"}), ("Due soon", {"alert": "due soon"}), ("Stale", {"alert": "stale"}),
         ("No timescale", {"alert": "no timescale"}), ("AG01 leads", {"agency": "AG01", "lead_only": True}),
         ("AG02", {"agency": "AG02"}), ("Red", {"ratings": ("red",)}), ("Amber, by due date", {"ratings": ("amber",),
         "sort": "due"}), ("Proposals", {"proposals": True}))  # fmt: skip


def _given_something_to_act_on(app: Any) -> None:
    """Nine saved views (1-9 in the log), a meeting to produce a pack for, and (where the
    synthetic log has none) a plan whose priorities have actions to rate."""
    from sscp_tui.db.enums import ItemKind, Rating
    from sscp_tui.services.edits import NewItem
    from sscp_tui.views import SavedView

    app.views.state.views = [SavedView(name=name, **fields) for name, fields in VIEWS]
    app.views.save()
    tracker = app.tracker
    tracker.record_meeting("Case Review Panel", AS_OF)
    if not tracker.plans():
        tracker.save_plan(None, "Strategic plan", "2026-2028")
        plan = tracker.plans()[0]
        for number in ("1", "2", "3"):
            tracker.add_priority(plan.id, number, f"Priority {number}", "What the partnership will change")
        for priority in tracker.plans()[0].priorities:
            tracker.create_items([
                NewItem(ItemKind.ACTION, f"{priority.number}.{n}", f"Action {n} of priority {priority.number}",
                        priority_id=priority.id, lead_agency="AG01", timescale="31/03/2027",
                        due_on=date(2027, 3, 31), rating=Rating.AMBER)
                for n in range(1, 6)
            ])  # fmt: skip


async def _wait_for(app: Any, done: Any, what: str) -> None:
    for _ in range(2000):
        if done():
            await _settle(app)
            return
        await asyncio.sleep(0.005)
    raise SystemExit(f"bench: {what} did not happen (at {app.screen!r})")


async def _ready(app: Any, name: str) -> None:
    """The screen as a user would meet it with something for its keys to act on."""
    screen = app.screen
    if name == "chair":  # the pass begun on every open item (the first scope offered)
        from sscp_tui.screens.forms import ChoiceModal

        if not isinstance(app.screen, ChoiceModal):  # first visited from the log: its chooser closed
            app.simulate_key("s")
        await _wait_for(app, lambda: isinstance(app.screen, ChoiceModal), "the chair's scope chooser")
        app.simulate_key("enter")
        await _wait_for(app, lambda: getattr(app.screen, "detail", None) is not None, "the pass's first item")
    elif name == "priorities":  # the cursor on the first priority's first action
        from textual.widgets import Tree

        tree = screen.query_one(Tree)
        await _wait_for(app, lambda: bool(tree.root.children), "the plans")
        plan = tree.root.children[0]
        priority = next(node for node in plan.children if node.children)
        priority.expand()
        await _settle(app)
        tree.move_cursor(priority.children[0])
        await _settle(app)
    elif name == "log":
        await _log_as_opened(app)


async def _log_as_opened(app: Any, pages_in: int = 0) -> None:
    """The log as it opened: no filter, worst first, the first page (or ``pages_in`` on), the
    cursor on its first row."""
    from sscp_tui.screens.log import PAGE_SIZE
    from sscp_tui.services.records import ItemFilter, SortKey

    screen = app.screen
    screen.table.focus()  # (after `/`, the keys would go on into the search box)
    screen.selected.clear()
    screen.sort, screen.descending = SortKey.ALERTS, False
    screen.build_columns()
    screen.set_filter(ItemFilter())
    await _settle(app)
    if pages_in:
        screen.page_offset = pages_in * PAGE_SIZE
        screen.load()
        await _settle(app)
    screen.table.move_cursor(row=0)
    await _settle(app)


async def measure(
    db: str, runs: int, only: frozenset[str] = frozenset(), home: str | None = None
) -> list[KeyTimes]:
    """``home``, the app's own folder (its views, settings); a temporary one, removed after, if
    not given."""
    if home is None:
        with tempfile.TemporaryDirectory(prefix="sscp-keys-") as folder:
            return await measure(db, runs, only, folder)

    from sscp_tui.app import SSCPApp
    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services.tracker import Tracker

    os.environ["SSCP_TUI_HOME"] = home
    store = open_store(db)
    tracker = Tracker(store, Settings(author="Bench"), AS_OF)
    app = SSCPApp(tracker)
    paints = Paints()
    paints.install()
    found: list[KeyTimes] = []
    async with app.run_test(size=(120, 40)):
        await _settle(app)
        _given_something_to_act_on(app)
        modes = {"f2": "dashboard", "f3": "log", "f4": "reviews", "f5": "priorities", "f6": "agencies",
                 "f7": "chair", "f8": "packs"}  # fmt: skip
        for name, opening in SCREENS:
            for key in opening:
                before = len(app.screen_stack)
                app.simulate_key(key)
                for _ in range(400):  # until the key has taken effect
                    await asyncio.sleep(0.005)
                    if (app.current_mode == modes[key]) if key in modes else len(app.screen_stack) > before:
                        break
                else:
                    print(f"  {key} did not take effect: at {app.screen!r}, focus {app.focused!r}", file=sys.stderr)
                await _settle(app)
            await _ready(app, name)
            mode, depth, screen = app.current_mode, len(app.screen_stack), app.screen
            # The screen's own keys (each has an id: see keymap); not Textual's focus and copy keys.
            keys = [
                (key, bindings[0].description)
                for key, bindings in screen._bindings.key_to_bindings.items()
                if bindings[0].id
            ]
            if name == "log":
                keys += [(key, f"go to {key.upper()}") for key in ("f2", "f4", "f5", "f6", "f7", "f8")]
            for key, description in keys:
                if key in SKIPPED or (only and name not in only):
                    continue
                times = KeyTimes(name, key, description)
                print(f"  {name} ({mode}, {depth} deep): {key}", file=sys.stderr)
                for run in range(runs + 1):
                    if name == "log":  # every press from the log as it opened (`[` from page 3)
                        await _log_as_opened(app, pages_in=2 if key == "left_square_bracket" else 0)
                    took = await _press(app, paints, key)
                    if run == 0:
                        times.first = took
                    else:
                        times.later.append(took)
                    await _back(app, paints, mode, depth, opening)
                found.append(times)
    store.close()
    return found


def shown(ms: float | None) -> str:
    return "nothing shown" if ms is None else f"{ms:.1f}"


def later(t: KeyTimes) -> str:
    times = [ms for ms in t.later if ms is not None]
    return f"{statistics.median(times):.1f}" if times else ("nothing shown" if t.later else "—")


def table(found: list[KeyTimes]) -> str:
    lines = ["| screen | key | what it does | first press | later (median) | worst |", "|---|---|---|---|---|---|"]
    for t in found:
        lines.append(f"| {t.screen} | {t.key} | {t.description} | {shown(t.first)} | {later(t)} | "
                     f"{shown(t.worst if t.times else None)} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    db = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    only = frozenset(sys.argv[3].split(",")) if len(sys.argv) > 3 else frozenset()
    found = asyncio.run(measure(db, runs, only))
    print(table(found))
    slowest = sorted(found, key=lambda t: -t.worst)[:5]
    print("\nSlowest five:", "; ".join(f"{t.screen} {t.key} {t.worst:.0f} ms" for t in slowest))
    over = [t for t in found if t.worst > 100]
    print(f"Over 100 ms at their worst: {len(over)} of {len(found)}")
    nothing = [f"{t.screen} {t.key}" for t in found if t.did_nothing]
    if nothing:
        print("Showed nothing:", ", ".join(nothing))


if __name__ == "__main__":
    main()
