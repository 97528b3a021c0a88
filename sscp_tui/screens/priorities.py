"""Strategic plans → priorities → actions, as a tree with ratings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static, Tree

from sscp_tui.db.enums import Rating
from sscp_tui.screens.authoring import (
    Where,
    add_items,
    add_priority,
    edit_plan,
    fields_after,
    item_forms_ahead,
    paste_items,
    plan_fields,
)
from sscp_tui.screens.base import TrackerScreen
from sscp_tui.screens.forms import FormField, FormModal, note_field, note_form, required
from sscp_tui.screens.item_actions import EDIT_BINDINGS, ItemActions
from sscp_tui.services.records import (
    ChangeResult,
    ItemFilter,
    ItemRow,
    ItemState,
    PlanRecord,
    PriorityRecord,
)
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rating import rating_text


@dataclass(frozen=True)
class Node:
    kind: str  # plan, priority, action
    id: int


class PrioritiesScreen(ItemActions, TrackerScreen):
    TITLE = "Priorities"
    BINDINGS: ClassVar = [
        Binding("enter", "open", "Open", id="priorities.open", show=False),
        Binding("g", "rate_node('green')", "Green", id="priorities.green"),
        Binding("a", "rate_node('amber')", "Amber", id="priorities.amber"),
        Binding("r", "rate_node('red')", "Red", id="priorities.red"),
        Binding("b", "complete", "Blue (action)", id="priorities.blue", show=False),
        Binding("plus", "add_here", "Add", id="priorities.add"),
        Binding("v", "paste_actions", "Paste actions", id="priorities.paste", show=False),
        Binding("N", "new_plan", "New plan", id="priorities.new_plan"),
        *EDIT_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("priorities")
        yield Static(Text("Plans, their priorities and actions. Rate a priority or an action with g, a or r; "
                          "enter opens an action; + adds a priority to a plan or an action to a priority "
                          "(v pastes several); N adds a plan."), classes="bar")  # fmt: skip
        yield Tree[Node](Text("Strategic plans"), id="tree")
        yield KeyBar()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.focus()
        self.load()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="priorities", exit_on_error=False)
    def load(self) -> None:
        plans = self.tracker.plans()
        actions = {
            p.id: self.tracker.page(
                ItemFilter(priority_id=p.id, state=ItemState.ALL), limit=500, with_total=False
            ).rows
            for plan in plans
            for p in plan.priorities
        }
        self.app.call_from_thread(self.show, plans, actions)

    def show(self, plans: list[PlanRecord], actions: dict[int, tuple[ItemRow, ...]]) -> None:
        tree = self.query_one(Tree)
        expanded = {n.data for n in _walk(tree.root) if n.is_expanded and n.data}
        cursor = tree.cursor_node.data if tree.cursor_node else None
        tree.clear()
        variables = self.app.theme_variables
        for index, plan in enumerate(plans):
            plan_node = tree.root.add(
                Text(f"{plan.title} ({plan.period})", style="bold"), Node("plan", plan.id)
            )
            for priority in plan.priorities:
                label = rating_text(priority.rating, variables)
                label.append(f"  {priority.number}. {priority.title}")
                node = plan_node.add(label, Node("priority", priority.id))
                for row in sorted(actions.get(priority.id, ()), key=lambda r: r.reference):
                    text = rating_text(row.rating, variables)
                    due = f"{row.due_on:%d %b %Y}" if row.due_on else (row.timescale or "no timescale")
                    summary = " ".join(row.text.split())[:90]
                    text.append(f"  {row.reference}  {summary}  · {row.lead_agency or '—'} · {due}")
                    node.add_leaf(text, Node("action", row.id))
                if Node("priority", priority.id) in expanded:
                    node.expand()
            if index == 0 or Node("plan", plan.id) in expanded:
                plan_node.expand()
        if cursor is not None:
            for node in _walk(tree.root):
                if node.data == cursor:
                    tree.move_cursor(node)
                    break

    def current(self) -> Node | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node else None

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Node]) -> None:
        if event.node.data and event.node.data.kind == "action":
            self.open_item(event.node.data.id)

    def action_open(self) -> None:
        node = self.current()
        if node and node.kind == "action":
            self.open_item(node.id)

    def action_rate_node(self, value: str) -> None:
        node = self.current()
        if node is None or node.kind == "plan":
            self.say("Choose a priority or an action to rate.", severity="warning")
            return
        if node.kind == "action":
            self.action_rate(value)
            return
        rating = Rating(value)
        priority_id = node.id

        def rate(values: dict[str, str], seen: int | None) -> tuple[ChangeResult, str]:
            result = self.tracker.set_priority_rating(priority_id, rating, values["note"], seen=seen)
            return result, f"Saved: priority rated {rating.label}."

        self.save_in_form(note_form(f"Rate this priority {rating.label}"), rate)

    # --- adding ----------------------------------------------------------------------------
    def _plan(self, node: Node) -> PlanRecord | None:
        """The plan of a node: itself, its priority's, its action's."""
        plans = self.tracker.plans()
        if node.kind == "plan":
            return next((plan for plan in plans if plan.id == node.id), None)
        priority = self._priority(node, plans)
        return next((plan for plan in plans if priority and plan.id == priority.plan_id), None)

    def _priority(self, node: Node, plans: list[PlanRecord] | None = None) -> PriorityRecord | None:
        if node.kind == "action":
            parent = self.query_one(Tree).cursor_node
            parent = parent.parent if parent else None
            node = parent.data if parent and parent.data else node
        if node.kind != "priority":
            return None
        every = [
            p for plan in (plans if plans is not None else self.tracker.plans()) for p in plan.priorities
        ]
        return next((p for p in every if p.id == node.id), None)

    def action_add_here(self) -> None:
        node = self.current()
        if node is None:
            self.action_new_plan()
            return
        if node.kind == "plan":
            plan = self._plan(node)
            if plan is not None:
                add_priority(self, plan)
            return
        priority = self._priority(node)
        if priority is not None:
            add_items(self, Where.priority(priority))

    def action_paste_actions(self) -> None:
        node = self.current()
        priority = self._priority(node) if node else None
        if priority is None:
            self.say(
                "Choose a priority (or one of its actions) to paste its actions into.", severity="warning"
            )
            return
        paste_items(self, Where.priority(priority))

    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        return [
            *super().forms_ahead(),
            *item_forms_ahead(self.tracker, actions_only=True),
            lambda: FormModal("", fields_after([])),
            lambda: FormModal("", _priority_fields(None)),
            lambda: FormModal("", plan_fields(None)),
        ]

    def action_new_plan(self) -> None:
        edit_plan(self, None)

    def action_edit(self) -> None:
        node = self.current()
        if node is not None and node.kind == "plan":
            plan = self._plan(node)
            if plan is not None:
                edit_plan(self, plan)
            return
        if node is None or node.kind != "priority":
            super().action_edit()
            return
        priority = next(
            (p for plan in self.tracker.plans() for p in plan.priorities if p.id == node.id), None
        )
        if priority is None:
            return
        fields = _priority_fields(priority)
        priority_id = node.id

        def edit(values: dict[str, str], seen: int | None) -> tuple[ChangeResult, str]:
            result = self.tracker.update_priority(
                priority_id, values["title"], values["objective"], values["note"], seen=seen
            )
            return result, "Saved the priority."

        self.save_in_form(FormModal(f"Edit priority {priority.number}", fields), edit)

    # --- ItemActions (actions only) --------------------------------------------------------
    def target_ids(self) -> list[int]:
        node = self.current()
        return [node.id] if node and node.kind == "action" else []

    def after_edit(self, result: ChangeResult, message: str, rows: Sequence[ItemRow]) -> None:
        self.say(message)
        self.load()


def _walk(node: object) -> list:  # type: ignore[type-arg]
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(getattr(current, "children", []))
    return found[1:]


def _priority_fields(priority: PriorityRecord | None) -> list[FormField]:
    return [
        FormField("title", "Title", priority.title if priority else "", validate=required("A title")),
        FormField("objective", "Strategic objective", priority.objective if priority else "", kind="text"),
        note_field(),
    ]
