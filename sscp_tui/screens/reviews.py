"""Every review with its kind, year, status and its items' counts by rating."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from sscp_tui.db.enums import ReviewKind, ReviewStatus
from sscp_tui.screens.authoring import Where, add_items, item_forms_ahead, paste_items
from sscp_tui.screens.base import TrackerScreen, cursor_id
from sscp_tui.screens.forms import FormField, FormModal, a_date, note_field, note_form, required
from sscp_tui.services.records import RATING_ORDER, ChangeResult, ItemFilter, ItemState, ReviewRecord
from sscp_tui.services.timescales import parse_date
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar
from sscp_tui.widgets.rating import fitted, flexible_width, rating_header, rating_key
from sscp_tui.widgets.rowtable import RowTable, fitted_columns

INTRO = (
    "Every review and its items by rating. Enter lists its items; n adds a review; "
    "a adds its recommendations and actions, v pastes several."
)


def _kind_text(kind: ReviewKind, variables: dict[str, str]) -> Text:
    """A review's type; one an import could not read is marked for someone to set."""
    if kind is ReviewKind.TO_CONFIRM:
        return Text("To confirm ⚠", style=f"bold {variables.get('warning', 'yellow')}")
    return Text(kind.value)


def _year_check(value: str) -> str | None:
    if value.strip() and not (value.strip().isdigit() and 1980 <= int(value) <= 2100):
        return "Give the year as four digits, such as 2021."
    return None


