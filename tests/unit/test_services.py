"""The service layer: filters alone and combined, alerts at boundaries, edits and history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from sscp_tui.db.models import HistoryEntry, ItemKind, Rating, ReviewKind, TrackedItem
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.catalog import UnknownName
from sscp_tui.services.edits import EditError
from sscp_tui.services.records import AlertCounts, AlertKind, ItemFilter, ItemState, SortKey
from sscp_tui.services.tracker import Tracker

OPEN = {"overdue", "soon", "later", "tbc", "stale", "green_overdue"}


def keys(tracker: Tracker, small: dict[str, int], f: ItemFilter) -> set[str]:
    by_id = {v: k for k, v in small.items()}
    page = tracker.page(f, limit=1000)
    assert page.total == len(page.rows) == tracker.count(f)
    return {by_id[row.id] for row in page.rows}


def agency(tracker: Tracker, short: str) -> int:
    return tracker.find_agency(short).id


def test_open_items_by_default_and_closed_on_request(tracker, small) -> None:
    assert keys(tracker, small, ItemFilter()) == OPEN
    assert keys(tracker, small, ItemFilter(state=ItemState.CLOSED)) == {"blue", "blue_no_evidence"}
    assert len(keys(tracker, small, ItemFilter(state=ItemState.ALL))) == 8


def test_agency_filter_as_lead_or_supporting(tracker, small) -> None:
    scc = agency(tracker, "SCC")
    assert keys(tracker, small, ItemFilter(agency_id=scc)) == {"overdue", "tbc", "later"}
    assert keys(tracker, small, ItemFilter(agency_id=scc, lead_only=True)) == {"overdue", "tbc"}
    sp = agency(tracker, "SP")
    assert keys(tracker, small, ItemFilter(agency_id=sp)) == {"soon", "stale", "overdue"}


def test_rating_filter_including_unrated(tracker, small) -> None:
    assert keys(tracker, small, ItemFilter(ratings=frozenset({Rating.AMBER}))) == {"soon", "stale"}
    assert keys(tracker, small, ItemFilter(ratings=frozenset({None}))) == {"tbc"}
    both = ItemFilter(ratings=frozenset({Rating.RED, None}))
    assert keys(tracker, small, both) == {"overdue", "tbc"}


def test_review_kind_theme_and_kind_filters(tracker, small) -> None:
    assert keys(tracker, small, ItemFilter(review_id=small["thematic"])) == {
        "tbc",
        "stale",
        "green_overdue",
    }
    assert keys(tracker, small, ItemFilter(review_kind=ReviewKind.SCR)) == {
        "overdue",
        "soon",
        "later",
    }
    neglect = dict((n, i) for i, n in tracker.themes())["neglect"]
    assert keys(tracker, small, ItemFilter(theme_id=neglect)) == {"overdue", "later"}
    assert keys(tracker, small, ItemFilter(kind=ItemKind.ACTION)) == {
        "tbc",
        "stale",
        "green_overdue",
    }


def test_free_text_matches_text_reference_and_review_title_case_blind(tracker, small) -> None:
    assert keys(tracker, small, ItemFilter(text="TBC")) == {"tbc"}
    assert keys(tracker, small, ItemFilter(text="adolescent")) == {"tbc", "stale", "green_overdue"}
    assert keys(tracker, small, ItemFilter(text="A2")) == {"stale"}
    # Each word must match; LIKE wildcards in the text are literal.
    assert keys(tracker, small, ItemFilter(text="child recommendation overdue")) == {"overdue"}
    assert keys(tracker, small, ItemFilter(text="100%")) == set()
    assert keys(tracker, small, ItemFilter(text="_")) == {"green_overdue"}


def test_alert_filters(tracker, small) -> None:
    def alert(kind: AlertKind, state: ItemState = ItemState.OPEN) -> set[str]:
        return keys(tracker, small, ItemFilter(alert=kind, state=state))

    assert alert(AlertKind.OVERDUE) == {"overdue", "green_overdue"}
    assert alert(AlertKind.DUE_SOON) == {"soon"}
    assert alert(AlertKind.NO_TIMESCALE) == {"tbc"}
    assert alert(AlertKind.STALE) == {"stale", "tbc"}  # tbc: created in January, never updated
    assert alert(AlertKind.INCONSISTENT, ItemState.ALL) == {"green_overdue", "blue_no_evidence"}


def test_filters_combine(tracker, small) -> None:
    sp = agency(tracker, "SP")
    f = ItemFilter(agency_id=sp, ratings=frozenset({Rating.AMBER}), alert=AlertKind.STALE)
    assert keys(tracker, small, f) == {"stale"}
    f = ItemFilter(review_kind=ReviewKind.SCR, alert=AlertKind.OVERDUE, text="overdue")
    assert keys(tracker, small, f) == {"overdue"}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 12, 15), {AlertKind.DUE_SOON}),  # due today: not overdue yet
        (date(2026, 12, 16), {AlertKind.OVERDUE}),  # the day after
        (date(2026, 11, 17), {AlertKind.DUE_SOON}),  # exactly 28 days ahead
        (date(2026, 11, 16), set()),  # 29 days ahead: not yet due soon
    ],
)
def test_due_date_boundaries(store, settings, small, as_of, expected) -> None:
    row = Tracker(store, settings, as_of).rows([small["soon"]])[0]
    assert row.alerts - {AlertKind.STALE} == expected


def test_stale_boundary_uses_the_configured_period(store, settings, small) -> None:
    # "soon" was last updated on 20 Nov 2026; stale after 90 days.
    at_90 = Tracker(store, settings, date(2027, 2, 18)).rows([small["soon"]])[0]
    at_91 = Tracker(store, settings, date(2027, 2, 19)).rows([small["soon"]])[0]
    assert AlertKind.STALE not in at_90.alerts
    assert AlertKind.STALE in at_91.alerts
    short = Tracker(store, settings.with_overrides(stale_days=5), date(2026, 11, 26))
    assert AlertKind.STALE in short.rows([small["soon"]])[0].alerts


def test_sql_and_python_alert_rules_agree(tracker, small) -> None:
    for kind in AlertKind:
        by_sql = {r.id for r in tracker.page(ItemFilter(alert=kind, state=ItemState.ALL), limit=99).rows}
        by_python = {
            r.id for r in tracker.page(ItemFilter(state=ItemState.ALL), limit=99).rows if kind in r.alerts
        }
        assert by_sql == by_python, kind


def test_summary_counts_and_agency_matrix(tracker, small) -> None:
    counts = tracker.rating_counts(ItemFilter(state=ItemState.ALL))
    assert counts == {Rating.RED: 1, Rating.AMBER: 2, Rating.GREEN: 2, None: 1, Rating.BLUE: 2}
    matrix = {row.short_name: row.counts for row in tracker.agency_matrix()}
    assert matrix["SCC"] == {Rating.RED: 1, None: 1}
    assert matrix["SH"] == {Rating.GREEN: 2}
    alerts = tracker.alert_counts()
    assert alerts[AlertKind.OVERDUE] == 2 and alerts[AlertKind.DUE_SOON] == 1


@pytest.mark.parametrize("day", [date(2019, 6, 1), date(2026, 11, 28), date(2031, 1, 1)], ids=str)
def test_every_lead_agencys_counts_in_one_read_are_each_agencys_own(demo: Tracker, day: date) -> None:
    """The Agencies screen reads every agency's counts at once: they are the counts of the
    open items each agency leads, by rating and by alert, as its own filter gives them."""
    tracker = Tracker(demo.store, demo.settings, day)
    together = tracker.lead_agency_counts()
    assert together  # the demo's agencies lead items
    for agency in tracker.agencies():
        ratings, alerts = tracker.rating_and_alert_counts(ItemFilter(agency_id=agency.id, lead_only=True))
        found_ratings, found_alerts = together.get(agency.id, ({}, AlertCounts({})))
        assert found_ratings == ratings, agency.short_name
        assert {kind: found_alerts[kind] for kind in AlertKind} == {kind: alerts[kind] for kind in AlertKind}


def test_sorting_and_paging(tracker, small) -> None:
    by_ref = [
        r.reference for r in tracker.page(ItemFilter(review_id=small["review"]), sort=SortKey.REFERENCE).rows
    ]
    assert by_ref == ["1", "2", "10"]  # natural order, not "1", "10", "2"
    worst = tracker.page(ItemFilter(), sort=SortKey.ALERTS).rows[0]
    assert worst.id == small["green_overdue"]  # due 30 Sept: overdue longest
    second = tracker.page(ItemFilter(), sort=SortKey.ALERTS, offset=1, limit=1)
    assert second.total == 6 and len(second.rows) == 1 and second.rows[0].id == small["overdue"]


def history(tracker: Tracker, item_id: int) -> list[tuple[str, str | None, str | None, str, str]]:
    detail = tracker.item(item_id)
    return [(h.field, h.old_value, h.new_value, h.note, h.author) for h in detail.history]


def test_rating_change_writes_history_with_who_and_why(tracker, small) -> None:
    result = tracker.set_rating([small["soon"]], Rating.RED, "No progress since October")
    assert result.changed == 1
    assert tracker.rows([small["soon"]])[0].rating is Rating.RED
    assert history(tracker, small["soon"])[0] == (
        "rating",
        "amber",
        "red",
        "No progress since October",
        "Test Chair",
    )


def test_a_rating_change_needs_a_note_and_a_refused_edit_writes_nothing(tracker, small) -> None:
    before = _history_count(tracker)
    with pytest.raises(EditError, match="note is required"):
        tracker.set_rating([small["soon"]], Rating.RED, "   ")
    with pytest.raises(EditError, match="no longer exists"):
        tracker.set_rating([small["soon"], 999999], Rating.RED, "bulk")
    assert _history_count(tracker) == before
    assert tracker.rows([small["soon"]])[0].rating is Rating.AMBER


def _history_count(tracker: Tracker) -> int:
    with tracker.store.read() as s:
        return s.scalar(select(func.count()).select_from(HistoryEntry)) or 0


def test_revising_a_timescale_keeps_the_original(tracker, small) -> None:
    tracker.revise_timescale([small["overdue"]], "Q4 2026-27", "Agreed at panel")
    detail = tracker.item(small["overdue"])
    assert detail.row.timescale == "Q4 2026-27" and detail.row.due_on == date(2027, 3, 31)
    assert detail.original_timescale == "31/10/2026" and detail.original_due_on == date(2026, 10, 31)
    fields = [h[0:3] for h in history(tracker, small["overdue"])[:2]]
    assert ("due_on", "2026-10-31", "2027-03-31") in fields
    assert ("timescale", "31/10/2026", "Q4 2026-27") in fields
    assert AlertKind.OVERDUE not in detail.row.alerts


def test_an_unparseable_timescale_is_kept_as_written_without_a_date(tracker, small) -> None:
    tracker.revise_timescale([small["later"]], "after the trial", "Criminal proceedings")
    row = tracker.rows([small["later"]])[0]
    assert row.timescale == "after the trial" and row.due_on is None
    assert AlertKind.NO_TIMESCALE in row.alerts


def test_bulk_changes_share_one_batch_and_undo_reverses_them(tracker, small) -> None:
    ids = [small["soon"], small["stale"], small["later"]]
    done = tracker.set_rating(ids, Rating.RED, "Escalated")
    assert done.changed == 3
    undone = tracker.undo(done.batch)
    assert undone.changed == 3
    assert [r.rating for r in tracker.rows(ids)] == [Rating.AMBER, Rating.AMBER, Rating.GREEN]
    latest = history(tracker, small["soon"])[:2]
    assert latest[0][:3] == ("rating", "red", "amber") and latest[1][:3] == (
        "rating",
        "amber",
        "red",
    )


def test_undo_refuses_when_the_item_changed_since(tracker, small) -> None:
    first = tracker.set_rating([small["soon"]], Rating.RED, "Escalated")
    tracker.set_rating([small["soon"]], Rating.GREEN, "Recovered")
    with pytest.raises(EditError, match="changed since"):
        tracker.undo(first.batch)


def test_lead_agency_owner_and_text_edits_are_recorded(tracker, small) -> None:
    tracker.set_lead_agency([small["tbc"]], "SH", "Health now leads")
    tracker.update_item(
        small["tbc"],
        {"owner": "Designated Nurse", "text": "A clearer wording of the action."},
        "Tidied",
    )
    fields = {h[0]: h for h in history(tracker, small["tbc"])}
    assert fields["lead_agency"][1:3] == ("SCC", "SH")
    assert fields["owner"][1:3] == (None, "Designated Nurse")
    assert fields["text"][2] == "A clearer wording of the action."
    with pytest.raises(EditError, match="no agency"):
        tracker.set_lead_agency([small["tbc"]], "NOPE", "typo")


def test_mark_complete_needs_evidence(tracker, small) -> None:
    with pytest.raises(EditError, match="evidence"):
        tracker.mark_complete(small["later"], "  ")
    tracker.mark_complete(small["later"], "Audit of 30 cases", "Fewer re-referrals", note="Closed at panel")
    detail = tracker.item(small["later"])
    assert detail.row.rating is Rating.BLUE and detail.evidence_completion == "Audit of 30 cases"
    assert small["later"] not in {r.id for r in tracker.page(ItemFilter()).rows}


def test_progress_update_with_proposed_rating_refreshes_staleness(tracker, small) -> None:
    tracker.add_update(small["stale"], "Training delivered to 200 staff", Rating.GREEN)
    detail = tracker.item(small["stale"])
    assert detail.updates[0].text == "Training delivered to 200 staff"
    assert detail.updates[0].proposed_rating is Rating.GREEN
    assert detail.updates[0].author == "Test Chair"
    assert AlertKind.STALE not in detail.row.alerts
    assert detail.row.rating is Rating.AMBER  # a proposal is not a rating


def test_delete_is_recorded_and_hides_the_item(tracker, small) -> None:
    tracker.delete([small["tbc"]], "Duplicate of A2")
    assert tracker.item(small["tbc"]) is None
    with tracker.store.read() as s:
        assert s.get(TrackedItem, small["tbc"]) is not None  # kept, marked deleted
        entry = s.scalars(select(HistoryEntry).where(HistoryEntry.field == "deleted")).one()
    assert entry.note == "Duplicate of A2"


def test_unknown_names_suggest_the_nearest(tracker, small) -> None:
    assert tracker.find_agency("surrey-police.").short_name == "SP"
    assert tracker.find_agency("scc").short_name == "SCC"
    with pytest.raises(UnknownName, match="Did you mean 'Surrey Police'"):
        tracker.find_agency("Surey Police")


def test_meetings_and_next_meeting(tracker, small) -> None:
    tracker.record_meeting("Case Review Panel", date(2026, 12, 10))
    tracker.record_meeting("Case Review Panel", date(2026, 11, 12))
    assert tracker.next_meeting().held_on == date(2026, 12, 10)
    with pytest.raises(EditError, match="already recorded"):
        tracker.record_meeting("Case Review Panel", date(2026, 12, 10))


def test_rules_describe_windows() -> None:
    rules = AlertRules(date(2026, 1, 31), due_soon_days=28, stale_days=90)
    assert rules.due_soon_until == date(2026, 2, 28)
    assert rules.stale_before == date(2025, 11, 2)


def test_themes_match_ignoring_case(tracker, small) -> None:
    tracker.update_item(small["tbc"], {"themes": "Neglect; DOMESTIC ABUSE"}, "Themes agreed")
    names = [name for _, name in tracker.themes()]
    assert names.count("neglect") == 1 and "Neglect" not in names
    assert tracker.rows([small["tbc"]])[0].themes == ("domestic abuse", "neglect")


@pytest.mark.parametrize("state", [ItemState.ALL, ItemState.OPEN, ItemState.CLOSED])
def test_one_pass_counts_agree_with_each_alert_filter(demo, state) -> None:
    scc = demo.find_agency("SCC").id
    for f in (ItemFilter(state=state), ItemFilter(state=state, agency_id=scc)):
        ratings, alerts = demo.rating_and_alert_counts(f)
        assert ratings == demo.rating_counts(f)
        assert sum(ratings.values()) == demo.count(f)
        for kind in AlertKind:
            assert alerts[kind] == demo.count(replace(f, alert=kind)), (state, kind)


def test_a_saved_view_comes_back_as_the_filter_it_was_saved_from(demo: Tracker) -> None:
    from sscp_tui.screens.filters import filter_from_view, view_from_filter

    review = demo.reviews(with_counts=False)[1]
    agency = demo.agencies()[2]
    theme_id, _theme = demo.themes()[0]
    saved = ItemFilter(
        agency_id=agency.id, review_id=review.id, theme_id=theme_id, ratings=frozenset({Rating.RED})
    )
    view = view_from_filter("mine", saved, demo, SortKey.DUE, descending=True)
    assert (view.agency, view.review) == (agency.short_name, review.label)
    assert filter_from_view(view, demo) == saved
    assert demo.ids_named(agency="No such agency", review="SCR Nobody (1900)", theme="") == (None, None, None)


def test_review_labels_are_the_reviews_labels_in_their_order(demo: Tracker) -> None:
    assert demo.review_labels() == [(r.id, r.label) for r in demo.reviews(with_counts=False)]


def entity_history(
    tracker: Tracker, entity: str, entity_id: int
) -> list[tuple[str, str | None, str | None, str]]:
    with tracker.store.read() as s:
        rows = s.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.entity == entity, HistoryEntry.entity_id == entity_id)
            .order_by(HistoryEntry.id.desc())
        )
        return [(h.field, h.old_value, h.new_value, h.source) for h in rows]


def test_undo_reverses_a_priority_rating_and_wording(demo: Tracker) -> None:
    priority = demo.plans()[0].priorities[0]
    rated = demo.set_priority_rating(priority.id, Rating.RED, "Slipped at the Executive")
    reworded = demo.update_priority(priority.id, "A new title", "A new objective", "Reworded")
    demo.undo(reworded.batch)
    demo.undo(rated.batch)
    after = next(p for p in demo.plans()[0].priorities if p.id == priority.id)
    assert (after.rating, after.title, after.objective) == (
        priority.rating,
        priority.title,
        priority.objective,
    )
    recent = entity_history(demo, "priority", priority.id)[:4]
    assert [h[3] for h in recent] == ["undo"] * 3 + ["app"]  # appended, never removed
    assert recent[0] == ("rating", "red", priority.rating.value if priority.rating else None, "undo")


def test_undo_reverses_a_review_edit_and_refuses_once_changed_again(tracker: Tracker, small) -> None:
    (review,) = [r for r in tracker.reviews() if r.title == "Child A"]
    renamed = ItemFilter(text="Zebedee", state=ItemState.ALL)
    edited = tracker.save_review(
        review.id, {"title": "Zebedee", "year": 2020, "published_on": date(2020, 5, 1)}
    )
    assert tracker.ids(renamed)  # its items are found by the new title...
    tracker.undo(edited.batch)
    again = next(r for r in tracker.reviews() if r.id == review.id)
    assert (again.title, again.year, again.published_on) == ("Child A", 2019, review.published_on)
    assert not tracker.ids(renamed)  # ...and no longer, once undone
    first = tracker.save_review(review.id, {"status": "closed"})
    tracker.save_review(review.id, {"status": "published"})
    with pytest.raises(EditError, match="has changed since; nothing was undone"):
        tracker.undo(first.batch)


def test_adding_a_review_or_recording_a_meeting_says_it_cannot_be_undone(tracker: Tracker, small) -> None:
    added = tracker.save_review(None, {"title": "Child Q", "kind": "LCSPR", "year": 2026})
    assert added.not_undoable == "Adding a review cannot be undone."
    met = tracker.record_meeting("Case Review Panel", date(2026, 12, 3))
    assert met.not_undoable == "Recording a meeting cannot be undone."
    assert tracker.set_rating([small["soon"]], Rating.RED, "Escalated").not_undoable == ""


def test_saving_a_review_unchanged_writes_nothing_and_is_nothing_to_undo(tracker: Tracker, small) -> None:
    (review,) = [r for r in tracker.reviews() if r.title == "Child A"]
    same = tracker.save_review(review.id, {"title": "Child A", "year": 2019, "kind": "SCR"})
    assert same.changed == 0  # so the app puts it on no undo list
    assert entity_history(tracker, "review", review.id) == []
    assert tracker.save_review(review.id, {"year": 2018}).changed == 1


def test_a_review_named_like_another_is_refused_in_a_sentence_even_by_undo(tracker: Tracker, small) -> None:
    (child_a,) = [r for r in tracker.reviews() if r.title == "Child A"]
    (thematic,) = [r for r in tracker.reviews() if r.title == "Adolescent suicide"]
    with pytest.raises(EditError, match=r"^There is already a review called SCR Child A \(2019\);"):
        tracker.save_review(thematic.id, {"kind": "SCR", "title": "Child A", "year": 2019})
    renamed = tracker.save_review(child_a.id, {"title": "Child B"})
    tracker.save_review(None, {"kind": "SCR", "title": "Child A", "year": 2019})
    with pytest.raises(EditError, match=r"^There is already a review called SCR Child A \(2019\);"):
        tracker.undo(renamed.batch)
    assert next(r for r in tracker.reviews() if r.id == child_a.id).title == "Child B"  # nothing undone


def test_a_removed_meetings_id_is_never_given_to_another(tracker: Tracker, small) -> None:
    first = tracker.record_meeting("Case Review Panel", date(2027, 1, 21))
    (mistake,) = [m for m in tracker.meetings() if m.held_on == date(2027, 1, 21)]
    tracker.delete_meeting(mistake.id, "Wrong month")
    tracker.record_meeting("Case Review Panel", date(2027, 2, 18))
    (again,) = [m for m in tracker.meetings() if m.held_on == date(2027, 2, 18)]
    assert again.id != mistake.id and first.changed
    created = entity_history(tracker, "meeting", again.id)
    assert [(h[0], h[2]) for h in created] == [("created", "Case Review Panel 2027-02-18")]  # its own only
    with pytest.raises(EditError, match="no longer recorded"):
        tracker.delete_meeting(mistake.id, "Twice")


def test_proposals_pending_read_in_sql_agree_with_the_chairs_pass(demo: Tracker) -> None:
    """The log's Proposed column and filter (services.proposals) find exactly the items the
    chair's pass offers to confirm, with the same rating, on every item of the demo; and
    answering one (rating the item) takes it off."""
    from sscp_tui.screens.chair import pending_proposal
    from sscp_tui.services.records import ItemState

    every = demo.ids(ItemFilter(state=ItemState.ALL))
    rows = demo.rows(every, with_proposals=True)
    read = {row.id: row.proposed for row in rows if row.proposed is not None}
    expected = {}
    for item_id in every:
        detail = demo.item(item_id)
        assert detail is not None
        if (proposal := pending_proposal(detail)) is not None:
            expected[item_id] = proposal[0]
    assert read == expected and len(read) >= 2
    assert set(demo.ids(ItemFilter(state=ItemState.ALL, proposals=True))) == set(read)
    item_id, rating = next(iter(read.items()))
    demo.set_rating([item_id], rating, "Confirmed the proposal.")
    assert item_id not in demo.ids(ItemFilter(state=ItemState.ALL, proposals=True))
    assert demo.rows([item_id], with_proposals=True)[0].proposed is None
