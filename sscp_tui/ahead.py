"""Made ahead: while the user reads a screen, the forms its keys ask are made out of sight,
one at a time, then the screens of the F-keys not yet visited, so that the first asking of a
form, and the first visit to a screen, are as quick as asking again or coming back.

A form's first asking built it: its widgets made, styled and mounted, and the styles of any
kind of widget not yet seen added to the stylesheet, which was then parsed again. That took
80-190 ms at 100,000 items (the log's filter form, 270 ms); asking a form kept, 20-50 ms.
A screen's first visit took 100-500 ms; a return, 5-90. A form is made only once no key or
mouse has come for AHEAD_AFTER, a screen after SCREEN_AHEAD_AFTER, and either only while no
work is under way; a form's fields are mounted one per turn of the event loop, so a key
pressed meanwhile waits for a few ms, not a form.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from sscp_tui.screens.forms import FormModal

logger = logging.getLogger(__name__)

AHEAD_AFTER = 0.3  # seconds with no key or mouse before a form is made
# ... and before a screen is: a screen made reads its data, which can take the best part of a
# second at 100,000 items (the priorities' actions), and a key pressed meanwhile shares the
# interpreter with that read. At 0.3 s, a key pressed in the bench waited 0.8 s for one.
SCREEN_AHEAD_AFTER = 1.5
AHEAD_EVERY = 0.1  # seconds between looks


class Ahead:
    """``tick`` every AHEAD_EVERY: makes the next form the screen on top asks, if now is the
    time. ``last_input`` gives the monotonic time of the latest key or mouse event."""

    def __init__(
        self, app: App[Any], last_input: Callable[[], float], next_screen: Callable[[], bool]
    ) -> None:
        self._app = app
        self._last_input = last_input
        self._next_screen = next_screen  # makes the next screen not yet made; whether it did
        # Each screen's makers not yet run, from its forms_ahead, asked once a screen.
        self._pending: WeakKeyDictionary[Screen[Any], list[Callable[[], FormModal]]] = WeakKeyDictionary()

    def tick(self) -> bool:
        """Whether a form was made."""
        from textual.app import ScreenStackError, UnknownModeError

        from sscp_tui.screens.base import TrackerScreen
        from sscp_tui.screens.forms import made_ahead

        app = self._app
        idle = time.monotonic() - self._last_input()
        if idle < AHEAD_AFTER:
            return False
        try:
            screen = app.screen
        except (ScreenStackError, UnknownModeError):
            return False  # no screen yet, or none any more: the app is opening or closing
        if not isinstance(screen, TrackerScreen) or not screen.is_mounted:
            return False  # a dialog on top, or a screen still being made
        if any(worker.is_running for worker in app.workers):
            return False  # the screen's own reads come first
        makers = self._pending.get(screen)
        if makers is None:
            makers = self._pending[screen] = screen.forms_ahead()
        while makers:
            make = makers.pop(0)
            try:
                fresh = make()
            except Exception:
                # Only time was to be saved: the form is made when asked, as before, and
                # says then what is wrong. Nothing more is made ahead for this screen.
                logger.warning("A form could not be made ahead", exc_info=True)
                makers.clear()
                return False
            if made_ahead(app, fresh):
                return True
        # This screen's forms are all made: the next F-key's screen, with the forms it asks
        # made in turn once it is visited and read.
        return idle >= SCREEN_AHEAD_AFTER and self._next_screen()
