"""The garbage collector's full passes, moved to when no one is typing.

A full pass walks every object the collector tracks. As screens, forms and their painted lines
are made and kept, that grows: after an hour's use a pass took 100-330 ms at 100,000 items,
came every few dozen keys, and held whichever key it fell on for as long. Young objects are
still collected as usual (those passes take a millisecond or two); the full pass is made
here instead, once no key or mouse has come for IDLE_SECONDS, or at the latest every
LATEST_SECONDS while someone types without a pause, so memory is never left to grow.
Start-up's objects are set aside from the passes altogether once the app has settled.
"""

from __future__ import annotations

import gc
import time

IDLE_SECONDS = 1.5
LATEST_SECONDS = 120.0
NEVER = 1 << 30  # younger passes before the collector would make a full pass of its own


def set_aside_start_up() -> None:
    """(Once a process.) What exists now is no longer walked by the collector's full passes;
    start-up's objects that are let go later are still freed by reference counting (only a
    cycle among them would be kept)."""
    if not gc.get_freeze_count():
        gc.freeze()


class IdleCollection:
    """Full passes while the app is idle: ``start`` as it opens, ``input`` at every key or
    mouse event, ``tick`` every second or so, ``stop`` as it closes (the thresholds it
    found are put back: a test process runs many apps)."""

    def __init__(self) -> None:
        self.last_input = self.last_pass = time.monotonic()
        self._found: tuple[int, int, int] | None = None

    def start(self) -> None:
        if self._found is None:
            self._found = gc.get_threshold()
            young, middle, _old = self._found
            gc.set_threshold(young, middle, NEVER)

    def stop(self) -> None:
        if self._found is not None:
            gc.set_threshold(*self._found)
            self._found = None

    def input(self) -> None:
        self.last_input = time.monotonic()

    def tick(self) -> bool:
        """A full pass, if one is due and now is the time; whether one was made."""
        now = time.monotonic()
        if self._found is None or not gc.get_count()[2]:  # nothing has reached the oldest generation
            return False
        if now - self.last_input < IDLE_SECONDS and now - self.last_pass < LATEST_SECONDS:
            return False
        gc.collect()
        self.last_pass = time.monotonic()
        return True
