"""The log sorted by alerts (either way), read a class of alert at a time, is exactly the log
sorted whole, for every filter that is walked."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from sscp_tui.db.enums import ItemKind, Rating, ReviewKind
from sscp_tui.db.store import open_store
from sscp_tui.services import queries
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.records import AlertKind, ItemFilter, ItemState, SortKey

DAYS = [date(2019, 6, 1), date(2026, 11, 28), date(2027, 3, 15), date(2031, 1, 1)]
SEARCHES = ["", "neglect", "curiosity", "escalation thresholds", "child", "zzzq"]
# Filters the walk reads, alone and with a search.
WALKED = [
    ItemFilter(alert=AlertKind.OVERDUE),
    ItemFilter(alert=AlertKind.STALE),
    ItemFilter(alert=AlertKind.INCONSISTENT),
    ItemFilter(ratings=frozenset({Rating.RED})),
    ItemFilter(ratings=frozenset({Rating.AMBER, None})),
    ItemFilter(kind=ItemKind.ACTION),
    ItemFilter(review_kind=ReviewKind.SCR, alert=AlertKind.STALE),
    ItemFilter(revised_at_least=1),
    ItemFilter(alert=AlertKind.OVERDUE, text="neglect"),
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.synth import build

    path = tmp_path_factory.mktemp("walk") / "synthetic.sqlite3"
    build(600, path, today=date(2026, 11, 28))
    return path


def assert_walk_is_the_sort(path: Path, day: date) -> None:
    store = open_store(path, create=False)
    rules = AlertRules(day)
    try:
        with store.read() as session:
            for f in [*(ItemFilter(text=text) for text in SEARCHES), *WALKED]:
                for descending in (False, True):
                    whole = list(
                        session.scalars(queries._id_select(session, f, rules, SortKey.ALERTS, descending))
                    )
                    for offset, limit in [
                        (0, 100),
                        (0, 7),
                        (95, 10),
                        (max(len(whole) - 3, 0), 10),
                        (len(whole) + 5, 10),
                    ]:
                        walked = queries._walked_ids(
                            session, f, rules, SortKey.ALERTS, descending, offset, limit
                        )
                        assert walked == whole[offset : offset + limit], (f, descending, offset, limit)
    finally:
        store.close()


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_walk_is_the_sort_on_a_synthetic_log(
    synthetic: Path, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "WALK_FROM_MATCHES", 0)  # walk for every search, however rare
    assert_walk_is_the_sort(synthetic, day)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_walk_is_the_sort_on_the_demo(
    demo_template: Path, tmp_path: Path, day: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    monkeypatch.setattr(queries, "WALK_FROM_MATCHES", 0)
    assert_walk_is_the_sort(path, day)


def test_only_open_items_by_alerts_not_narrowed_by_an_index_of_their_own_are_walked(synthetic: Path) -> None:
    store = open_store(synthetic, create=False)
    rules = AlertRules(date(2026, 11, 28))
    try:
        with store.read() as session:

            def walked(f: ItemFilter, sort: SortKey = SortKey.ALERTS, descending: bool = False) -> bool:
                return queries._walked_ids(session, f, rules, sort, descending, 0, 10) is not None

            assert walked(ItemFilter())
            assert walked(ItemFilter(), descending=True)
            assert walked(ItemFilter(alert=AlertKind.STALE))
            assert walked(ItemFilter(ratings=frozenset({Rating.RED})))
            assert not walked(ItemFilter(), SortKey.DUE)
            assert not walked(ItemFilter(state=ItemState.ALL))
            assert not walked(ItemFilter(agency_id=1))  # its own index finds its items
            assert not walked(ItemFilter(review_id=1))
            assert not walked(ItemFilter(proposals=True))
            assert not walked(ItemFilter(alert=AlertKind.DUE_SOON))
            assert not walked(ItemFilter(text="R1.2"))  # matched anywhere in the words, not indexed
            assert not walked(ItemFilter(text="zzzq"))  # a rare word: its few matches lead
    finally:
        store.close()
