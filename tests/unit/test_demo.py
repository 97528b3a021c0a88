"""The demo partnership: the seeds' reviews and plans, true to their dates, and a live picture on any day."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.models import Rating, ReviewKind, ReviewStatus
from sscp_tui.db.store import Store, open_store
from sscp_tui.errors import InstallationError
from sscp_tui.services.demo import (
    CLOSED_DAYS,
    ILLUSTRATIVE_MARK,
    LIVE_NOTE,
    DemoError,
    demo_data,
    is_live,
    load_demo,
    working_day,
)
from sscp_tui.services.records import AlertKind, ItemDetail, ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF


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
    assert len(plans["2020-21"].priorities) == 6
    sixth = plans["2020-21"].priorities[5]
    assert sixth.number == "6" and "special educational needs" in sixth.title.lower()
    assert demo.page(ItemFilter(priority_id=sixth.id, state=ItemState.ALL)).rows
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


def test_the_demo_refuses_a_tracker_that_holds_agencies_but_no_items(store: Store) -> None:
    """A tracker set up (agencies, a review) but not yet filled is not empty: the demo says so,
    rather than colliding with its names and calling its own data damaged."""
    from sscp_tui.db.models import Agency, AgencyKind

    with store.write() as s:
        s.add(Agency(name="Surrey County Council", short_name="SCC", kind=AgencyKind.STATUTORY, active=True))
    with pytest.raises(
        DemoError, match=r"^This tracker already holds agencies; the demo goes into an empty one\.$"
    ):
        load_demo(store)
    assert store_items(store) == 0


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


# --- true to the sources, whatever the day ---------------------------------------------------
LATER = date(2027, 6, 15)


def _built(tmp_path: Path, day: date) -> Tracker:
    store = open_store(tmp_path / f"demo-{day.isoformat()}.sqlite3")
    load_demo(store, day)
    return Tracker(store, Settings(), day)


def _details(tracker: Tracker) -> list[ItemDetail]:
    rows = tracker.page(ItemFilter(state=ItemState.ALL), limit=1000).rows
    return [detail for row in rows if (detail := tracker.item(row.id)) is not None]


def _added(detail: ItemDetail) -> str:
    return next(h.note for h in detail.history if h.field == "created")


def _live_entries() -> int:
    data = demo_data()
    actions = [a for plan in data["plans"] for p in plan["priorities"] for a in p.get("actions", [])]
    return sum(is_live(entry) for entry in [*data["items"], *actions])


def _historical(tracker: Tracker) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Every item not placed relative to the day of building, with all its dates."""
    found = {}
    for detail in _details(tracker):
        if LIVE_NOTE in _added(detail):
            continue
        row = detail.row
        found[(row.source, row.reference)] = (
            detail.created_on,
            row.timescale,
            row.due_on,
            tuple((u.written_on, u.author, u.text) for u in detail.updates),
            tuple((h.field, h.changed_at, h.old_value, h.new_value) for h in detail.history),
        )
    return found


def test_the_history_keeps_its_dates_whatever_the_day_it_is_built(tmp_path: Path) -> None:
    now, later = _built(tmp_path, AS_OF), _built(tmp_path, LATER)
    try:
        before, after = _historical(now), _historical(later)
        total = now.page(ItemFilter(state=ItemState.ALL), limit=1000).total
        assert len(before) == total - _live_entries() > 100
        assert before == after
        ratings_moved = [k for k, v in before.items() if any(h[0] == "rating" for h in v[4])]
        assert ratings_moved, "rating history is among what was compared"
        reviews = [
            {(r.kind, r.title, r.year, r.status, r.commissioned_on, r.published_on, r.closed_on, r.notes)
             for r in tracker.reviews(with_counts=False)}
            for tracker in (now, later)
        ]  # fmt: skip
        assert reviews[0] == reviews[1]
        plans = [{(p.title, p.period, p.starts_on, p.ends_on) for p in t.plans()} for t in (now, later)]
        assert plans[0] == plans[1]
        # … while the live picture moves with the day.
        assert now.alert_counts()[AlertKind.OVERDUE] and later.alert_counts()[AlertKind.OVERDUE]
    finally:
        now.store.close()
        later.store.close()


