"""Modal dialogs: each returns what was typed (a dict or a value) or None when cancelled.

One ``FormModal`` serves every form: fields are declared as data, validated in one loop,
and each error is shown in place under its field. Escape always cancels. A form given a
``save`` function stays open until what was typed is committed: a refused edit is shown in
the form, with everything typed still there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from sscp_tui.errors import EditError
from sscp_tui.screens.base import Kept, NotStartedClosing, TrackerModal, user_message
from sscp_tui.text_safety import clean

if TYPE_CHECKING:
    from sscp_tui.app import SSCPApp

SAY_SAVING_AFTER = 0.25  # seconds
T = TypeVar("T")
K = TypeVar("K", bound=Kept)
Validator = Callable[[str], str | None]  # returns an error sentence, or None when fine


def required(what: str) -> Validator:
    return lambda value: None if value.strip() else f"{what} is required."


def a_date(*, optional: bool = False) -> Validator:
    """A calendar date as users type it (31/03/2027, 2027-03-31, 31 March 2027)."""
    from sscp_tui.services.timescales import parse_date

    def check(value: str) -> str | None:
        if optional and not value.strip():
            return None
        try:
            parse_date(value)
        except ValueError as exc:
            return str(exc)
        return None

    return check


def a_timescale(value: str) -> str | None:
    """A timescale as agreed: any words, but one written as a date must be a real date."""
    from sscp_tui.services.timescales import impossible_date

    return impossible_date(value)


@dataclass
class FormField:
    name: str
    label: str
    value: str = ""
    kind: str = "input"  # input, text, select
    options: Sequence[tuple[str, str]] = ()  # (label, value) for select
    validate: Validator | None = None
    placeholder: str = ""
    hint: Callable[[str], str] | None = None  # a live hint under the field, e.g. a parsed date
    # A choice's empty entry, and what it is called; None for a choice that must be made
    # (a pack's format), which then starts on its value or its first option.
    blank: str | None = "(none)"

    @property
    def may_be_blank(self) -> bool:
        return self.blank is not None or not self.options  # a choice of nothing stays empty


def _shape(fields: Sequence[FormField]) -> list[tuple[str, str, bool, str | None, bool]]:
    """What a form's widgets are made from (the rest a form can be refilled with)."""
    return [(spec.name, spec.kind, spec.hint is not None, spec.blank, spec.may_be_blank) for spec in fields]


def _choice(spec: FormField) -> Any:
    """What a choice starts on: its value if it is one of the options; else empty, or its
    first option when it must be made."""
    if any(value == spec.value for _, value in spec.options):
        return spec.value
    return Select.NULL if spec.may_be_blank else spec.options[0][1]


def _say(line: Static, message: str) -> None:
    """Put a message (or nothing) on a line under a field. Static.update lays the dialog out
    again, and the screen beneath it with it; the same words again need nothing."""
    if str(line.content) != message:
        line.update(Text(message))


class FieldSelect(NotStartedClosing, Select[str]):
    """A form's choice: Textual's, which looks for its parts as it is told it is mounted, not
    told so when the app closed as it started (a form being made ahead, see NotStartedClosing)."""