class ReviewsScreen(TrackerScreen):
    TITLE = "Reviews"
    BINDINGS: ClassVar = [
        Binding("enter", "open", "Open its items", id="reviews.open"),
        Binding("n", "new", "New review", id="reviews.new"),
        Binding("e", "edit", "Edit review", id="reviews.edit"),
        Binding("a,plus", "add_items", "Add items", id="reviews.add_items"),
        Binding("v", "paste_items", "Paste several", id="reviews.paste_items"),
        Binding("w", "withdraw", "Withdraw review", id="reviews.withdraw", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reviews: dict[int, ReviewRecord] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("reviews")
        yield Static(Text(INTRO), id="reviews-intro", classes="bar")
        # Drawn line by line: 800 reviews made into a Textual DataTable took 200 ms, and each
        # paint of it 50 ms more (at 100,000 items).
        yield RowTable(id="reviews-table", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(RowTable)
        table.set_columns(fitted_columns(self._headings(), []))  # the headings at once
        table.focus()
        self.load()

    def _headings(self) -> list[tuple[str, Text]]:
        ratings = [(rating_key(r), rating_header(r, self.app.theme_variables)) for r in RATING_ORDER]
        return [("kind", Text("Kind")), ("title", Text("Review")), ("year", Text("Year")),
                ("status", Text("Status")), *ratings, ("total", Text("Total"))]  # fmt: skip

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="reviews", exit_on_error=False)
    def load(self) -> None:
        reviews = self.tracker.reviews()
        self.app.call_from_thread(self.show, reviews)

    def on_resize(self) -> None:
        if self.reviews:
            self.show(list(self.reviews.values()))

    def show(self, reviews: list[ReviewRecord]) -> None:
        table = self.query_one(RowTable)
        row = table.cursor_row
        self.reviews = {r.id: r for r in reviews}
        kinds = [_kind_text(review.kind, self.app.theme_variables) for review in reviews]
        # The title takes what the other columns leave, so that every status and count fits.
        status = max((len(r.status.value) for r in reviews), default=6)
        others = [max((kind.cell_len for kind in kinds), default=4), 4, status, *[5] * len(RATING_ORDER), 5]
        width = flexible_width(self.size.width or 120, others)
        shown: list[tuple[str, list[Text]]] = []
        for review, kind in zip(reviews, kinds, strict=True):
            counts = [Text(str(review.counts.get(r, 0) or "·"), justify="right") for r in RATING_ORDER]
            shown.append((str(review.id), [
                kind,
                fitted(review.title, width),
                Text(str(review.year or "")),
                Text(review.status.value),
                *counts,
                Text(str(sum(review.counts.values())), justify="right"),
            ]))  # fmt: skip
        table.set_columns(fitted_columns(self._headings(), [cells for _key, cells in shown]))
        table.set_rows(shown, cursor_row=min(row, max(len(shown) - 1, 0)))
        unsure = sum(1 for review in reviews if review.kind is ReviewKind.TO_CONFIRM)
        intro = INTRO
        if unsure:
            which = "1 review has its type" if unsure == 1 else f"{unsure} reviews have their type"
            intro += f" {which} to confirm (⚠): e sets it, and the change is recorded."
        self.query_one("#reviews-intro", Static).update(Text(intro))

    def current(self) -> ReviewRecord | None:
        review_id = cursor_id(self.query_one(RowTable))
        return self.reviews.get(review_id) if review_id is not None else None

    @on(RowTable.RowSelected)
    def action_open(self) -> None:
        review = self.current()
        if review:
            self.sscp.open_log(ItemFilter(review_id=review.id, state=ItemState.ALL))

    def action_add_items(self) -> None:
        review = self.current()
        if review is None:
            self.say("Add a review first (n), then its recommendations.", severity="warning")
            return
        add_items(self, Where.review(review))

    def action_paste_items(self) -> None:
        review = self.current()
        if review is None:
            self.say("Add a review first (n), then paste its recommendations.", severity="warning")
            return
        paste_items(self, Where.review(review))

    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        return [
            lambda: FormModal("", self.fields(None)),
            *item_forms_ahead(self.tracker, actions_only=False),
            lambda: note_form(""),
        ]

    def action_new(self) -> None:
        self.edit_review("New review", None)

    def action_edit(self) -> None:
        review = self.current()
        if review:
            self.edit_review(f"Edit {review.label}", review)

    def action_withdraw(self) -> None:
        """A review added by mistake withdrawn, with why: kept, and recorded in history."""
        review = self.current()
        if review is None:
            self.say("Choose a review to withdraw.", severity="warning")
            return
        review_id, label = review.id, review.label

        def withdraw(values: dict[str, str], seen: int | None) -> tuple[ChangeResult, str]:
            result = self.tracker.withdraw_review(review_id, values["note"], seen=seen)
            return result, f"Withdrawn: {label} leaves the reviews, packs and exports; its history keeps it."

        form = FormModal(f"Withdraw {label}, added by mistake?",
                         [note_field("Why is it withdrawn? (history keeps it)")],
                         submit="Withdraw")  # fmt: skip
        self.save_in_form(form, withdraw)

    def edit_review(self, title: str, review: ReviewRecord | None) -> None:
        """The review's form; Save commits it and the form stays open until it has (a refusal
        is said in the form, with what was typed still there)."""
        form = FormModal(title, self.fields(review))
        review_id = review.id if review else None

        def commit(values: dict[str, str], seen: int | None) -> tuple[ChangeResult, str]:
            typed = _typed_review(values)
            result = self.tracker.save_review(review_id, typed, "Edited on the Reviews screen", seen=seen)
            return result, f"Saved the review {typed['title']}."

        self.save_in_form(form, commit)

    def fields(self, review: ReviewRecord | None) -> list[FormField]:
        def day(value: date | None) -> str:
            return value.strftime("%d/%m/%Y") if value else ""

        return [
            FormField("kind", "Kind", review.kind.value if review else ReviewKind.LCSPR.value, kind="select",
                      options=[(k.value, k.value) for k in ReviewKind
                               if k is not ReviewKind.TO_CONFIRM or (review and review.kind is k)],
                      blank=None),
            FormField("title", "Title (the anonymised subject, e.g. Child A)", review.title if review else "",
                      validate=required("A title")),
            FormField("year", "Year", str(review.year or "") if review else "", validate=_year_check),
            FormField("status", "Status", review.status.value if review else ReviewStatus.COMMISSIONED.value,
                      kind="select", options=[(s.value, s.value) for s in ReviewStatus], blank=None),
            FormField("commissioned_on", "Commissioned on (DD/MM/YYYY)",
                      day(review.commissioned_on) if review else "", validate=a_date(optional=True)),
            FormField("published_on", "Published on", day(review.published_on) if review else "",
                      validate=a_date(optional=True)),
            FormField("closed_on", "Closed on", day(review.closed_on) if review else "",
                      validate=a_date(optional=True)),
            FormField("notes", "Notes", review.notes if review else "", kind="text"),
        ]  # fmt: skip


def _typed_review(values: dict[str, str]) -> dict[str, object]:
    """The review form's values as the catalog takes them (the form has checked them)."""
    typed: dict[str, object] = {
        "kind": values["kind"],
        "title": values["title"].strip(),
        "year": int(values["year"]) if values["year"].strip() else None,
        "status": values["status"],
        "notes": values["notes"],
    }
    for name in ("commissioned_on", "published_on", "closed_on"):
        typed[name] = parse_date(values[name]) if values[name].strip() else None
    return typed