def _find(details: list[ItemDetail], source: str, reference: str) -> ItemDetail:
    return next(d for d in details if d.row.source.startswith(source) and d.row.reference == reference)


def test_the_dates_are_the_sources_own(demo: Tracker) -> None:
    details = _details(demo)
    # The SSCB's business plan was reviewed with progress to 17 July 2013.
    for reference in ("1.1.a", "TP 2.3", "4"):
        action = _find(details, "SSCB Business Plan 2012-13", reference)
        assert date(2013, 7, 17) in {u.written_on for u in action.updates}, reference
    # The 2023 JTAI: fieldwork 6-10 March, letter 2 May, statement of action due 9 August and sent before.
    jtai = next(r for r in demo.reviews() if r.kind is ReviewKind.INSPECTION and r.year == 2023)
    assert (jtai.commissioned_on, jtai.published_on) == (date(2023, 3, 6), date(2023, 5, 2))
    wsoa = _find(details, jtai.label, "WSoA")
    assert wsoa.row.due_on == date(2023, 8, 9) and wsoa.row.rating is Rating.BLUE
    sent = [u for u in wsoa.updates if "Submitted" in u.text]
    assert sent and all(u.written_on < date(2023, 8, 9) for u in sent)
    assert all(date(2023, 5, 2) <= d.created_on for d in details if d.row.source == jtai.label)
    # The annual reports give no month for the SSCP's seven SCRs: no published date is made up.
    for title in (
        "Child A",
        "Child D",
        "Child G",
        "Children HH, II and JJ",
        "Baby KK",
        "Baby LL",
        "Family M",
    ):
        assert demo.find_review(f"SCR {title}").published_on is None, title
    suicide = demo.find_review("Thematic Review of Adolescent Suicide 2014-2020")
    assert suicide.published_on is not None and suicide.published_on.strftime("%Y-%m") == "2020-09"


def test_the_reviews_the_annual_report_counts_are_all_there(demo: Tracker) -> None:
    rapid = [r for r in demo.reviews() if r.kind is ReviewKind.RAPID]
    assert len(rapid) == 8  # September 2019 to December 2020
    outcome = [r.notes for r in rapid]
    assert sum("not to meet the criteria" in n for n in outcome) == 3
    assert sum("no further review was" in n for n in outcome) == 1
    assert sum("led to a local child safeguarding practice review" in n for n in outcome) == 2
    assert sum("into a thematic review" in n for n in outcome) == 2
    for review in rapid:  # nothing invented for them goes unmarked
        rows = demo.page(ItemFilter(review_id=review.id, state=ItemState.ALL)).rows
        assert all(demo.item(row.id).illustrative for row in rows)  # type: ignore[union-attr]
        assert rows or "No recommendations are tracked" in review.notes or "tracked under" in review.notes
    held = [r for r in demo.reviews() if r.kind is ReviewKind.SCR and "police investigation" in r.notes]
    assert len(held) == 1 and held[0].status is ReviewStatus.AWAITING_PUBLICATION
    assert not demo.page(ItemFilter(review_id=held[0].id, state=ItemState.ALL)).rows


# Bodies, and the first day an update or a change of rating may name them.
FIRST_NAMED = [
    (
        r"\bSSCP\b|Partnership Manager|Case Review Panel|Learning from Practice|Business Group",
        date(2019, 9, 29),
    ),
    (r"Heartlands", date(2020, 4, 1)),  # Surrey Heartlands CCG, then ICB
    (r"\bICBs?\b|Integrated Care Board", date(2022, 7, 1)),
    (r"Single Point of Access|C-SPA", date(2019, 3, 1)),  # set up in spring 2019
]


