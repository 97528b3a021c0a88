"""Forms that add to the log: a review's recommendations and actions (one at a time, "save
and add another", or several pasted at once), a plan, a plan's priorities and their actions.

Every form checks what it is given as an import would: an agency the tracker lacks is
offered for creation (save again to add it), a timescale is shown as it was read, and text
is kept as typed (markup and formula-like text stay text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.widgets import Input, Select

from sscp_tui.db.enums import ItemKind
from sscp_tui.errors import EditError
from sscp_tui.screens.forms import FormField, FormModal, a_timescale, required, reused
from sscp_tui.screens.item_actions import agency_choices, timescale_hint
from sscp_tui.services import authoring
from sscp_tui.services.edits import NewItem
from sscp_tui.services.records import ChangeResult, PlanRecord, PriorityRecord, ReviewRecord

if TYPE_CHECKING:
    from sscp_tui.screens.base import TrackerScreen
    from sscp_tui.services.tracker import Tracker

AGENCY_NAME_LIMIT = 40  # an agency added from a form is named by what was typed, its short name too


@dataclass(frozen=True)
class Where:
    """What new items belong to: a review or a plan's priority, as its forms name it."""

    label: str
    review_id: int | None = None
    priority_id: int | None = None

    @classmethod
    def review(cls, review: ReviewRecord) -> Where:
        return cls(review.label, review_id=review.id)

    @classmethod
    def priority(cls, priority: PriorityRecord) -> Where:
        return cls(f"priority {priority.number} of {priority.plan_title}", priority_id=priority.id)

    @property
    def actions_only(self) -> bool:
        return self.priority_id is not None  # a priority's items are its actions

    def references(self, tracker: Tracker) -> list[tuple[int, str, ItemKind]]:
        return tracker.references(review_id=self.review_id, priority_id=self.priority_id)


Known = list[tuple[int, str, ItemKind]]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


RECOMMENDATION = ItemKind.RECOMMENDATION.value
ACTION = f"{ItemKind.ACTION.value}:"  # an action; with an item's id after it, one of that recommendation


def _kinds(known: Known, plural: bool = False) -> list[tuple[str, str]]:
    """What a new item of a review is: a recommendation, or an action (of a recommendation)."""
    these, actions = ("Recommendations", "Actions") if plural else ("A recommendation", "An action")
    return [
        (these, RECOMMENDATION),
        *[(f"{actions} of recommendation {ref}", f"{ACTION}{item_id}") for item_id, ref, kind in known
          if kind is ItemKind.RECOMMENDATION],
        (f"{actions} of no recommendation", ACTION),
    ]  # fmt: skip


def _kind_of(value: str) -> tuple[ItemKind, int | None]:
    """A kind choice as the item's kind and its parent's id."""
    if not value.startswith(ACTION):
        return ItemKind.RECOMMENDATION, None
    parent = value.removeprefix(ACTION)
    return ItemKind.ACTION, int(parent) if parent else None


def _suggested(known: Known, kind: str) -> str:
    chosen, parent_id = _kind_of(kind)
    references = [ref for _id, ref, _kind in known]
    if parent_id is not None:
        parent = next((ref for item_id, ref, _kind in known if item_id == parent_id), "")
        return authoring.suggest(references, parent)
    if chosen is ItemKind.RECOMMENDATION:
        return authoring.suggest([ref for _id, ref, k in known if k is ItemKind.RECOMMENDATION])
    return authoring.suggest(references)


class ItemForm(FormModal):
    """A form for new items whose reference follows the kind chosen (and the recommendation
    of an action): it is suggested again when that changes, unless the user has typed one of
    their own."""

    def __init__(self, title: str, fields: Sequence[FormField], known: Known, **kwargs: Any) -> None:
        super().__init__(title, fields, **kwargs)
        self.known = known
        self.suggestion = next((f.value for f in fields if f.name == "reference"), "")

    def take(self, fresh: FormModal) -> bool:
        if not isinstance(fresh, ItemForm) or not super().take(fresh):
            return False
        self.known, self.suggestion = fresh.known, fresh.suggestion
        return True

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "field-kind" or not self.built:
            return  # (a form still being made, ahead: its fields are not all there yet)
        reference = self.query_one("#field-reference", Input)
        if reference.value != self.suggestion:
            return  # the user's own reference stands
        self.suggestion = _suggested(self.known, self.values().get("kind", ACTION))
        reference.value = self.suggestion
        reference.cursor_position = len(self.suggestion)


