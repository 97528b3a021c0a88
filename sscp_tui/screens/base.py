"""What every screen shares: the tracker, error reporting from workers, plain notifications."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import events, work
from textual._context import visible_screen_stack
from textual.await_complete import AwaitComplete
from textual.reactive import Reactive
from textual.renderables.background_screen import BackgroundScreen
from textual.renderables.blank import Blank
from textual.screen import UPDATE_PERIOD, ModalScreen, Screen
from textual.visual import VisualType
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from sscp_tui.errors import ChangedSince, EditError, StoreError
from sscp_tui.widgets.dimmed import Dimmed
from sscp_tui.widgets.rowtable import RowTable

if TYPE_CHECKING:
    from datetime import date

    from textual.app import App
    from textual.widgets import DataTable

    from sscp_tui.app import SSCPApp
    from sscp_tui.screens.forms import FormModal
    from sscp_tui.services.records import ChangeResult, ItemDetail
    from sscp_tui.services.tracker import Tracker

T = TypeVar("T")


def cursor_id(table: DataTable[Any] | RowTable) -> int | None:
    """The numeric key of the row under a table's cursor (rows are keyed by database id)."""
    if not table.row_count:
        return None
    if isinstance(table, RowTable):
        key = table.cursor_key
    else:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return int(key) if key and key.isdigit() else None


def user_message(error: BaseException) -> str:
    """The sentence a user sees. Known service errors carry one; anything else is summarised."""
    if isinstance(error, EditError | StoreError):
        return str(error)
    from sscp_tui import logfile
    from sscp_tui.db import backups

    where = logfile.record(error)
    if backups.is_damage(error):
        reason = getattr(error, "orig", None) or error
        return (
            f"The tracker file is damaged ({reason}); {where}. See the README, 'If the tracker is damaged'."
        )
    return f"Something went wrong ({type(error).__name__}); nothing further was saved, and {where}."


class WorkerErrors:
    """Mixin: a failed worker becomes a notification, and its traceback goes to the log."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            node = cast(Screen[Any], self)
            node.log.error(event.worker.error)
            node.app.notify(user_message(event.worker.error), severity="error", markup=False)


class Looked:
    """What a form's user was looking at as it opened: the tracker's change marker then (see
    services.conflicts). A save refused over someone else's change since moves it on to that
    change, so that saving again, having been told, is the user's decision and is saved."""

    __slots__ = ("at",)

    def __init__(self, at: int | None) -> None:
        self.at = at

    def saving(self, screen: TrackerScreen, save: Callable[[], T]) -> T:
        """(In the form's worker.) ``save``; if refused over another's change, the screen
        behind the form shows that change, and the refusal says what to do next."""
        try:
            return save()
        except ChangedSince as exc:
            self.at = exc.newest
            screen.app.call_from_thread(screen.refresh_for_others)
            said = str(exc).rstrip(".")
            raise EditError(f"{said} — save again to make yours all the same, or press Escape.") from exc


def _style_state(app: App[Any]) -> tuple[int, frozenset[str], frozenset[str]]:
    """What a screen's styles follow besides its own widgets: the stylesheet (Textual counts
    its changes, a change of theme among them) and the app's classes and pseudo-classes (the
    terminal's focus, dark or light)."""
    return app._css_update_count, frozenset(app.get_pseudo_classes()), frozenset(app.classes)


class PaintsPromptly:
    """Mixin: a change is painted as soon as the screen has nothing more to do, no more than
    Textual's 60 times a second.

    Textual paints a screen from a timer, paused while nothing changes and resumed when
    something has. Resumed after a pause, the timer waits for the slot after its next one, so
    a change was painted 17-33 ms after it was made, once no frame had been painted for a
    while: the results of nearly every key that reads (a filter, a page, an item) waited that
    long for their paint. Here a screen with something to paint paints it at once, unless it
    painted less than a frame ago; then it paints when that frame is up."""

    _painted_at = 0.0  # (monotonic)
    _paint_due = False  # a look is asked for when the frame is up

    async def _on_idle(self, event: events.Idle) -> None:
        # In place of Screen's own handler, which resumes the timer (its conditions kept).
        event.prevent_default()
        screen = cast(Screen[Any], self)
        if (
            not screen.app._batch_count
            and screen.is_current
            and (
                screen._layout_required
                or screen._scroll_required
                or screen._repaint_required
                or screen._recompose_required
                or screen._dirty_widgets
            )
        ):
            wait = self._painted_at + UPDATE_PERIOD - time.monotonic()
            if wait <= 0:
                self._painted_at = time.monotonic()
                screen._on_timer_update()
            elif not self._paint_due:
                self._paint_due = True
                asyncio.get_running_loop().call_later(wait, self._frame_up)
            return
        await screen._invoke_and_clear_callbacks()

    def _frame_up(self) -> None:
        self._paint_due = False
        # The frame is up, whatever the clock says: a timer may fire up to a tick of the
        # clock early (some 16 ms on Windows), and would otherwise be asked again and again.
        self._painted_at = min(self._painted_at, time.monotonic() - UPDATE_PERIOD)
        cast(Screen[Any], self).check_idle()  # (an idle screen is prompted to look again)


