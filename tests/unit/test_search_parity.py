"""The same words find the same items on both stores.

``demo`` is on the PostgreSQL server of `make test-pg`, searched with its tsvector index, and
is compared with the same demo in a SQLite file, searched with FTS5. Under `make test` there
is no server, and this test is left out (deselected, not skipped)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.models import ItemKind
from sscp_tui.db.store import open_store
from sscp_tui.services.edits import NewItem
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.stores import is_postgres

pytestmark = pytest.mark.postgres_only

# Words as people type them: beginnings of words, several words, references, punctuation.
SEARCHES = [
    "neglect", "negl", "curious", "child", "children", "domestic abuse", "exploit", "mental health",
    "voice", "transitions", "scr", "thematic", "police", "school", "health visit", "1.2", "r1",
    "well-being", "2019", "etc", "passwd", "brien", "being", "mail", "surrey", "plan", "impact",
    "zzzz", "o'brien", "child’s", "a", "e",
]  # fmt: skip

# Texts whose punctuation a parser might keep whole (a path, an address, a hyphen, quotes).
TRICKY = [
    "Records held at file:///etc/passwd must never be linked",
    "Contact O'Brien at duty.team@surreycc.gov.uk about well-being",
    "The child’s “lived experience” — captured in e-mail and https://example.org/voice",
]


@pytest.fixture
def sqlite_twin(demo_template: Path, tmp_path: Path) -> Iterator[Tracker]:
    path = tmp_path / "twin.sqlite3"
    shutil.copy(demo_template, path)
    twin = Tracker(open_store(path), Settings(author="Twin"), AS_OF)
    yield twin
    twin.store.close()


def found(tracker: Tracker, words: str) -> list[tuple[str, str]]:
    f = ItemFilter(text=words, state=ItemState.ALL)
    page = tracker.page(f, limit=1000)
    assert page.total == len(page.rows)
    return sorted((row.reference, row.text) for row in page.rows)


def add_tricky(tracker: Tracker) -> None:
    review = tracker.reviews()[0]
    for number, text in enumerate(TRICKY, start=90):
        tracker.create_item(NewItem(kind=ItemKind.RECOMMENDATION, reference=str(number), text=text,
                                    review_id=review.id))  # fmt: skip


def test_the_same_words_find_the_same_items_on_both_stores(demo: Tracker, sqlite_twin: Tracker) -> None:
    add_tricky(demo)
    add_tricky(sqlite_twin)
    assert is_postgres(demo.store.url) and not is_postgres(sqlite_twin.store.url)
    found_some = 0
    for words in SEARCHES:
        here, there = found(demo, words), found(sqlite_twin, words)
        assert here == there, words
        found_some += bool(here)
    assert found_some >= len(SEARCHES) - 5  # the searches find things: this compares something
    assert found(demo, "etc") == [("90", TRICKY[0])]
    assert found(demo, "brien being") == [("91", TRICKY[1])]
    assert ("92", TRICKY[2]) in found(demo, "lived experience")
