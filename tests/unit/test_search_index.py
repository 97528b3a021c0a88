"""The full-text index behind the search box: kept in step with every write, and a database
that travels to a SQLite without FTS5 (and back) keeps working and finds the same items."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from sscp_tui.db import search_index
from sscp_tui.db.store import open_store
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.old_trackers import demo_at


def found(tracker: Tracker, words: str) -> set[int]:
    return {row.id for row in tracker.page(ItemFilter(text=words, state=ItemState.ALL), limit=500).rows}


def fts_rows(tracker: Tracker) -> int:
    with tracker.store.read() as s:
        return int(s.execute(text("SELECT count(*) FROM item_fts")).scalar_one())


def test_this_machine_has_fts5() -> None:
    # The CI machine and Python's own builds have it; the fallback is tested below.
    assert search_index.fts5_available()


def test_a_term_finds_words_beginning_with_it_and_edits_keep_the_index(tracker, small) -> None:
    assert found(tracker, "adolesc") == {small["tbc"], small["stale"], small["green_overdue"]}
    tracker.update_item(small["later"], {"text": "Strengthen escalation routes for adolescents"}, "reworded")
    assert small["later"] in found(tracker, "escalat")
    assert small["later"] in found(tracker, "adolescent")
    tracker.delete([small["later"]], "withdrawn")
    assert small["later"] not in found(tracker, "escalat")


@pytest.mark.parametrize("term", ['"', 'a"b', "NEAR(", "*", "col:x", "AND", "-", "'"])
def test_search_syntax_in_a_term_is_only_text(tracker, small, term: str) -> None:
    found(tracker, term)  # no error, whatever it finds


def test_without_fts5_the_same_words_are_found_and_writes_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    path = tmp_path / "travels.sqlite3"
    from sscp_tui.services.demo import load_demo

    store = open_store(path)
    load_demo(store, AS_OF)
    with_index = Tracker(store, settings, AS_OF)
    expected = found(with_index, "domestic abuse")
    assert expected
    store.close()

    # Opened by a SQLite without FTS5: the triggers go (or every write would fail).
    monkeypatch.setattr(search_index, "fts5_available", lambda: False)
    store = open_store(path)
    without = Tracker(store, settings, AS_OF)
    assert found(without, "domestic abuse") == expected
    item = next(iter(expected))
    without.update_item(item, {"text": "Audit the neglect pathway quarterly"}, "reworded")
    assert item not in found(without, "domestic abuse")
    store.close()

    # Back on a SQLite with FTS5: the index is rebuilt from the words as they are now.
    monkeypatch.undo()
    store = open_store(path)
    back = Tracker(store, settings, AS_OF)
    assert found(back, "domestic abuse") == expected - {item}
    assert item in found(back, "pathway")
    with store.read() as s:
        triggers = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))}
    assert set(search_index.TRIGGERS) <= triggers
    store.close()


def test_a_0002_database_gets_its_index_and_statistics(demo_template: Path, tmp_path: Path, settings) -> None:
    path = tmp_path / "old.sqlite3"
    demo_at(demo_template, path, "0002")
    with sqlite3.connect(path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "item_fts" not in tables and "sqlite_stat1" not in tables  # as a 0002 tracker had
    upgraded = open_store(path)
    tracker = Tracker(upgraded, settings, AS_OF)
    with upgraded.read() as s:
        items = s.execute(text("SELECT count(*) FROM items")).scalar_one()
        stats = s.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'items'")).scalar_one()
    assert fts_rows(tracker) == items and stats > 0
    assert found(tracker, "domestic")
    upgraded.close()


def test_an_index_made_to_an_older_definition_is_rebuilt(tmp_path: Path, settings) -> None:
    from sscp_tui.services.demo import load_demo

    path = tmp_path / "older.sqlite3"
    store = open_store(path)
    load_demo(store, AS_OF)
    with store.write() as s:
        for trigger in search_index.TRIGGERS:
            s.execute(text(f"DROP TRIGGER {trigger}"))
        s.execute(text("DROP TABLE item_fts"))
        s.execute(text("CREATE VIRTUAL TABLE item_fts USING fts5(words, content='item_search', "
                       "content_rowid='item_id', prefix='2 3')"))  # fmt: skip
    store.close()
    reopened = open_store(path)
    tracker = Tracker(reopened, settings, AS_OF)
    with reopened.read() as s:
        sql = s.execute(text("SELECT sql FROM sqlite_master WHERE name = 'item_fts'")).scalar_one()
    assert "prefix" not in sql and fts_rows(tracker) > 0
    assert found(tracker, "domestic")
    reopened.close()


def test_words_match_at_their_start_and_references_anywhere(tracker, small) -> None:
    item = small["later"]
    tracker.update_item(
        item, {"text": "Audit childcare records, step-up cases and R12 referrals."}, "reworded"
    )
    assert item in found(tracker, "childc")  # the beginning of a word
    assert item not in found(tracker, "care")  # not the middle of one
    assert item in found(tracker, "12") and item in found(tracker, "R12")  # digits: anywhere
    assert item in found(tracker, "step-up") and item not in found(tracker, "step-down")
    refs = {row.id for row in tracker.page(ItemFilter(text="A2", state=ItemState.ALL)).rows}
    assert refs == {small["stale"]}


def test_search_finds_words_of_the_latest_update_and_the_evidence(tracker, small) -> None:
    assert not found(tracker, "kestrel")
    tracker.add_update(small["later"], "Kestrel audit booked with the health visiting team")
    assert found(tracker, "kestrel") == {small["later"]}
    tracker.mark_complete(small["tbc"], "Re-audit by the osprey group", "The change held")
    assert found(tracker, "osprey") == {small["tbc"]}
    assert found(tracker, "adolesc") >= {small["tbc"]}  # its own words are still found


def test_a_0006_database_searches_its_updates_once_upgraded(
    demo_template: Path, tmp_path: Path, settings
) -> None:
    path = tmp_path / "old.sqlite3"
    demo_at(demo_template, path, "0006")
    with sqlite3.connect(path) as raw:  # the words as 0006 composed them: no updates, no evidence
        (item_id,) = raw.execute(
            "SELECT item_id FROM progress_updates ORDER BY written_on DESC, id DESC LIMIT 1"
        ).fetchone()
        raw.execute(
            "UPDATE item_search SET words = (SELECT lower(reference || ' ' || text) FROM items "
            "WHERE items.id = item_search.item_id)"
        )
        raw.execute("UPDATE progress_updates SET text = 'Wagtail meeting held' WHERE item_id = ?", (item_id,))
        raw.commit()
    upgraded = open_store(path)
    tracker = Tracker(upgraded, settings, AS_OF)
    assert found(tracker, "wagtail") == {item_id}
    upgraded.close()