class NotStartedClosing:
    """Mixin: a screen (or a widget with parts of its own) whose start met the app closing is
    not told it is mounted.

    A screen or form made ahead, out of sight, can be starting as the app closes. Textual then
    mounts none of its widgets, but still sends the screen Mount, whose handlers look for
    them: the app closed on an error ("No nodes match '#matrix-table'"; a form's choice,
    "No nodes match '#label'"). It happened in tests that closed the app without a key (with
    a key, nothing is made ahead for a while); a terminal closed, or a signal, would close the
    app the same way."""

    async def on_event(self, event: events.Event) -> None:
        node = cast(Widget, self)
        if isinstance(event, events.Mount) and (
            not node.app._running  # (the app closing)
            or any(part._closing or part._pruning for part in node.ancestors_with_self)  # (taken down)
        ):
            return
        await super().on_event(event)  # type: ignore[misc]


class Kept:
    """Mixin: a screen the app keeps installed once made, and shows again (see
    forms.reused): ``kept_as`` names the screens one kept can stand for; ``take`` shows what a
    fresh one would, or says it cannot; ``built`` once it may be shown; ``ahead`` when it was
    made ahead, out of sight, with nothing yet to show (see forms.made_ahead)."""

    built = False
    ahead = False

    def kept_as(self) -> str:
        raise NotImplementedError

    def take(self, fresh: Any) -> bool:
        raise NotImplementedError


class StyledWhenMade:
    """Mixin: a screen is restyled as it comes on top only if what it was styled by changed
    while it was not on top.

    Textual restyled every widget of a screen as it came on top: a screen or form just made
    (its widgets were styled as they were made), and a screen seen before, though a change to
    a widget's classes restyles it at once, wherever it is. Each cost 15-20 ms for a form of a
    few fields, and 30-50 ms for a screen. What else a screen's styles follow is the app's
    state (see _style_state), a change of theme among it: while a screen is on top, Textual
    restyles it as that changes. The state is noted as the screen is made (a form or screen
    made ahead may first be shown minutes later) and as it goes off the top, and compared as
    it comes back."""

    _styled_as: tuple[int, frozenset[str], frozenset[str]] | None = None  # None: not yet noted

    def on_mount(self) -> None:
        # (Textual calls each class's own handler, a subclass's and this one.) Its widgets
        # were styled as they were made.
        self._styled_as = _style_state(cast(Screen[Any], self).app)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Called before Screen's own handler (the subclass's comes first in the MRO).
        now = _style_state(cast(Screen[Any], self).app)
        if self._styled_as == now:
            event.refresh_styles = False
        self._styled_as = now

    def _on_screen_suspend(self) -> None:
        self._styled_as = _style_state(cast(Screen[Any], self).app)