class FormModal(Kept, TrackerModal):
    """A typed form. Enter in a one-line field moves on; ctrl+s saves; escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
        Binding("ctrl+n", "submit_and_again", "Save and add another", id="form.again", show=False),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        *,
        submit: str = "Save",
        focus: str | None = None,
        context: Text | str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        # What to decide with, shown under the title (the chair's pass: the item's timescale
        # and latest update, which the form would otherwise cover).
        self.context = context
        self.fields = list(fields)
        self.submit_label = submit
        self.focus_field = focus  # the field the cursor starts in (the first when None)
        self.save: Callable[[dict[str, str]], Any] | None = None
        self.saved: Callable[[Any], None] | None = None
        # "Save and add another": what the form asks next, from what the save returned.
        self.another: Callable[[Any], tuple[str, list[FormField], str]] | None = None
        self._again = False  # the save under way was asked for with ctrl+n
        self._saving_timer: Timer | None = None  # set while a save is under way
        self.ahead = False  # made ahead, out of sight: its fields are mounted one by one
        self.built = False  # every field mounted: it may be asked (see Kept)

    def commit_with(
        self,
        save: Callable[[dict[str, str]], T],
        saved: Callable[[T], None],
        another: Callable[[T], tuple[str, list[FormField], str]] | None = None,
    ) -> None:
        """Have Save run ``save`` with what was typed, in a worker, and keep the form open
        until it returns; an EditError it raises is shown in the form. ``saved`` gets what it
        returned just before the form closes, so the screen beneath draws the change in the
        same frame as the form goes.

        With ``another``, the form also offers "Save and add another" (ctrl+n): once saved, it
        stays open, asking what ``another`` returns (a title, the fields, and a line saying
        what was saved)."""
        self.save = save
        self.saved = saved
        self.another = another
        if self.is_mounted:
            self.query_one("#again", Button).display = another is not None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label(Text(self.form_title), classes="dialog-title")
            # Not focusable itself: Textual's first focus went to the body, then on to the
            # first field, and each move restyled the whole form (20 ms apiece for a few
            # fields). The body scrolls to the field with the cursor, and to the mouse wheel.
            with VerticalScroll(classes="form-body", can_focus=False):
                context = Static(self._context_text(), id="form-context", classes="form-context")
                context.display = bool(self.context)
                yield context
                if not self.ahead:
                    for spec in self.fields:
                        yield from self._field_widgets(spec)
            yield Static("", id="form-status", classes="form-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.submit_label} (ctrl+s)", variant="primary", id="submit")
                again = Button("Save, add next (ctrl+n)", id="again")
                again.display = self.another is not None  # (a form kept is asked both ways)
                yield again
                yield Button("Cancel (esc)", id="cancel")

    def _field_widgets(self, spec: FormField) -> list[Widget]:
        widgets: list[Widget] = [Label(Text(spec.label), classes="field-label"), self._widget(spec)]
        if spec.hint:
            widgets.append(Static(Text(spec.hint(spec.value)), id=f"hint-{spec.name}", classes="field-hint"))
        widgets.append(Static("", id=f"error-{spec.name}", classes="field-error"))
        return widgets

    def on_mount(self) -> None:
        if self.ahead:
            self.call_later(self._mount_field, 0)
        else:
            self.built = True
            self._focus_first()

    async def _mount_field(self, index: int) -> None:
        """(A form made ahead.) Its fields one at a time, each in a turn of its own, so that a
        key pressed meanwhile waits for one field's widgets (a few ms), not the whole form's; the
        rest wait until the user is idle again (Ahead.wait). Each is waited for, its own parts
        too (a choice's current value, say): the form is ``built``, and may be asked, only once
        every one is there to be refilled."""
        # Taken down as the app quits: what is left is not made. Textual's Widget.mount
        # mounts nothing then (and says so by these two flags), and the body may be gone.
        if not self.is_attached or any(node._closing or node._pruning for node in (self.app, self)):
            return
        body = next(iter(self.query(".form-body").results(VerticalScroll)), None)
        if body is None or body._closing or body._pruning:
            return
        if index == len(self.fields):
            self.built = True
            self._focus_first()
            return
        # A key or the mouse since the form was begun: the rest would share the interpreter
        # with what the key does.
        wait = cast("SSCPApp", self.app).ahead_wait()
        if wait > 0:
            self.set_timer(wait, partial(self._mount_field, index))
            return
        await body.mount(*self._field_widgets(self.fields[index]))
        self.call_later(self._mount_field, index + 1)

    def _focus_first(self) -> None:
        names = [spec.name for spec in self.fields]
        if names:
            name = self.focus_field if self.focus_field in names else names[0]
            self.query_one(f"#field-{name}").focus()
            if name != names[0]:
                self.call_after_refresh(self._top_in_view, name)

    def _top_in_view(self, name: str) -> None:
        """A form that starts further down keeps its first fields in view where the field
        with the cursor still fits below them."""
        body = self.query_one(".form-body", VerticalScroll)
        field = self.query_one(f"#field-{name}")
        if field.virtual_region.bottom <= body.scrollable_content_region.height:
            body.scroll_home(animate=False)

    def _widget(self, spec: FormField) -> Any:
        widget_id = f"field-{spec.name}"
        if spec.kind == "text":
            # Loaded when a form first has a text box: not at every start (0.6 MiB).
            from textual.widgets import TextArea

            area = TextArea(spec.value, id=widget_id, soft_wrap=True, show_line_numbers=False)
            area.styles.height = 6
            return area
        if spec.kind == "select":
            options = [(Text(label), value) for label, value in spec.options]
            return FieldSelect(
                options,
                value=_choice(spec),
                id=widget_id,
                allow_blank=spec.may_be_blank,
                prompt=spec.blank or "",
            )
        return Input(spec.value, id=widget_id, placeholder=spec.placeholder)

    def _context_text(self) -> Text:
        return self.context if isinstance(self.context, Text) else Text(self.context)

    def kept_as(self) -> str:
        """Forms of one kind and the same fields (their names, kinds and hints)."""
        return f"form:{type(self).__qualname__}:{_shape(self.fields)!r}"

    def take(self, fresh: FormModal) -> bool:
        """Ask what ``fresh`` asks (its title, fields, context, Save button and first field),
        without building it again: see :func:`reused`. False, and nothing changed, when its
        fields are not this form's (another name, kind or hint)."""
        if _shape(fresh.fields) != _shape(self.fields):
            return False
        self.submit_label = fresh.submit_label
        self.focus_field = fresh.focus_field
        self.another = None  # until commit_with says there is a next one to ask
        if self.is_mounted:
            self.query_one("#submit", Button).label = f"{fresh.submit_label} (ctrl+s)"
            self.query_one("#again", Button).display = False
            self.query_one(".form-body", VerticalScroll).scroll_home(animate=False)
        return self.refill(fresh.form_title, fresh.fields, fresh.context)

    def refill(self, title: str, fields: Sequence[FormField], context: Text | str = "") -> bool:
        """Ask this form again with ``title`` and ``fields`` (their labels, values and a
        choice's new options), without building it again. False, and nothing changed, when
        ``fields`` are not this form's (another name, kind or hint)."""
        if _shape(fields) != _shape(self.fields):
            return False
        self._done_saving()
        self.save = self.saved = None
        old = {spec.name: spec for spec in self.fields}
        self.form_title = title
        self.fields = list(fields)
        self.context = context
        if not self.is_mounted:
            return True  # composed from the fields when first shown
        self.query_one(".dialog-title", Label).update(Text(title))
        shown = self.query_one("#form-context", Static)
        shown.update(self._context_text())
        shown.display = bool(context)
        _say(self.query_one("#form-status", Static), "")
        for spec, label in zip(self.fields, self.query(".field-label").results(Label), strict=True):
            if spec.label != old[spec.name].label:
                label.update(Text(spec.label))
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                if list(spec.options) != list(old[spec.name].options):
                    widget.set_options([(Text(label), value) for label, value in spec.options])
                widget.value = _choice(spec)
            elif spec.kind == "text":  # a TextArea
                widget.text = spec.value  # type: ignore[attr-defined]
            elif isinstance(widget, Input):
                widget.placeholder = spec.placeholder
                widget.value = spec.value
                widget.cursor_position = len(spec.value)
                if spec.value:  # a suggested text is replaced by what is typed, not added to
                    widget.select_all()
            if spec.hint:
                self.query_one(f"#hint-{spec.name}", Static).update(Text(spec.hint(spec.value)))
            self.show_error(spec.name, "")
        self._focus_first()
        return True

    @property
    def changed(self) -> bool:
        """Whether anything was typed or chosen that the form did not start with."""
        if not self.is_mounted:
            return False

        def start(spec: FormField) -> str:
            if spec.kind != "select":
                return spec.value
            chosen = _choice(spec)
            return "" if chosen is Select.NULL else str(chosen)

        now = self.values()
        return any(now[spec.name].strip() != start(spec).strip() for spec in self.fields)

    def values(self) -> dict[str, str]:
        """What was typed, with any control character taken out (see text_safety)."""
        found: dict[str, str] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if spec.kind == "text":  # a TextArea
                found[spec.name] = widget.text  # type: ignore[attr-defined]
            elif isinstance(widget, Select):
                found[spec.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                found[spec.name] = widget.value
        return {name: clean(value) for name, value in found.items()}

    def show_error(self, name: str, message: str) -> None:
        _say(self.query_one(f"#error-{name}", Static), message)

    def _point_at(self, name: str) -> None:
        """Put the cursor in a field at fault, with its error in view (a long form scrolls)."""
        self.query_one(f"#field-{name}").focus()
        self.call_after_refresh(self.query_one(f"#error-{name}", Static).scroll_visible, animate=False)

    def action_submit_and_again(self) -> None:
        if self.another is None or self.saving:
            return
        self._again = True
        self.action_submit()

    def action_submit(self) -> None:
        if self.saving:
            return
        again, self._again = self._again, False
        values = self.values()
        failed: list[str] = []
        for spec in self.fields:
            message = spec.validate(values[spec.name]) if spec.validate else None
            self.show_error(spec.name, message or "")
            if message is not None:
                failed.append(spec.name)
        if failed:
            self._point_at(failed[0])
            return
        if self.save is None:
            self.dismiss(values)
            return
        self._again = again
        status = self.query_one("#form-status", Static)
        status.remove_class("-refused")
        _say(status, "")
        # Said only when a commit is slow (another program holding the file): a line that
        # came and went within a frame would lay the dialog out twice for nothing.
        self._saving_timer = self.set_timer(SAY_SAVING_AFTER, self._say_saving)
        self._save_values(values)

    @property
    def saving(self) -> bool:
        return self._saving_timer is not None

    def _say_saving(self) -> None:
        if self.saving:
            _say(self.query_one("#form-status", Static), "Saving…")

    def _done_saving(self) -> None:
        if self._saving_timer is not None:
            self._saving_timer.stop()
            self._saving_timer = None

    @work(thread=True, group="form-save", exit_on_error=False, description="Saving the form")
    def _save_values(self, values: dict[str, str]) -> Any:
        assert self.save is not None
        return self.save(values)

    def _not_saved(self, message: str, field: str | None = None) -> None:
        """Nothing was written: say why, under the field at fault when the form has it."""
        self._done_saving()
        status = self.query_one("#form-status", Static)
        if field is not None and any(spec.name == field for spec in self.fields):
            _say(status, "")
            self.show_error(field, message)
            self._point_at(field)
            return
        status.add_class("-refused")
        _say(status, message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The form closes with what its save returned, once that worker has finished; a
        failed save is said in the form. (Textual then calls the base classes' handlers too:
        WorkerErrors reports any other worker's failure.)"""
        worker = event.worker
        if worker.group != "form-save":
            return
        event.prevent_default()  # the form says how its save went: no toast beside it
        if event.state is WorkerState.SUCCESS and self._again and self.another is not None:
            self._next_one(worker.result)
        elif event.state is WorkerState.SUCCESS:
            self._done_saving()
            saved, self.save, self.saved = self.saved, None, None  # committed: never run again
            if saved is not None:
                saved(worker.result)
            self.dismiss(worker.result)
        elif event.state is WorkerState.ERROR and isinstance(worker.error, EditError):
            self._again = False
            self._not_saved(str(worker.error), worker.error.field)
        elif event.state is WorkerState.ERROR:
            self._again = False
            self.log.error(worker.error)
            self._not_saved(user_message(worker.error or RuntimeError()))

    def _next_one(self, result: Any) -> None:
        """Saved with ctrl+n: the screen beneath takes the change, and the form asks again,
        saying what it saved."""
        self._again = False
        save, saved, another = self.save, self.saved, self.another
        assert save is not None and another is not None
        if saved is not None:
            saved(result)
        title, fields, said = another(result)
        self.refill(title, fields)
        self.save, self.saved, self.another = save, saved, another
        status = self.query_one("#form-status", Static)
        status.remove_class("-refused")
        _say(status, said)

    def action_cancel(self) -> None:
        if not self.saving:  # the commit is under way: it closes the form in a moment
            self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#again")
    def _again_pressed(self) -> None:
        self.action_submit_and_again()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _next_or_submit(self, event: Input.Submitted) -> None:
        inputs = [w for w in self.query("Input, TextArea, Select") if w.id and w.id.startswith("field-")]
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    @on(Input.Changed)
    def _live_hint(self, event: Input.Changed) -> None:
        self._hint((event.input.id or "").removeprefix("field-"), event.value)

    def on_text_area_changed(self, event: Any) -> None:  # TextArea.Changed: its module loads late
        self._hint((event.text_area.id or "").removeprefix("field-"), event.text_area.text)

    def _hint(self, name: str, value: str) -> None:
        for spec in self.fields:
            if spec.name == name and spec.hint:
                _say(self.query_one(f"#hint-{name}", Static), spec.hint(value))


class OneLineOptions(OptionList):
    """A list of options, each on one line (cut short with an ellipsis if need be), laid out
    without measuring each one. Textual's OptionList works out every option's wrapped height
    to lay itself out, twice over for a list of height auto: 60-70 ms for the chair's 850
    scopes at 100,000 items, at the first asking and at every change of the list."""

    DEFAULT_CSS = """
    OneLineOptions {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.option_count

    def _update_lines(self) -> None:
        # As OptionList's own, with every option's height one (see there).
        if not self.scrollable_content_region:
            return
        cache = self._line_cache
        lines = cache.lines
        for index in range(lines[-1][0] + 1 if lines else 0, self.option_count):
            cache.index_to_line[index] = len(lines)
            cache.heights[index] = 1
            lines.append((index, 0))
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        virtual_size = Size(width, len(lines))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        return super()._get_option_render(option, style)[:1]


class ChoiceModal(Kept, TrackerModal):
    """Pick one option from a list; type to narrow it. Returns the option's value or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, options: Sequence[tuple[str, str]], *, filterable: bool = True) -> None:
        super().__init__()
        self.choice_title = title
        self.options = list(options)
        self.filterable = filterable and len(options) > 8

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice"):
            yield Label(Text(self.choice_title), classes="dialog-title")
            if self.filterable:
                yield Input(placeholder="Type to narrow the list", id="choice-filter")
            yield OneLineOptions(*self._options(""), id="choice-list")

    def _options(self, typed: str) -> list[Option]:
        words = typed.casefold().split()
        return [
            Option(Text(label), id=value)
            for label, value in self.options
            if all(word in label.casefold() for word in words)
        ]

    def on_mount(self) -> None:
        self.query_one("#choice-list", OptionList).highlighted = 0
        self.built = True

    def kept_as(self) -> str:
        """Choosers of one title (what is chosen)."""
        return f"choice:{self.choice_title}"

    def take(self, fresh: ChoiceModal) -> bool:
        """Ask ``fresh``'s options (see ask_again); False, and nothing changed, if it would
        have a typing box and this one has none, or the other way round."""
        if fresh.filterable != self.filterable:
            return False
        self.ask_again(fresh.options)
        return True

    @on(Input.Changed, "#choice-filter")
    def _narrow(self, event: Input.Changed) -> None:
        listing = self.query_one("#choice-list", OptionList)
        listing.clear_options()
        listing.add_options(self._options(event.value))
        listing.highlighted = 0 if listing.option_count else None

    @on(Input.Submitted, "#choice-filter")
    def _take_first(self) -> None:
        listing = self.query_one("#choice-list", OptionList)
        if listing.highlighted is not None:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    def key_down(self, event: events.Key) -> None:
        if self.filterable and self.query_one("#choice-filter", Input).has_focus:
            # Into the list, on the option highlighted: the key goes no further (the list,
            # focused, took it as its own and moved on past the first option).
            event.prevent_default()
            event.stop()
            self.query_one("#choice-list", OptionList).focus()

    def ask_again(self, options: Sequence[tuple[str, str]]) -> None:
        """(A chooser kept: see reused.) Asked again, over ``options``, as if new: nothing
        typed, the first option highlighted; the list rebuilt only if they changed, or were
        narrowed last time."""
        listing = self.query_one("#choice-list", OptionList)
        rebuild = list(options) != self.options
        if self.filterable:
            typed = self.query_one("#choice-filter", Input)
            if typed.value:
                with typed.prevent(Input.Changed):
                    typed.value = ""
                rebuild = True
            typed.focus()
        else:
            listing.focus()
        if rebuild:
            self.options = list(options)
            listing.clear_options()
            listing.add_options(self._options(""))
        listing.highlighted = 0 if listing.option_count else None

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(TrackerModal):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Static(Text(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class PickManyModal(TrackerModal):
    """Tick several options (space), enter to accept. Returns the chosen values or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="many.cancel"),
        Binding("enter", "accept", "Accept", id="many.accept", priority=True),
    ]

    def __init__(self, title: str, options: Sequence[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.pick_title = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList  # loaded when first asked: not at every start

        with Vertical(classes="dialog choice"):
            yield Label(Text(f"{self.pick_title} — space ticks, enter accepts"), classes="dialog-title")
            yield SelectionList[str](*[(Text(label), value, on) for label, value, on in self.options])

    def action_accept(self) -> None:
        from textual.widgets import SelectionList

        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


NOTE_LABEL = "Why? (recorded in history)"


def made_ahead(app: App[Any], fresh: Kept) -> bool:
    """Make ``fresh`` now, out of sight, as the screen :func:`reused` hands out for its kind (a
    form of these fields, say): its widgets made, styled and mounted while the user reads, so
    that the first asking of a form, or the first item opened, is as quick as the next. False,
    and nothing made, if one is kept."""
    name = fresh.kept_as()
    if app.is_screen_installed(name):
        return False
    fresh.ahead = True
    app.install_screen(cast(Screen[Any], fresh), name)
    # Registered and started as Textual starts a screen pushed for the first time; it is
    # laid out and painted when it is first asked.
    app._get_screen(name)
    return True


def reused(app: App[Any], fresh: K) -> K:
    """A screen kept installed in the app that stands for ``fresh`` (see Kept.kept_as), showing
    what ``fresh`` would (a form, its questions; an item's screen, the item); ``fresh`` itself
    the first time (it is installed, for next time) and whenever the installed one is open
    already (on the screen of another mode, say) or cannot take what ``fresh`` shows.

    A screen kept is shown again without being built, and closing it removes nothing.
    Building a form of eight fields took 80-120 ms at 100,000 items (its widgets made, styled
    and laid out), the log's filter form 0.5-0.8 s, the chair's chooser of 850 scopes 60-90
    ms, and an item's screen 15-25 ms of the 45-65 ms from Enter to the item shown; asking a
    form again, 30-50 ms. Call it once what is shown is known, just before the screen is
    shown: the one handed out counts as in use until it closes."""
    name = fresh.kept_as()
    shown = fresh
    if not app.is_screen_installed(name):
        app.install_screen(cast(Screen[Any], fresh), name)
    else:
        installed = app.get_screen(name)
        if (
            isinstance(installed, type(fresh))
            and installed.built  # not one still being made ahead
            and not _in_a_stack(app, installed)
            and installed.take(fresh)
        ):
            shown = installed
    return shown


def _in_a_stack(app: App[Any], screen: Screen[Any]) -> bool:
    """Open, on top or beneath, in any mode (the form another screen has open, say); such a
    screen is not shown again until it is closed, however it closes."""
    return any(screen in stack for stack in app._screen_stacks.values())


def note_field(label: str = NOTE_LABEL, default: str = "") -> FormField:
    """The "why?" every change to a rating, timescale, owner or wording asks for history."""
    return FormField("note", label, default, validate=required("A note"))


def note_form(
    title: str, default: str = "", *, label: str = NOTE_LABEL, context: Text | str = ""
) -> FormModal:
    """The one-line "why?" asked before a change."""
    return FormModal(title, [note_field(label, default)], context=context)