def test_no_body_is_named_before_it_existed(demo: Tracker) -> None:
    for detail in _details(demo):
        said = [(u.written_on, f"{u.author} {u.text}") for u in detail.updates]
        said += [
            (h.changed_at.date(), f"{h.author} {h.note}") for h in detail.history if h.field != "created"
        ]
        said.append((detail.created_on, next(h.author for h in detail.history if h.field == "created")))
        for day, words in said:
            for pattern, first in FIRST_NAMED:
                assert not (re.search(pattern, words) and day < first), (detail.row.reference, day, words)


def test_everything_invented_is_marked_and_says_what(demo: Tracker) -> None:
    from sscp_tui.screens.item import illustrative_sentence

    details = _details(demo)
    live = [d for d in details if LIVE_NOTE in _added(d)]
    assert len(live) == _live_entries() > 20
    for detail in details:
        assert detail.illustrative, detail.row.reference
        sentence = illustrative_sentence(detail)
        assert sentence.startswith(ILLUSTRATIVE_MARK) and len(sentence) > 60, detail.row.reference
        assert any(words in sentence for words in ("made up", "invented", "none of it")), sentence
    business = _find(details, "SSCB Business Plan 2012-13", "TP 2.3")
    said = illustrative_sentence(business)
    assert "Amber rating" in said and "17 July 2013" in said


def test_meetings_fall_on_working_days_whatever_the_day(tmp_path: Path) -> None:
    assert working_day(date(2026, 12, 25)) == date(2026, 12, 28)  # a Friday, then the weekend
    assert working_day(date(2027, 12, 25)) == date(2027, 12, 27)  # a Saturday; the 26th is closed too
    assert working_day(date(2027, 1, 1)) == date(2027, 1, 4)
    assert working_day(date(2026, 11, 30)) == date(2026, 11, 30)
    day = date(2026, 12, 18)  # the Case Review Panel a week ahead would be Christmas Day
    built = _built(tmp_path, day)
    try:
        held = [m.held_on for m in built.meetings()]
        assert held and all(d.weekday() < 5 and (d.month, d.day) not in CLOSED_DAYS for d in held)
        assert date(2026, 12, 28) in held
    finally:
        built.store.close()


def _one_sentence(error: InstallationError) -> str:
    text = str(error)
    assert text.count(". ") == 0 and text.endswith("reinstall it.") and "\n" not in text
    return text


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (
            lambda d: (
                d["items"][0]["updates"][0].update(days_ago=30) or d["items"][0]["updates"][0].pop("on")
            ),
            "relative to the day",
        ),
        (lambda d: d["items"][0].pop("created_on"), "when it was added"),
        (lambda d: d["items"][0].pop("text"), "it has no 'text'"),
        (lambda d: d["items"][0]["history"][-1].update(new="purple"), "purple"),
        (lambda d: d["items"][0]["history"][0].update(on="17/07/2013"), "17/07/2013"),
        (lambda d: d["items"][1].update(review="nowhere"), "not in the file"),
        (lambda d: d["reviews"].append(dict(d["reviews"][0])), "unique"),
        (lambda d: d["meetings"][0].update(days_from_today="soon"), "soon"),
    ],
    ids=["relative", "undated", "no text", "rating", "date", "review", "twice", "meeting"],
)
def test_damaged_demo_data_is_one_sentence(store: Store, damage: Any, said: str) -> None:
    data = copy.deepcopy(demo_data())
    assert not is_live(data["items"][0]) and data["items"][0]["history"]
    damage(data)
    with pytest.raises(InstallationError) as caught:
        load_demo(store, AS_OF, data)
    assert said in _one_sentence(caught.value)
    assert not store_items(store)  # nothing was written


def store_items(store: Store) -> int:
    return Tracker(store, Settings(), AS_OF).page(ItemFilter(state=ItemState.ALL)).total
