"""The garbage collector's full passes, moved to when no one is typing, and kept short.

A full pass walks every object the collector tracks. As screens, forms and their painted lines
are made and kept, that grows: after an hour's use a pass took 100-330 ms at 100,000 items,
came every few dozen keys, and held whichever key it fell on for as long; after two minutes of
keys without a pause, 0.3-0.9 s. Young objects are still collected as usual (those passes take
a millisecond or two). The full pass is made here instead, once no key or mouse has come for
IDLE_SECONDS, or, while someone types without such a lull, in a gap of GAP_SECONDS between
keys once LATEST_SECONDS have passed (at once after LONGEST_SECONDS), so memory is never left to
grow. What survives a pass is set aside from the next ones (``gc.freeze``), as start-up's
objects are once the app has settled: a pass walks only what was made since the last, 30-90 ms
after 20 s of keys where a pass of everything took 300 ms.

Objects set aside are still freed by reference counting; only a cycle among them would be
kept. So every RECLAIM_AFTER_SECONDS, once no key has come for RECLAIM_IDLE_SECONDS, the whole
heap is walked again, start-up's objects with it (in a gap between keys after
RECLAIM_LATEST_SECONDS).

Textual's painted lines made cycles of their own, most of the garbage a pass had to find: see
:func:`break_strip_cycles`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.style import Style
    from textual.strip import Strip

IDLE_SECONDS = 1.5
LATEST_SECONDS = 20.0
GAP_SECONDS = 0.25  # no key or mouse for this long: a gap between keys
LONGEST_SECONDS = 60.0
RECLAIM_IDLE_SECONDS = 5.0
RECLAIM_AFTER_SECONDS = 300.0
RECLAIM_LATEST_SECONDS = 1800.0
NEVER = 1 << 30  # younger passes before the collector would make a full pass of its own


def set_aside_start_up() -> None:
    """(Once a process.) What exists now is no longer walked by the collector's full passes;
    start-up's objects that are let go later are still freed by reference counting (only a
    cycle among them would be kept)."""
    if not gc.get_freeze_count():
        gc.freeze()


def break_strip_cycles() -> None:
    """(Once a process.) Textual's painted line (``Strip``) keeps what it has been cropped or
    divided to in caches of its own, itself among them when the crop or the division left it
    whole: each such line then referred to itself, and lived on as garbage until a full pass
    found it, with its seven caches and its segments. After a minute and a half of keys that
    was some 500,000 objects, most of what a full pass had to walk and free. A line left whole
    is now handed back without being kept in its own cache; what every call returns is
    unchanged."""
    from textual.strip import Strip

    if getattr(Strip, "_sscp_no_self_cycles", False):
        return
    crop_extend = Strip.crop_extend
    divide = Strip.divide

    def crop_extend_whole(self: Strip, start: int, end: int, style: Style | None) -> Strip:
        if start <= 0 and end == self.cell_length:  # (Textual's own would cache self in self)
            return self
        return crop_extend(self, start, end, style)

    def divide_whole(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = [cut for cut in cuts if cut <= self.cell_length]
        if cuts == [self.cell_length]:
            return [self]
        return divide(self, cuts)

    Strip.crop_extend = crop_extend_whole  # type: ignore[method-assign]
    Strip.divide = divide_whole  # type: ignore[method-assign]
    Strip._sscp_no_self_cycles = True  # type: ignore[attr-defined]


class IdleCollection:
    """Full passes while the app is idle: ``start`` as it opens, ``input`` at every key or
    mouse event, ``tick`` every second or so, ``stop`` as it closes (the thresholds it
    found are put back, and what its passes set aside let go: a test process runs many apps)."""

    def __init__(self) -> None:
        self.last_input = self.last_pass = self.last_reclaim = time.monotonic()
        self._found: tuple[int, int, int] | None = None
        self._set_aside = False  # survivors of a pass set aside since the last reclaim

    def start(self) -> None:
        if self._found is None:
            self._found = gc.get_threshold()
            young, middle, _old = self._found
            gc.set_threshold(young, middle, NEVER)

    def stop(self) -> None:
        if self._found is not None:
            gc.set_threshold(*self._found)
            self._found = None
            if self._set_aside:
                gc.unfreeze()
                gc.collect()  # (closing: what was set aside and is now garbage, freed)
                self._set_aside = False

    def input(self) -> None:
        self.last_input = time.monotonic()

    def tick(self) -> bool:
        """A full pass, if one is due and now is the time; whether one was made."""
        if self._found is None:
            return False
        now = time.monotonic()
        idle = now - self.last_input
        since_reclaim = now - self.last_reclaim
        if self._set_aside and (
            (idle >= RECLAIM_IDLE_SECONDS and since_reclaim >= RECLAIM_AFTER_SECONDS)
            or (since_reclaim >= RECLAIM_LATEST_SECONDS and idle >= GAP_SECONDS)
        ):
            gc.unfreeze()
            self._pass()
            self.last_reclaim = self.last_pass
            return True
        if not gc.get_count()[2]:  # nothing has reached the oldest generation
            return False
        since_pass = now - self.last_pass
        if (
            idle >= IDLE_SECONDS
            or (since_pass >= LATEST_SECONDS and idle >= GAP_SECONDS)
            or since_pass >= LONGEST_SECONDS
        ):
            self._pass()
            return True
        return False

    def _pass(self) -> None:
        gc.collect()
        gc.freeze()  # the survivors: walked again only by a reclaim
        self._set_aside = True
        self.last_pass = time.monotonic()
