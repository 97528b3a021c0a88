"""The log's filter: described in words, edited in a form, saved as a named view."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sscp_tui.db.enums import ItemKind, Rating, ReviewKind
from sscp_tui.screens.forms import FormField, FormModal
from sscp_tui.services.records import AlertKind, ItemFilter, ItemState, SortKey, rating_label
from sscp_tui.views import SavedView

if TYPE_CHECKING:
    from sscp_tui.services.tracker import Tracker

RATING_CHOICES: dict[str, frozenset[Rating | None]] = {
    "red": frozenset({Rating.RED}),
    "amber": frozenset({Rating.AMBER}),
    "red+amber": frozenset({Rating.RED, Rating.AMBER}),
    "green": frozenset({Rating.GREEN}),
    "blue": frozenset({Rating.BLUE}),
    "unrated": frozenset({None}),
}
ANY = "(any)"  # a filter's choice left empty: it does not narrow the log
RATING_CHOICE_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "red+amber": "Red or Amber",
    "green": "Green",
    "blue": "Blue",
    "unrated": "Unrated",
}


def _ratings_key(ratings: frozenset[Rating | None]) -> str:
    for key, value in RATING_CHOICES.items():
        if value == ratings:
            return key
    return ""


def describe_filter(f: ItemFilter, tracker_of: Callable[[], Tracker]) -> str:
    """The filter in words. The tracker is asked for only to name an agency, review or theme."""
    parts: list[str] = []
    if f.agency_id is not None:
        names = {a.id: a.short_name for a in tracker_of().agencies()}
        role = "lead" if f.lead_only else "lead or supporting"
        parts.append(f"agency {names.get(f.agency_id, '?')} ({role})")
    if f.ratings:
        order = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.BLUE, None]
        parts.append("rating " + " or ".join(rating_label(r) for r in order if r in f.ratings))
    if f.review_id is not None:
        labels = dict(tracker_of().review_labels())
        parts.append(f"review {labels.get(f.review_id, '?')}")
    if f.review_kind is not None:
        parts.append(f"kind of review {f.review_kind.value}")
    if f.theme_id is not None:
        themes = dict(tracker_of().themes())
        parts.append(f"theme {themes.get(f.theme_id, '?')}")
    if f.alert is not None:
        parts.append(f"alert {f.alert.value}")
    if f.kind is not None:
        parts.append(f"{f.kind.value}s only")
    if f.priority_id is not None:
        parts.append("one priority's actions")
    if f.revised_at_least:
        parts.append(f"revised {f.revised_at_least}+ times")
    if f.awaiting_impact:
        parts.append("delivered, awaiting evidence of impact")
    if f.proposals:
        parts.append("rating proposed, not yet answered")
    if f.text:
        parts.append(f"text “{f.text}”")
    state = {
        ItemState.OPEN: "open items",
        ItemState.CLOSED: "closed (Blue) items",
        ItemState.ALL: "all items",
    }
    lead = state[f.state]
    return f"{lead} · " + " · ".join(parts) + "   (x clears)" if parts else f"{lead}, no filter"


def filter_form(f: ItemFilter, tracker: Tracker) -> FormModal:
    agencies = [(f"{a.short_name} — {a.name}", str(a.id)) for a in tracker.agencies()]
    reviews = [(label, str(review_id)) for review_id, label in tracker.review_labels()]
    themes = [(name, str(theme_id)) for theme_id, name in tracker.themes()]
    fields = [
        FormField("agency", "Agency", str(f.agency_id or ""), kind="select", options=agencies, blank=ANY),
        FormField("role", "Agency's part", "lead" if f.lead_only else "any", kind="select",
                  options=[("Lead or supporting", "any"), ("Lead only", "lead")], blank=None),
        FormField("rating", "Rating", _ratings_key(f.ratings), kind="select",
                  options=[(label, key) for key, label in RATING_CHOICE_LABELS.items()], blank=ANY),
        FormField("review", "Review", str(f.review_id or ""), kind="select", options=reviews, blank=ANY),
        FormField("review_kind", "Kind of review", f.review_kind.value if f.review_kind else "",
                  kind="select", options=[(k.value, k.value) for k in ReviewKind], blank=ANY),
        FormField("theme", "Theme", str(f.theme_id or ""), kind="select", options=themes, blank=ANY),
        FormField("alert", "Alert", f.alert.value if f.alert else "", kind="select",
                  options=[(a.label, a.value) for a in AlertKind], blank=ANY),
        FormField("kind", "Recommendations or actions", f.kind.value if f.kind else "", kind="select",
                  options=[("Recommendations", ItemKind.RECOMMENDATION.value),
                           ("Actions", ItemKind.ACTION.value)], blank=ANY),
        FormField("state", "Open or closed", f.state.value, kind="select",
                  options=[("Open items", "open"), ("Closed (Blue) items", "closed"), ("All items", "all")],
                  blank=None),
        FormField("revised", "Timescale revised", str(f.revised_at_least or ""), kind="select",
                  options=[(f"{n}+ times", str(n)) for n in (1, 2, 3)], blank=ANY),
        FormField("awaiting", "Delivered, awaiting evidence of impact", "yes" if f.awaiting_impact else "",
                  kind="select", options=[("Only those", "yes")], blank=ANY),
        FormField("proposals", "A rating proposed in the latest update", "yes" if f.proposals else "",
                  kind="select", options=[("Only those not yet answered", "yes")], blank=ANY),
    ]  # fmt: skip
    return FormModal("Filter the log", fields, submit="Apply")


def filter_from_values(values: dict[str, str], text: str) -> ItemFilter:
    def number(name: str) -> int | None:
        return int(values[name]) if values.get(name) else None

    return ItemFilter(
        agency_id=number("agency"),
        lead_only=values.get("role") == "lead",
        ratings=RATING_CHOICES.get(values.get("rating", ""), frozenset()),
        review_id=number("review"),
        review_kind=ReviewKind(values["review_kind"]) if values.get("review_kind") else None,
        theme_id=number("theme"),
        alert=AlertKind(values["alert"]) if values.get("alert") else None,
        kind=ItemKind(values["kind"]) if values.get("kind") else None,
        state=ItemState(values.get("state") or "open"),
        text=text,
        revised_at_least=number("revised") or 0,
        awaiting_impact=values.get("awaiting") == "yes",
        proposals=values.get("proposals") == "yes",
    )


def view_from_filter(
    name: str, f: ItemFilter, tracker: Tracker, sort: SortKey, descending: bool
) -> SavedView:
    agencies = {a.id: a.short_name for a in tracker.agencies()}
    reviews = dict(tracker.review_labels())
    themes = dict(tracker.themes())
    return SavedView(
        name=name,
        agency=agencies.get(f.agency_id) if f.agency_id else None,
        lead_only=f.lead_only,
        ratings=tuple(sorted(r.value if r else "unrated" for r in f.ratings)),
        review=reviews.get(f.review_id) if f.review_id else None,
        review_kind=f.review_kind.value if f.review_kind else None,
        theme=themes.get(f.theme_id) if f.theme_id else None,
        alert=f.alert.value if f.alert else None,
        text=f.text,
        state=f.state.value,
        revised_at_least=f.revised_at_least,
        awaiting_impact=f.awaiting_impact,
        proposals=f.proposals,
        sort=sort.value,
        descending=descending,
    )


def missing_from_view(view: SavedView, f: ItemFilter) -> list[str]:
    """What a view names that the tracker no longer has (so its filter leaves it out)."""
    named = (
        ("agency", view.agency, f.agency_id),
        ("review", view.review, f.review_id),
        ("theme", view.theme, f.theme_id),
    )
    return [f"{what} '{name}'" for what, name, found in named if name and found is None]


def filter_from_view(view: SavedView, tracker: Tracker) -> ItemFilter:
    agency_id, review_id, theme_id = tracker.ids_named(
        agency=view.agency, review=view.review, theme=view.theme
    )
    return ItemFilter(
        agency_id=agency_id,
        lead_only=view.lead_only,
        ratings=frozenset(None if r == "unrated" else Rating(r) for r in view.ratings),
        review_id=review_id,
        review_kind=ReviewKind(view.review_kind) if view.review_kind else None,
        theme_id=theme_id,
        alert=AlertKind(view.alert) if view.alert else None,
        text=view.text,
        state=ItemState(view.state),
        revised_at_least=view.revised_at_least,
        awaiting_impact=view.awaiting_impact,
        proposals=view.proposals,
    )