class TrackerScreen(WorkerErrors, NotStartedClosing, PaintsPromptly, StyledWhenMade, Screen[None]):
    # Coming back to a screen reloads it only when what it shows may have changed: after an
    # edit in this app or another user's (the data version moves on with both: see
    # SSCPApp._look_for_changes), on a new day (alerts are judged by the day), or, as a last
    # resort, after some minutes. Closing a dialog on top of it therefore costs no reload and
    # no repaint of every row, nor does a return to a screen made ahead (sscp_tui.ahead).
    RELOAD_AFTER_SECONDS = 300.0
    # Worker groups that read once what the screen read first is painted (a count): a screen
    # made at its F-key is first painted without waiting for them (SSCPApp._hold_until_read).
    READS_AFTER_PAINT: ClassVar[frozenset[str]] = frozenset()
    _seen: tuple[int, date, float] | None = None  # data version, day, when (monotonic)
    # Moving the focus repaints the two widgets it moves between (their focus styles), not
    # the whole screen as Screen's own reactive does: on the log, Enter in the search box
    # cost a 20 ms repaint of every row, competing with the search it had just started.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def on_screen_resume(self) -> None:
        if self._seen is not None:
            seen_version, seen_day, seen_at = self._seen
            if (
                self.sscp.data_version != seen_version
                or self.sscp.as_of != seen_day
                or time.monotonic() - seen_at > self.RELOAD_AFTER_SECONDS
            ):
                self.refresh_data()
        self.mark_seen()

    def mark_seen(self) -> None:
        """This screen has taken in the tracker's latest change (its own edit)."""
        self._seen = (self.sscp.data_version, self.sscp.as_of, time.monotonic())

    @property
    def sscp(self) -> SSCPApp:
        return cast("SSCPApp", self.app)

    @property
    def tracker(self) -> Tracker:
        return self.sscp.tracker

    def looked(self) -> Looked:
        """The change marker of what this screen shows, for a form opened on it."""
        return Looked(self.sscp.looked_at)

    def say(self, message: str, *, severity: str = "information") -> None:
        self.app.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def open_item(self, item_id: int) -> None:
        """An item's own screen, pushed once its record has been read (in a worker): it is
        painted whole at once, and the read is not slowed by paints of an empty screen (at
        100,000 items, Enter to the item took some 150-230 ms that way)."""
        self._read_item(item_id)

    @work(thread=True, exclusive=True, group="open-item", exit_on_error=False)
    def _read_item(self, item_id: int) -> tuple[int, ItemDetail | None]:
        # Shown as the worker ends (on_worker_state_changed), not from inside it: the worker
        # would otherwise count as at work until the item's screen had been made and painted.
        return item_id, self.tracker.item(item_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (WorkerErrors' handler is called as well, and reports a failure.)
        if event.worker.group == "open-item" and event.state is WorkerState.SUCCESS:
            read = cast("tuple[int, ItemDetail | None]", event.worker.result)
            self._show_item(*read)

    def _show_item(self, item_id: int, detail: ItemDetail | None) -> None:
        from sscp_tui.screens.forms import reused
        from sscp_tui.screens.item import ItemScreen

        if detail is None:
            self.say("That item is no longer in the log.", severity="warning")
        elif self.app.screen is self:  # not if the user has gone elsewhere meanwhile
            self.app.push_screen(reused(self.app, ItemScreen(item_id, detail)))

    def refresh_data(self) -> None:
        """Reload what the screen shows (after an edit elsewhere)."""

    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        """Makers of the forms this screen's keys ask (any values: a form kept is refilled),
        made while the user reads the screen (see sscp_tui.ahead). None by default."""
        return []

    def refresh_for_others(self) -> None:
        """Reload after another user's change, which arrived with no key pressed."""
        self.refresh_data()

    def save_in_form(
        self, form: FormModal, save: Callable[[dict[str, str], int | None], tuple[ChangeResult, str]]
    ) -> None:
        """Show ``form``; Save runs ``save`` (which commits what was typed, made on what the
        user saw — the change marker given — and returns the change and what to say) in the
        form's worker, and the form stays open until it has: a refusal is said in the form.
        Then the change goes on the undo list, the screen says so and reloads."""
        if self.refused_read_only():
            return
        from sscp_tui.screens.forms import reused  # (forms is built on this module)

        looked = self.looked()
        form = reused(self.app, form)
        form.commit_with(
            lambda values: looked.saving(self, lambda: save(values, looked.at)), self._saved_and_said
        )
        self.app.push_screen(form)

    def refused_read_only(self) -> bool:
        """Say so, before any form opens, when the tracker cannot be changed."""
        if self.tracker.store.read_only:
            self.say(
                "Read-only: this tracker can be read, packed and exported, not changed.", severity="warning"
            )
            return True
        return False

    def _saved_and_said(self, saved: tuple[ChangeResult, str]) -> None:
        result, message = saved
        self.sscp.remember(result, message)
        self.say(message)
        self.refresh_data()

    def paint_first_look(self, read: Callable[[], T], show: Callable[[T], None]) -> bool:
        """(In a worker.) Show what ``read`` finds in the first look, then have the store opened
        behind the painted screen. False if the look failed: read through the store instead."""
        try:
            found = read()
        except sqlite3.Error as exc:
            self.log.warning(f"First look failed, reading through the store: {exc}")
            return False
        self.app.call_from_thread(show, found)
        self.app.call_from_thread(self.app.call_after_refresh, self.sscp.open_in_background)
        return True


class ClosesOnce(NotStartedClosing, PaintsPromptly, StyledWhenMade, ModalScreen[Any]):
    def render(self) -> VisualType:  # type: ignore[override]  # (Textual draws Visuals too)
        """As Screen.render, with the screen beneath drawn by Dimmed (see there): the same
        picture, in a few milliseconds instead of 20-25 at each paint of a dialog."""
        background = self.styles.background
        try:
            # Textual's own list of the screens beneath, each taken off by the one above it.
            beneath = visible_screen_stack.get().pop()
        except LookupError:
            beneath = None
        if beneath is not None and beneath is not self and 0 < background.a < 1:
            return Dimmed(beneath, background)
        if beneath is not None and beneath is not self and background.a < 1:
            return BackgroundScreen(beneath, background)
        if background.is_transparent:
            return self.app.render()
        return Blank(background)

    def dismiss(self, result: Any = None) -> AwaitComplete:
        """Closed once, and only while on top. Textual's dismiss pops whatever screen is on
        top: Escape and Enter pressed together both close a chooser, and the second would
        close the screen beneath it (or, beneath a first screen, stop the app)."""
        if self.app.screen is not self:  # closed already (Textual pops at once)
            return AwaitComplete()  # (nothing to wait for)
        return super().dismiss(result)


class TrackerModal(WorkerErrors, ClosesOnce):
    @property
    def tracker(self) -> Tracker:
        return cast("SSCPApp", self.app).tracker
