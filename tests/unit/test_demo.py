"""The demo partnership: the seeds' reviews and plans, and a live picture on any day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.models import Rating, ReviewKind
from sscp_tui.services.demo import DemoError, load_demo
from sscp_tui.services.records import AlertKind, ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker


def test_the_reviews_the_seeds_name_are_there(demo) -> None:
    labels = {(r.kind, r.title) for r in demo.reviews()}
    for title in ("Child A", "Child D", "Child G", "Baby KK", "Baby LL", "Family M"):
        assert (ReviewKind.SCR, title) in labels, title
    assert {(ReviewKind.LCSPR, "Child Z"), (ReviewKind.LCSPR, "Family B")} <= labels
    assert any(kind is ReviewKind.DHR and "Doris" in title for kind, title in labels)
    assert sum(kind is ReviewKind.THEMATIC for kind, _ in labels) == 2
    assert sum(kind is ReviewKind.RAPID for kind, _ in labels) >= 3
    jtai = [r for r in demo.reviews() if r.kind is ReviewKind.INSPECTION and r.year == 2023]
    assert jtai, "the 2023 JTAI"
    wsoa = demo.page(ItemFilter(review_id=jtai[0].id, state=ItemState.ALL), limit=100).rows
    assert any(row.due_on == date(2023, 8, 9) for row in wsoa)


def test_plans_carry_their_priorities(demo) -> None:
    plans = {p.period: p for p in demo.plans()}
    assert len(plans["2020-21"].priorities) == 5
    assert "2021-24" in plans and "2012-13" in plans
    business = plans["2012-13"]
    actions = demo.page(ItemFilter(priority_id=business.priorities[0].id, state=ItemState.ALL)).rows
    assert actions and all(row.reference for row in actions)


def test_every_rating_and_every_alert_is_present(demo) -> None:
    counts = demo.rating_counts(ItemFilter(state=ItemState.ALL))
    for rating in (Rating.BLUE, Rating.GREEN, Rating.AMBER, Rating.RED, None):
        assert counts.get(rating, 0) > 0, rating
    alerts = demo.alert_counts(ItemFilter(state=ItemState.ALL))
    for kind in AlertKind:
        assert alerts[kind] > 0, kind


def test_illustrative_recommendations_say_so(demo) -> None:
    child_a = demo.find_review("SCR Child A")
    rows = demo.page(ItemFilter(review_id=child_a.id, state=ItemState.ALL)).rows
    assert rows and all(demo.item(row.id).illustrative for row in rows)


def test_the_picture_stays_live_whatever_the_day(tmp_path) -> None:
    from sscp_tui.db.store import open_store

    later = date.today() + timedelta(days=200)
    store = open_store(tmp_path / "later.sqlite3")
    load_demo(store, later)
    tracker = Tracker(store, Settings(), later)
    alerts = tracker.alert_counts()
    assert alerts[AlertKind.OVERDUE] > 0 and alerts[AlertKind.DUE_SOON] > 0
    with pytest.raises(DemoError, match="already holds items"):
        load_demo(store, later)
    store.close()


def test_history_explains_every_current_rating(demo) -> None:
    for row in demo.page(ItemFilter(state=ItemState.ALL), limit=400).rows:
        ratings = [h for h in demo.item(row.id).history if h.field == "rating"]
        latest = ratings[0].new_value if ratings else None
        assert latest == (row.rating.value if row.rating else None), row.reference


@pytest.mark.parametrize("shift", [-30, 0, 45, 400])
def test_sql_and_python_alert_rules_agree_on_the_demo(demo_store, shift) -> None:
    tracker = Tracker(demo_store, Settings(), date(2026, 11, 28) + timedelta(days=shift))
    everything = tracker.page(ItemFilter(state=ItemState.ALL), limit=1000).rows
    for kind in AlertKind:
        by_sql = {r.id for r in tracker.page(ItemFilter(alert=kind, state=ItemState.ALL), limit=1000).rows}
        assert by_sql == {r.id for r in everything if kind in r.alerts}, kind
