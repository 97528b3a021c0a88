"""The Textual application. It receives a Tracker (the service layer) in its constructor, or an
``Opening``: a tracker file to open in the background once a first look has been painted."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, work
from textual.app import App, ScreenStackError, UnknownModeError
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from sscp_tui.ahead import AHEAD_EVERY, Ahead
from sscp_tui.collection import IdleCollection, break_strip_cycles, set_aside_start_up
from sscp_tui.commands import JumpProvider
from sscp_tui.config import Settings
from sscp_tui.errors import EditError, StoreError, TrackerBusy, TrackerDamaged
from sscp_tui.paths import app_paths
from sscp_tui.resources import stylesheet
from sscp_tui.screens.base import TrackerModal, user_message
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.first_look import FirstLook, Opening
from sscp_tui.services.records import AgencyRecord, ChangeResult, ItemFilter, OtherChange
from sscp_tui.text_safety import shown
from sscp_tui.views import ViewBook
from sscp_tui.widgets.rating import RATING_VARIABLES

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import AwaitMount

    from sscp_tui.services.tracker import Tracker

T = TypeVar("T")

DEMO_BANNER = "Demo partnership — rebuilt daily, changes are discarded"
WATCH_SECONDS = 1.5  # how often the tracker is looked at for another user's changes
SAY_CHANGE_SECONDS = 10.0  # how long the header names who made the change
TERMINAL_SECONDS = 2.0  # how often the app checks that its terminal is still there
# Seconds after start when what start-up made (Textual, SQLAlchemy, the stylesheet, the first
# screen: some 150,000 objects at 100,000 items) is set aside from the garbage collector's
# full passes, which otherwise walked it all: 70-110 ms a pass, a pass every few keys.
SETTLED_SECONDS = 3.0
# A screen's first showing waits for its first read (see SSCPApp._hold_until_read) this long at
# most, looking this often.
HOLD_FOR_READ = 0.3
HOLD_LOOK_EVERY = 0.004
# The F-keys' screens, in the order they are made ahead (the commonest first).
AHEAD_MODES = ("log", "dashboard", "reviews", "agencies", "priorities", "packs", "chair")
COLLECT_SECONDS = 0.1  # how often the app looks for a lull (or a gap) to make the collector's full pass in


def _screen(name: str) -> Callable[[], Any]:
    """Screens are imported when first shown, which keeps start-up quick."""

    def make() -> Any:
        import importlib

        module_name, class_name = name.rsplit(".", 1)
        screen = getattr(importlib.import_module(f"sscp_tui.screens.{module_name}"), class_name)()
        # Made now, the screen is styled by the stylesheet as it is now. Textual would take it
        # for one whose styles are out of date, and parse and apply the whole stylesheet again
        # at its first two visits (50-60 ms each): only a change of theme needs that.
        screen._css_update_count = screen.app._css_update_count
        return screen

    return make


def _own_bindings(app: App[Any]) -> list[Binding]:
    return [binding for binding in app.BINDINGS if isinstance(binding, Binding)]


def _what_was_saved(said: str) -> str:
    """A saved change named as its message said it: "Saved: Blue for SCR Child D 1.1." gives
    "Blue for SCR Child D 1.1"."""
    what = said.strip().removeprefix("Saved:").removeprefix("Saved").strip().rstrip(".")
    what = re.sub(r"\s*\((?:recorded|the reversal)[^()]*\)$", "", what)  # "(recorded in history…)"
    return what or "your last change"


def _ago(seconds: float) -> str:
    if seconds < 60:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''} ago"


class SSCPApp(App[None]):
    TITLE = "sscp-tui"
    COMMANDS: ClassVar = App.COMMANDS | {JumpProvider}
    MODES: ClassVar = {
        "dashboard": _screen("dashboard.DashboardScreen"),
        "log": _screen("log.LogScreen"),
        "reviews": _screen("reviews.ReviewsScreen"),
        "priorities": _screen("priorities.PrioritiesScreen"),
        "agencies": _screen("agencies.AgenciesScreen"),
        "chair": _screen("chair.ChairPassScreen"),
        "packs": _screen("packs.PackScreen"),
    }
    SCREEN_NAMES: ClassVar = {
        "Dashboard": "dashboard",
        "Log": "log",
        "Reviews": "reviews",
        "Priorities": "priorities",
        "Agencies": "agencies",
        "Chair's pass": "chair",
        "Meeting pack": "packs",
    }
    BINDINGS: ClassVar = [
        Binding("f2", "switch_mode('dashboard')", "Dashboard", id="go.dashboard", show=False),
        Binding("f3", "switch_mode('log')", "Log", id="go.log", show=False),
        Binding("f4", "switch_mode('reviews')", "Reviews", id="go.reviews", show=False),
        Binding("f5", "switch_mode('priorities')", "Priorities", id="go.priorities", show=False),
        Binding("f6", "switch_mode('agencies')", "Agencies", id="go.agencies", show=False),
        Binding("f7", "switch_mode('chair')", "Chair's pass", id="go.chair", show=False),
        Binding("f8", "switch_mode('packs')", "Pack", id="go.packs", show=False),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("u", "undo", "Undo", id="app.undo", show=False),
        Binding("q", "quit", "Quit", id="app.quit", show=False),
    ]

    def __init__(
        self,
        tracker: Tracker | Opening,
        welcome: str | None = None,
        start: str = "dashboard",
        *,
        demo: bool = False,
    ) -> None:
        # The stylesheet is looked up, and checked, when an app is made: a broken install
        # is then one sentence (sscp_tui.resources) rather than Textual's error at start.
        super().__init__(css_path=str(stylesheet()))
        if isinstance(tracker, Opening):
            self._tracker: Tracker | None = None
            self._opening: Opening | None = tracker
            self.settings: Settings = tracker.settings
            self.location = tracker.location
            self._as_of = tracker.as_of
        else:
            self._tracker, self._opening = tracker, None
            self.settings, self.location = tracker.settings, tracker.store.location
            self._as_of = None  # the tracker's own is used
        self._open_lock = threading.Lock()
        self._looked = False
        self.welcome = welcome
        self.demo = demo  # the demo partnership: said on every screen
        self.start_mode = start if start in self.MODES else "dashboard"
        self.undo_stack: list[ChangeResult] = []
        self._undo_said: dict[str, tuple[str, float]] = {}  # batch -> what was saved, and when
        self.data_version = 0  # moves on with every saved change, so screens know to reload
        self.views = ViewBook(app_paths().views_file, self.location)
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        self._keymap_said = False
        break_strip_cycles()
        self._collection = IdleCollection()
        self._ahead = Ahead(
            self,
            lambda: self._collection.last_input,
            lambda: self._tracker is not None,
            self._make_screen_ahead,
            self._make_item_screen_ahead,
        )
        self.log_filter_to_open: ItemFilter | None = None  # see open_log
        self._switching_to_made = False  # see switch_mode
        self._switching = False  # (within switch_mode)
        self._hold_for_reads = False  # see delay_update: not for the first screen
        self._has_settled = False  # see _settled: SETTLED_SECONDS after mounting

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):  # a key or the mouse: not the time for a full pass
            self._collection.input()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self._collection.stop()

    # --- the tracker -----------------------------------------------------------------------
    @property
    def tracker(self) -> Tracker:
        """The service layer. Opened here, on whichever thread first needs it, when the app was
        given an Opening and the background open has not finished yet."""
        tracker = self._tracker
        if tracker is None:
            with self._open_lock:
                if self._tracker is None:
                    assert self._opening is not None
                    self._tracker = self._opening.open_tracker()
                    self._say_notices(self._tracker)
                tracker = self._tracker
        return tracker

    @property
    def as_of(self) -> date:
        """The day alerts are judged on, known before the store is open."""
        if self._tracker is not None:
            return self._tracker.as_of
        return self._as_of or date.today()

    @property
    def rules(self) -> AlertRules:
        if self._tracker is not None:
            return self._tracker.rules
        return AlertRules.of(self.settings, self.as_of)

    def first_look(self) -> FirstLook | None:
        """Plain sqlite3 reads for the first screen, given once, and only while the store is
        not open yet. The screen paints from them, then calls ``open_in_background``."""
        if self._looked or self._tracker is not None or self._opening is None:
            return None
        self._looked = True
        return self._opening.look

    def open_in_background(self) -> None:
        if self._tracker is None:
            self._open_tracker()

    @work(thread=True, exclusive=True, group="open-tracker", exit_on_error=False)
    def _open_tracker(self) -> None:
        # A failure is reported by on_worker_state_changed; the next use tries again.
        self.tracker  # noqa: B018 - opening it is the point

    def close_tracker(self) -> None:
        """Close the store, if it was opened (waiting for a background open to finish)."""
        with self._open_lock:
            if self._tracker is not None:
                self._tracker.store.close()

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(RATING_VARIABLES)

    async def action_quit(self) -> None:
        """Quit; a form with something typed in it asks first, so ctrl+q never loses it."""
        from sscp_tui.screens.forms import ConfirmModal, FormModal

        typed = [s for s in self.screen_stack if isinstance(s, FormModal) and s.changed]
        if not typed:
            self.exit()
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.exit()

        title = typed[-1].form_title
        self.push_screen(ConfirmModal(f"Quit, losing what you typed in '{title}'? It is not saved."), answer)

    def _say_notices(self, tracker: Tracker) -> None:
        """What the store has to tell once open (a backup not taken, an upgrade's copy), from
        whichever thread opened it."""
        for notice in tracker.store.notices:
            if self._thread_id == threading.get_ident():
                self.notify(notice, severity="warning", markup=False, timeout=10)
            else:
                self.call_from_thread(self.notify, notice, severity="warning", markup=False, timeout=10)

    def on_mount(self) -> None:
        reading = self._opening.read_only if self._opening is not None else self.tracker.store.read_only
        # Who history will record, where changes can be made (--author, settings, role, login).
        author = shown(self.settings.author)
        # Who first: a long location (a server's URL) is what a narrow header cuts.
        self.sub_title = f"read-only · {self.location}" if reading else f"{author} · {self.location}"
        if self.demo:  # never mistaken for a partnership's own log, on any screen
            self.sub_title = f"{DEMO_BANNER} · {self.sub_title}"
        self._sub_title = self.sub_title
        self._say_keymap_problems()
        # The first look at once: what is already in the tracker as the app opens is not news,
        # and a change saved elsewhere a moment later must be.
        self._watch_for_changes()
        self.set_interval(WATCH_SECONDS, self._watch_for_changes)
        self.set_timer(SETTLED_SECONDS, self._settled)
        self._collection.start()
        self.set_interval(COLLECT_SECONDS, self._collection.tick)
        self.set_interval(AHEAD_EVERY, self._ahead.tick)
        stdin = sys.__stdin__
        if not self.is_headless and stdin is not None and stdin.isatty():
            self.set_interval(TERMINAL_SECONDS, lambda: self._check_terminal(stdin.fileno()))
        if self._tracker is not None:
            self._say_notices(self._tracker)
        # The first screen is painted as soon as it can be, from a first look (see first_look).
        self.switch_mode(self.start_mode)
        self._hold_for_reads = True
        if self.welcome:
            self.notify(self.welcome, markup=False)
        if self.views.warning:
            self.notify(self.views.warning, severity="warning", markup=False)

    # --- navigation ------------------------------------------------------------------------
    def switch_mode(self, mode: str) -> AwaitMount:
        """Textual's switch, without its hold on every paint for 50 ms after it where the
        mode's screen is made already (see delay_update)."""
        stack = self._screen_stacks.get(mode) or []
        self._switching_to_made = bool(stack) and stack[-1].is_mounted  # (not one still being made ahead)
        self._switching = True
        try:
            return super().switch_mode(mode)
        finally:
            self._switching_to_made = self._switching = False

    def delay_update(self, delay: float = 0.05) -> None:
        # Textual holds every paint for 50 ms after a switch of mode, to hide a screen being
        # made. Every F-key and every Enter that opens the log waited for it: a screen seen
        # before was drawn, and its data read, in 10-30 ms, then shown only once the 50 ms had
        # passed. A screen not yet made is still hidden while it is made.
        if not self._switching_to_made:
            super().delay_update(delay)
            if self._switching and self._hold_for_reads:  # (not Textual's other holds: the palette's)
                self._hold_until_read(delay)

    def _hold_until_read(self, delay: float) -> None:
        """(A screen being made, after the first.) Paints stay held past Textual's ``delay`` for
        as long as the screen now on top is still making itself or reading what it shows (not
        what it reads once that is painted: its READS_AFTER_PAINT), up to HOLD_FOR_READ: it is
        shown once, with its data, rather than painted empty and then filled. At 100,000 items
        the log made at the dashboard's Enter read its page (13 ms alone) in 50 ms, sharing the
        interpreter with three paints of an empty log."""
        self._begin_batch()
        began = time.monotonic()

        def end() -> None:
            try:
                screen: Screen[Any] | None = self.screen
            except (ScreenStackError, UnknownModeError):
                screen = None  # (the app closing)
            after: frozenset[str] = getattr(screen, "READS_AFTER_PAINT", frozenset())
            reading = screen is not None and (
                not screen.is_mounted
                or any(
                    worker.node is screen and not worker.is_finished and worker.group not in after
                    for worker in self.workers
                )
            )
            if reading and self.is_running and time.monotonic() - began < HOLD_FOR_READ:
                self.set_timer(HOLD_LOOK_EVERY, end, name="hold until read")
                return
            self._end_batch()
            if not self._batch_count and screen is not None:
                screen.refresh()

        self.set_timer(delay, end, name="hold until read")

    def ahead_wait(self) -> float:
        """Seconds before what is being made ahead may go on (see Ahead.wait)."""
        return self._ahead.wait()

    def _settled(self) -> None:
        set_aside_start_up()
        self._has_settled = True

    def _make_screen_ahead(self) -> bool:
        """(The app idle: see sscp_tui.ahead.) The next F-key's screen not yet made, made now
        out of sight, its data read; its first visit is then as quick as a return to it
        (it reloads as on a return, if the tracker or the day has changed since it was made).
        Whether one was made. None is made before the app has settled: a screen made then
        competed with start-up, and with the terminal going in its first seconds (Textual's
        writer could be left waiting on a terminal no one read, and the app never left)."""
        if not self._has_settled:
            return False
        for mode in AHEAD_MODES:
            if mode not in self._screen_stacks:
                # Textual's own first step of a switch to a mode, without the switch.
                self._init_mode(mode)
                return True
        return False

    def _make_item_screen_ahead(self) -> bool:
        """(As _make_screen_ahead.) The item's screen, kept and given every item opened (see
        forms.reused), with no item yet; whether it was made."""
        from sscp_tui.screens.forms import made_ahead
        from sscp_tui.screens.item import ItemScreen

        if not self._has_settled or self.is_screen_installed(ItemScreen.KEPT_AS):
            return False  # (asked at every look: no screen made only to be let go)
        return made_ahead(self, ItemScreen(0))

    def open_log(self, item_filter: ItemFilter) -> None:
        def show() -> None:
            from sscp_tui.screens.log import LogScreen

            while len(self.screen_stack) > 1 and not isinstance(self.screen, LogScreen):
                self.pop_screen()
            log = self.screen
            if isinstance(log, LogScreen) and log.is_mounted and self.log_filter_to_open is not None:
                pending, self.log_filter_to_open = self.log_filter_to_open, None
                log.set_filter(pending)

        # The log opens on this filter, rather than reading its whole first page only to
        # read the filtered one after it: a log made now takes it as it mounts, and one made
        # before as it comes on top (LogScreen.on_mount, on_screen_resume); one under a
        # dialog, once the dialog is closed (show, above).
        self.log_filter_to_open = item_filter
        self._uncover_log()
        self.switch_mode("log")
        self.call_after_refresh(show)

    def _uncover_log(self) -> None:
        """(Before a switch to the log from another mode.) What was left open over the log
        (an item's screen) is taken off as the log is gone back to, not shown first, perhaps
        reloaded, and then taken off (40-80 ms at 100,000 items)."""
        from sscp_tui.screens.base import TrackerScreen
        from sscp_tui.screens.log import LogScreen

        stack = self._screen_stacks.get("log")
        if self._current_mode == "log" or not stack:
            return  # (show, in open_log, takes them off the stack on top)
        # A screen of the app's (an item's), not a dialog: a form may still be saving, and is
        # left for the log to take off once it is on top (open_log's show), as before.
        while (
            len(stack) > 1 and isinstance(stack[-1], TrackerScreen) and not isinstance(stack[-1], LogScreen)
        ):
            screen = stack.pop()
            screen._pop_result_callback()  # as pop_screen does: it closes with no result
            self.call_later(self._replace_screen, screen)  # removed (a form kept stays)

    def add_items_to(self, review_id: int) -> None:
        """The Reviews screen, with the form adding to that review open over it."""

        def show() -> None:
            from sscp_tui.screens.authoring import Where, add_items
            from sscp_tui.screens.reviews import ReviewsScreen

            review = next((r for r in self.tracker.reviews(with_counts=False) if r.id == review_id), None)
            if isinstance(self.screen, ReviewsScreen) and review is not None:
                add_items(self.screen, Where.review(review))

        self.switch_mode("reviews")
        self.call_after_refresh(show)

    def open_item(self, item_id: int) -> None:
        """An item chosen in the command palette: opened from the screen under it."""
        from sscp_tui.screens.base import TrackerScreen
        from sscp_tui.screens.item import ItemScreen

        if isinstance(self.screen, TrackerScreen):
            self.screen.open_item(item_id)  # read first, then shown whole
        else:
            self.push_screen(ItemScreen(item_id))

    def my_agency(self) -> AgencyRecord | None:
        name = self.views.state.my_agency or self.settings.default_agency
        if not name:
            return None
        try:
            return self.tracker.find_agency(name)
        except EditError:
            return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A dialog asking something is answered or cancelled before going anywhere else: the
        # command palette over one could close it out of turn, or leave its question open on
        # another screen. (The help, which asks nothing, keeps it.)
        if action == "command_palette" and isinstance(self.screen, TrackerModal):
            return False
        return super().check_action(action, parameters)

    def action_help(self) -> None:
        from sscp_tui.screens.help import HelpScreen, bindings_of

        screen = self.screen
        self.push_screen(HelpScreen(screen.title or type(screen).__name__, bindings_of(screen)))

    # --- others' changes ---------------------------------------------------------------------
    # Another user's change reaches the screen without a key pressed: every WATCH_SECONDS the
    # newest history id is read (one look-up of an index); only when it has moved on, and not
    # by this user's own changes, does the screen on top reload — keeping its cursor, its
    # selection and any form open over it — and the header say who changed what, when.
    _seen_change: int | None = None
    _watching = False
    _said_until = 0.0

    def _say_keymap_problems(self) -> None:
        """A keymap that gives one key two meanings on a screen, or names no key, said at start."""
        if not self.settings.keymap or self._keymap_said:
            return
        from sscp_tui.screens.keymap_check import keymap_problems

        self._keymap_said = True
        for problem in keymap_problems(dict(self.settings.keymap), _own_bindings(self)):
            self.notify(problem, severity="warning", markup=False, timeout=20)

    @property
    def looked_at(self) -> int | None:
        """The change marker of what the screens show: the newest change looked at, whose
        others' changes have reached the screen on top (None before the first look)."""
        return self._seen_change

    def _check_terminal(self, fd: int) -> None:
        """Leave when the terminal has gone (its window closed, the connection dropped) with no
        hangup signal reaching the app, as when it runs under make or another program that
        takes the signal itself. Textual's input would otherwise read nothing from the dead
        terminal over and over, at full CPU, for as long as the machine stays up. Every change
        is saved as it is made, so nothing is lost by leaving."""
        if not os.isatty(fd):
            logging.getLogger(__name__).warning("The terminal has gone; sscp-tui is closing.")
            self.exit(return_code=1)

    def _watch_for_changes(self) -> None:
        if self._tracker is None or self._watching:  # not open yet, or the last look goes on
            return
        self._watching = True
        self._look_for_changes()

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def _look_for_changes(self) -> None:
        from sqlalchemy.exc import DBAPIError  # loaded by now: the tracker is open

        try:
            newest, others = self.tracker.changes_since(self._seen_change)
        except (StoreError, DBAPIError) as exc:  # the server gone a moment: looked for again
            logging.getLogger(__name__).warning("Looking for others' changes failed: %s", exc)
            return
        finally:
            self._watching = False
        self._seen_change = newest
        if others:
            self.call_from_thread(self._arrived_from_elsewhere, others[-1])

    def _arrived_from_elsewhere(self, change: OtherChange) -> None:
        self.data_version += 1  # every screen reloads as it is come back to
        screen = self.screen
        refresh = getattr(screen, "refresh_for_others", None)
        if refresh is not None:  # a form open on top is left as it is; its screen reloads after
            refresh()
            mark = getattr(screen, "mark_seen", None)
            if mark is not None:
                mark()
        self.sub_title = f"updated by {shown(change.author)} {change.at:%H:%M} · {self._sub_title}"
        self._said_until = time.monotonic() + SAY_CHANGE_SECONDS
        self.set_timer(SAY_CHANGE_SECONDS, self._quiet_header)

    def _quiet_header(self) -> None:
        if time.monotonic() >= self._said_until - 0.05:
            self.sub_title = self._sub_title

    # --- undo ------------------------------------------------------------------------------
    def remember(self, result: ChangeResult, said: str = "") -> None:
        """A saved change: on the undo list, with what was said of it (to name it by)."""
        self.data_version += 1
        if result.changed:
            self.undo_stack.append(result)
            self._undo_said[result.batch] = (_what_was_saved(said), time.monotonic())

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo in this session.", severity="warning")
            return
        change = self.undo_stack.pop()
        if change.not_undoable:
            # Said, and taken off the list: otherwise u would quietly reverse an older change.
            self.notify(f"{change.not_undoable} Nothing was changed.{self._and_before()}", severity="warning")
            return
        what, when = self._undo_said.get(change.batch, ("your last change", time.monotonic()))

        def answered(yes: bool | None) -> None:
            if yes:
                self.undo(change, what)
            else:
                self.undo_stack.append(change)  # still the latest, for u to offer again

        from sscp_tui.screens.forms import ConfirmModal

        # Named, and asked: the change undone may be on another screen, or long ago.
        self.push_screen(ConfirmModal(f"Undo: {what}, {_ago(time.monotonic() - when)}?"), answered)

    @work(thread=True, exclusive=True, group="undo", exit_on_error=False)
    def undo(self, change: ChangeResult, what: str = "the change") -> None:
        try:
            result = self.tracker.undo(change.batch)
        except TrackerBusy as exc:
            # Kept, so that u tries it again rather than reaching the change before it.
            self.call_from_thread(self.undo_stack.append, change)
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        except EditError as exc:
            self.call_from_thread(self.notify, f"{exc}{self._and_before()}", severity="error", markup=False)
            return
        message = (
            f"Undone: {what} ({result.changed} change(s) reversed; the reversal is recorded in history)."
        )
        self.call_from_thread(self.notify, message, markup=False)
        self.call_from_thread(self._refresh_screen)

    def _and_before(self) -> str:
        """After an undo that reversed nothing: what u does next, if anything."""
        return " Press u again to undo the change before it." if self.undo_stack else ""

    def _refresh_screen(self) -> None:
        self.data_version += 1
        refresh = getattr(self.screen, "refresh_data", None)
        if refresh is not None:
            refresh()

    async def run_in_thread(self, work_fn: Callable[[], T]) -> T:
        import asyncio

        return await asyncio.to_thread(work_fn)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and isinstance(event.worker.error, TrackerDamaged):
            # Found behind the first screen: nothing is written to it; the app ends as the
            # command line does, with the sentence and exit status 1.
            self.exit(return_code=1, message=str(event.worker.error))
            return
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.log.error(event.worker.error)
            self.notify(user_message(event.worker.error), severity="error", markup=False)
