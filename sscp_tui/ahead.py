"""Made ahead: while the user reads a screen, the forms its keys ask are made out of sight,
one at a time, then the screens of the F-keys not yet visited, then the forms of those, so
that the first asking of a form, and the first visit to a screen, are as quick as asking
again or coming back.

A form's first asking built it: its widgets made, styled and mounted, and the styles of any
kind of widget not yet seen added to the stylesheet, which was then parsed again. That took
80-190 ms at 100,000 items (the log's filter form, 270 ms); asking a form kept, 20-50 ms.
A screen's first visit took 100-500 ms; a return, 5-90. A form is made only once no key or
mouse has come for AHEAD_AFTER, a screen after SCREEN_AHEAD_AFTER, and either only while no
work is under way; a form's fields are mounted one per turn of the event loop, so a key
pressed meanwhile waits for a few ms, not a form, and the fields left wait until the user is
idle again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakSet, ref

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from sscp_tui.screens.base import TrackerScreen
    from sscp_tui.screens.forms import FormModal

logger = logging.getLogger(__name__)

# Seconds with no key or mouse before a form is made. A form's fields are mounted one per turn
# and wait while keys come (see wait), so a key meets at most one field being mounted. At 0.3 s
# the bench's keys, some 0.3 s apart, met no form made: each first press built its form.
AHEAD_AFTER = 0.15
# Before a screen is made (once the forms are made), no key or mouse for this long. A screen
# made reads its data in a worker, 20-170 ms at 100,000 items, which a key pressed meanwhile
# shares the interpreter with. At 1.5 s, no first visit in the bench found its screen made;
# the 0.8 s it once timed a key at, with 0.3 s, was the bench counting that read as the key's
# own work.
SCREEN_AHEAD_AFTER = 0.3
AHEAD_EVERY = 0.1  # seconds between looks


class Ahead:
    """``tick`` every AHEAD_EVERY: makes the next form the screen on top asks, or the next
    screen, if now is the time. ``last_input`` gives the monotonic time of the latest key or
    mouse event; ``ready``, whether the tracker is open (nothing is made before: the first
    screen is painted from a first look while the store opens in the background, and a
    form's choices would open it on the interface's thread); ``next_screen`` makes the next
    F-key's screen not yet made, and says whether it did; ``quick_screen`` likewise a screen
    that reads nothing as it is made (the item's), made as soon as the forms."""

    def __init__(
        self,
        app: App[Any],
        last_input: Callable[[], float],
        ready: Callable[[], bool],
        next_screen: Callable[[], bool],
        quick_screen: Callable[[], bool] = lambda: False,
    ) -> None:
        self._app = app
        self._last_input = last_input
        self._ready = ready
        self._next_screen = next_screen
        self._quick_screen = quick_screen
        self._done: WeakSet[Screen[Any]] = WeakSet()  # screens whose forms are all made
        # The screen on top, and the makers of its forms not yet run (from its forms_ahead).
        self._for: ref[Screen[Any]] | None = None
        self._makers: list[Callable[[], FormModal]] = []
        self._failed = False

    def wait(self) -> float:
        """Seconds until making ahead may go on: a form begun and not finished waits this long
        before its next field (0 when the user has been idle for AHEAD_AFTER)."""
        return max(0.0, AHEAD_AFTER - (time.monotonic() - self._last_input()))

    def tick(self) -> bool:
        """Whether something was made."""
        if self._failed:
            return False
        try:
            return self._make_next()
        except Exception:
            # Only time was to be saved: forms and screens are made when asked, as before,
            # and say then what is wrong. Nothing more is made ahead this session.
            logger.warning("Something could not be made ahead; nothing more will be", exc_info=True)
            self._failed = True
            return False

    def _make_next(self) -> bool:
        from textual.app import ScreenStackError, UnknownModeError

        from sscp_tui.screens.base import TrackerScreen

        app = self._app
        idle = time.monotonic() - self._last_input()
        if idle < AHEAD_AFTER or not self._ready() or not app.is_running:
            return False  # (not running: closing, its screens being taken down one by one)
        try:
            screen = app.screen
        except (ScreenStackError, UnknownModeError):
            return False  # no screen yet, or none any more: the app is opening or closing
        if not isinstance(screen, TrackerScreen) or not screen.is_mounted:
            return False  # a dialog on top, or a screen still being made
        if any(worker.is_running for worker in app.workers):
            return False  # the screen's own reads come first
        if screen not in self._done and self._forms_of(screen):
            return True
        if self._quick_screen():  # (made as quickly as a form: no read)
            return True
        if idle < SCREEN_AHEAD_AFTER:
            return False
        # This screen's forms are all made: the next F-key's screen, then the forms of each
        # screen made, so that a screen's first form is as quick as its first visit.
        if self._next_screen():
            return True
        made = [stack[0] for stack in app._screen_stacks.values() if stack]
        for other in made:
            if not isinstance(other, TrackerScreen) or not other.is_mounted or other in self._done:
                continue
            if self._forms_of(other):
                return True
        return False

    def _forms_of(self, screen: TrackerScreen) -> bool:
        """Makes the next form ``screen``'s keys ask not yet made; whether it made one (if not,
        the screen's forms are all made)."""
        from sscp_tui.screens.forms import made_ahead

        if self._for is None or self._for() is not screen:  # (a form already made is passed over)
            self._for, self._makers = ref(screen), screen.forms_ahead()
        while self._makers:
            if made_ahead(self._app, self._makers.pop(0)()):
                return True
        self._done.add(screen)
        self._for = None
        return False