def item_fields(where: Where, known: Known, agencies: list[tuple[str, str]], *, kind: str) -> list[FormField]:
    """The questions a new item is asked. ``kind`` carries over from the one before; the
    reference is suggested after the last."""
    fields: list[FormField] = []
    if not where.actions_only:
        fields.append(FormField("kind", "It is", kind, kind="select", blank=None, options=_kinds(known)))
    fields += [
        FormField("reference", "Reference (suggested after the last)", _suggested(known, kind),
                  validate=required("A reference")),
        FormField("text", "Text, as the report gives it", kind="text", validate=required("The text")),
        FormField("themes", "Themes (separated by ;)"),
        FormField("lead_agency", "Lead agency", kind="select", options=agencies),
        FormField("supporting_agencies", "Supporting agencies (short names, separated by ;)"),
        FormField("timescale", "Timescale, as agreed (e.g. 31/03/2027, March 2027, Q4 2026-27)",
                  hint=timescale_hint, validate=a_timescale),
        FormField("owner", "Owner (a role)"),
    ]  # fmt: skip
    return fields


class _AgencyCheck:
    """Supporting agencies the tracker lacks are offered, not refused: the first save says
    so, and saving again with the same names adds them."""

    def __init__(self, agencies: list[tuple[str, str]]) -> None:
        self.known = {short.casefold(): short for _, short in agencies}
        self.known.update({label.split(" — ", 1)[-1].casefold(): short for label, short in agencies})
        self.offered: set[str] = set()

    def resolve(self, typed: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(every agency as its short name, the ones to add)."""
        names = _split(typed)
        unknown = [n for n in names if n.casefold() not in self.known]
        for name in unknown:
            if len(name) > AGENCY_NAME_LIMIT:
                raise EditError(f"'{name[:50]}' is not an agency in the tracker, and too long to add as one: "
                                "use its short name, or add it on the Agencies screen (F6).",
                                "supporting_agencies")  # fmt: skip
        if unknown and {n.casefold() for n in unknown} != self.offered:
            self.offered = {n.casefold() for n in unknown}
            listed = ", ".join(f"'{n}'" for n in unknown)
            one = len(unknown) == 1
            raise EditError(f"{listed} {'is not an agency' if one else 'are not agencies'} in the tracker: "
                            f"save again to add {'it' if one else 'them'}, or correct the name.",
                            "supporting_agencies")  # fmt: skip
        return tuple(self.known.get(n.casefold(), n) for n in names), tuple(unknown)


def add_items(screen: TrackerScreen, where: Where, *, kind: str = "") -> None:
    """The form for a new item of ``where``; "save and add another" keeps it open for the next."""
    tracker = screen.tracker
    agencies = agency_choices(tracker, active_only=True)
    known = where.references(tracker)
    kind = kind or (ACTION if where.actions_only else RECOMMENDATION)
    check = _AgencyCheck(agencies)

    def title() -> str:
        return f"Add to {where.label}"

    def save(values: dict[str, str]) -> tuple[ChangeResult, str, Known, dict[str, str]]:
        supporting, unknown = check.resolve(values["supporting_agencies"])
        chosen, parent_id = _kind_of(values.get("kind", ACTION))
        new = NewItem(kind=chosen, reference=values["reference"], text=values["text"],
                      review_id=where.review_id, priority_id=where.priority_id, parent_id=parent_id,
                      lead_agency=values["lead_agency"] or None, supporting_agencies=supporting,
                      themes=tuple(_split(values["themes"])), timescale=values["timescale"].strip(),
                      owner=values["owner"].strip())  # fmt: skip
        result = tracker.create_item(new, f"Added on the {screen.TITLE} screen", new_agencies=unknown)
        added = f" (and the agency {', '.join(unknown)})" if unknown else ""
        message = f"Added {chosen.value} {new.reference.strip()} to {where.label}{added}."
        return result, message, where.references(tracker), values

    def saved(outcome: tuple[ChangeResult, str, Known, dict[str, str]]) -> None:
        screen._saved_and_said((outcome[0], outcome[1]))

    def another(outcome: tuple[ChangeResult, str, Known, dict[str, str]]) -> tuple[str, list[FormField], str]:
        _result, message, now_known, values = outcome
        form.known = now_known
        fields = item_fields(where, now_known, agencies, kind=values.get("kind") or kind)
        form.suggestion = next(f.value for f in fields if f.name == "reference")
        return title(), fields, f"{message} Now the next one."

    if screen.refused_read_only():
        return
    form = reused(
        screen.app, ItemForm(title(), item_fields(where, known, agencies, kind=kind), known, focus="text")
    )
    form.commit_with(save, saved, another)
    screen.app.push_screen(form)


def paste_items(screen: TrackerScreen, where: Where) -> None:
    """Several items at once, pasted one per line from a published report."""
    tracker = screen.tracker
    agencies = agency_choices(tracker, active_only=True)
    known = where.references(tracker)
    references = [ref for _id, ref, _kind in known]
    noun = "action" if where.actions_only else "recommendation"

    def read(values: dict[str, str]) -> list[authoring.Pasted]:
        _chosen, parent_id = _kind_of(values.get("kind", ACTION))
        parent = next((ref for item_id, ref, _kind in known if item_id == parent_id), "")
        return authoring.numbered(authoring.read_pasted(values["pasted"]), references, parent)

    def hint(typed: str) -> str:
        return authoring.describe(authoring.numbered(authoring.read_pasted(typed), references), noun)

    fields = paste_fields(where, known, agencies, hint)

    def save(values: dict[str, str], _seen: int | None) -> tuple[ChangeResult, str]:  # new items: no clash
        chosen, parent_id = _kind_of(values.get("kind", ACTION))
        pasted = read(values)
        if not pasted:
            raise EditError("Paste at least one, one per line.", "pasted")
        clash = _repeated([p.reference for p in pasted])
        if clash:
            raise EditError(f"The reference {clash} is given twice; correct one of them.", "pasted")
        new = [NewItem(kind=chosen, reference=p.reference, text=p.text, review_id=where.review_id,
                       priority_id=where.priority_id, parent_id=parent_id,
                       lead_agency=values["lead_agency"] or None,
                       timescale=values["timescale"].strip()) for p in pasted]  # fmt: skip
        try:
            result = tracker.create_items(new, f"Pasted on the {screen.TITLE} screen")
        except EditError as exc:
            raise EditError(str(exc), "pasted") from exc  # nothing was added: say it at the box
        plural = chosen.value if len(new) == 1 else f"{chosen.value}s"
        span = f"{pasted[0].reference}–{pasted[-1].reference}" if len(new) > 1 else pasted[0].reference
        return result, f"Added {len(new)} {plural} to {where.label}: {span}."

    form = FormModal(f"Paste {noun}s into {where.label}", fields, submit="Add them", focus="pasted")
    screen.save_in_form(form, save)


def paste_fields(
    where: Where, known: Known, agencies: list[tuple[str, str]], hint: Callable[[str], str]
) -> list[FormField]:
    fields: list[FormField] = []
    if not where.actions_only:
        fields.append(FormField("kind", "They are", RECOMMENDATION, kind="select", blank=None,
                                options=_kinds(known, plural=True)))  # fmt: skip
    fields += [
        FormField("pasted", "One per line; a leading 1. or 1.1 is read as the reference",
                  kind="text", validate=_some_pasted, hint=hint),
        FormField("lead_agency", "Lead agency (for all of them; each can be changed later)", kind="select",
                  options=agencies),
        FormField("timescale", "Timescale (for all of them)", hint=timescale_hint, validate=a_timescale),
    ]  # fmt: skip
    return fields


def item_forms_ahead(tracker: Tracker, *, actions_only: bool) -> list[Callable[[], FormModal]]:
    """The forms for new items (one at a time, and pasted) of a review, or of a priority
    (``actions_only``), to be made ahead: see TrackerScreen.forms_ahead."""
    where = Where("", priority_id=0) if actions_only else Where("", review_id=0)
    kind = ACTION if actions_only else RECOMMENDATION
    return [
        lambda: ItemForm(
            "", item_fields(where, [], agency_choices(tracker, active_only=True), kind=kind), [], focus="text"
        ),
        lambda: FormModal(
            "",
            paste_fields(where, [], agency_choices(tracker, active_only=True), str),
            submit="Add them",
            focus="pasted",
        ),
    ]


def _some_pasted(value: str) -> str | None:
    return None if authoring.read_pasted(value) else "Paste at least one, one per line."


def _repeated(references: list[str]) -> str:
    seen: set[str] = set()
    for reference in references:
        key = reference.strip().casefold()
        if key in seen:
            return reference
        seen.add(key)
    return ""


# --- plans and priorities ------------------------------------------------------------------
def edit_plan(screen: TrackerScreen, plan: PlanRecord | None) -> None:
    """A new strategic plan (``plan`` None), or a change to one's title and period."""
    tracker = screen.tracker
    fields = plan_fields(plan)
    plan_id = plan.id if plan else None

    def save(values: dict[str, str], seen: int | None) -> tuple[ChangeResult, str]:
        note = f"{'Edited' if plan else 'Added'} on the {screen.TITLE} screen"
        result = tracker.save_plan(plan_id, values["title"], values["period"], note, seen=seen)
        return result, f"Saved the plan {values['title'].strip()}."

    screen.save_in_form(FormModal("Edit the plan" if plan else "Add a strategic plan", fields), save)


def plan_fields(plan: PlanRecord | None) -> list[FormField]:
    return [
        FormField("title", "Title (e.g. Strategic plan 2024-27)", plan.title if plan else "",
                  validate=required("A title")),
        FormField("period", "Period (e.g. 2024-2027)", plan.period if plan else ""),
    ]  # fmt: skip


def fields_after(numbers: list[str]) -> list[FormField]:
    """A new priority's, numbered after ``numbers``."""
    return [
        FormField("number", "Number", authoring.suggest(numbers), validate=required("A number")),
        FormField("title", "Title (e.g. Neglect)", validate=required("A title")),
        FormField("objective", "Strategic objective", kind="text"),
    ]


def add_priority(screen: TrackerScreen, plan: PlanRecord) -> None:
    """A new priority of ``plan``, numbered after its last; "save and add another" for the next."""
    tracker = screen.tracker
    numbers = [p.number for p in plan.priorities]

    def save(values: dict[str, str]) -> tuple[ChangeResult, str, str]:
        result = tracker.add_priority(plan.id, values["number"], values["title"], values["objective"],
                                      f"Added on the {screen.TITLE} screen")  # fmt: skip
        return result, f"Added priority {values['number'].strip()} to {plan.title}.", values["number"].strip()

    def saved(outcome: tuple[ChangeResult, str, str]) -> None:
        screen._saved_and_said((outcome[0], outcome[1]))

    def another(outcome: tuple[ChangeResult, str, str]) -> tuple[str, list[FormField], str]:
        numbers.append(outcome[2])
        return f"Add a priority to {plan.title}", fields_after(numbers), f"{outcome[1]} Now the next one."

    if screen.refused_read_only():
        return
    form = reused(
        screen.app, FormModal(f"Add a priority to {plan.title}", fields_after(numbers), focus="title")
    )
    form.commit_with(save, saved, another)
    screen.app.push_screen(form)
