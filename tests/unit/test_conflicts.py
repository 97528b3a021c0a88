"""An edit is made on what its user saw: a record someone else changed since is never changed
over it unsaid (services.conflicts), on either store."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func, select

from sscp_tui.config import Settings
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.db.store import Store, open_store
from sscp_tui.errors import ChangedSince
from sscp_tui.services import exporter
from sscp_tui.services.imports import plan as importer
from sscp_tui.services.imports import write as import_write
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from sscp_tui.services.transfer import TransferError
from tests.conftest import AS_OF


@pytest.fixture
def user_b(store: Store) -> Iterator[Tracker]:
    other = Tracker(open_store(store.url), Settings(author="User B"), AS_OF)
    yield other
    other.store.close()


def looked(tracker: Tracker) -> int:
    """The change marker as a user looks now."""
    return tracker.changes_since(None)[0]


def history_rows(tracker: Tracker) -> int:
    with tracker.store.read() as session:
        return session.scalar(select(func.count()).select_from(HistoryEntry)) or 0


def test_a_rating_over_another_users_later_change_is_refused_and_names_it(
    tracker: Tracker, user_b: Tracker, small: dict[str, int]
) -> None:
    item = small["soon"]  # Amber
    seen = looked(tracker)
    user_b.set_rating([item], Rating.RED, "Escalated")
    before = history_rows(tracker)
    with pytest.raises(ChangedSince) as refused:
        tracker.set_rating([item], Rating.GREEN, "On track", seen=seen)
    said = str(refused.value)
    assert said.startswith("User B rated this Red at ") and said.endswith("; your change was not saved.")
    assert tracker.rows([item])[0].rating is Rating.RED and history_rows(tracker) == before
    # Made again on what is there now (the refusal's marker), it is saved.
    tracker.set_rating([item], Rating.GREEN, "On track all the same", seen=refused.value.newest)
    assert tracker.rows([item])[0].rating is Rating.GREEN


def test_own_changes_and_other_items_changes_are_no_clash(
    tracker: Tracker, user_b: Tracker, small: dict[str, int]
) -> None:
    seen = looked(tracker)
    tracker.set_rating([small["soon"]], Rating.RED, "First")
    user_b.set_rating([small["later"]], Rating.AMBER, "Another item")
    tracker.set_rating([small["soon"]], Rating.GREEN, "Second, on my own change", seen=seen)
    tracker.revise_timescale([small["soon"]], "31/03/2027", "Agreed", seen=seen)
    assert tracker.rows([small["soon"]])[0].rating is Rating.GREEN


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda b, item: b.revise_timescale([item], "June 2027", "Slipped"),
         "User B revised the timescale of this to June 2027 at "),
        (lambda b, item: b.set_lead_agency([item], "SH", "Moved"), "User B re-assigned this to SH at "),
        (lambda b, item: b.add_update(item, "Audit booked"), "User B added a progress update to this at "),
        (lambda b, item: b.delete([item], "Duplicate"), "User B deleted this at "),
        (lambda b, item: b.update_item(item, {"owner": "Head of service"}, "x"),
         "User B changed the owner of this at "),
    ],
)  # fmt: skip
def test_every_item_edit_is_guarded(tracker, user_b, small, change, said) -> None:
    item = small["soon"]
    edits = [
        lambda seen: tracker.set_rating([item], Rating.GREEN, "n", seen=seen),
        lambda seen: tracker.revise_timescale([item], "31/03/2027", "n", seen=seen),
        lambda seen: tracker.set_lead_agency([item], "SCC", "n", seen=seen),
        lambda seen: tracker.update_item(item, {"owner": "Designated nurse"}, "n", seen=seen),
        lambda seen: tracker.add_update(item, "Met the school", seen=seen),
        lambda seen: tracker.mark_delivered(item, "Training delivered", seen=seen),
        lambda seen: tracker.mark_complete(item, "Training delivered", "Re-audit", seen=seen),
        lambda seen: tracker.delete([item], "n", seen=seen),
    ]
    seen = looked(tracker)
    change(user_b, item)
    before = history_rows(tracker)
    for edit in edits:
        with pytest.raises(ChangedSince, match=said) as refused:
            edit(seen)
    assert history_rows(tracker) == before
    if "deleted" not in said:  # told, the user may make it again (on an item still there)
        tracker.revise_timescale([item], "31/03/2027", "n", seen=refused.value.newest)


def test_a_bulk_edit_saves_the_unchanged_and_leaves_the_changed_alone(
    tracker: Tracker, user_b: Tracker, small: dict[str, int]
) -> None:
    ids = [small["overdue"], small["soon"], small["later"]]
    seen = looked(tracker)
    user_b.set_rating([small["soon"]], Rating.GREEN, "Done elsewhere")
    result = tracker.set_rating(ids, Rating.AMBER, "Panel review", seen=seen)
    assert result.saved_items == 2 and len(result.left_alone) == 1
    assert result.left_alone[0].startswith("User B rated SCR Child A (2019) 2 Green at ")
    assert set(result.item_ids) == set(ids)  # all redrawn: the left-alone one as it now stands
    assert {row.id: row.rating for row in tracker.rows(ids)} == {
        small["overdue"]: Rating.AMBER, small["soon"]: Rating.GREEN, small["later"]: Rating.AMBER}  # fmt: skip
    # Every one changed since: nothing saved, and said.
    seen = looked(tracker)
    user_b.revise_timescale(ids, "June 2027", "Slipped")
    with pytest.raises(ChangedSince, match="All 3 items were changed by someone else since you looked"):
        tracker.set_rating(ids, Rating.RED, "Panel review", seen=seen)


def test_reviews_priorities_plans_and_meetings_are_guarded(demo: Tracker) -> None:
    other = Tracker(open_store(demo.store.url), Settings(author="User B"), AS_OF)
    try:
        review = demo.reviews()[0]
        plan = demo.plans()[0]
        priority = plan.priorities[0]
        meeting = demo.record_meeting("Case Review Panel", date(2026, 12, 10))
        meeting_id = next(m.id for m in demo.meetings() if m.held_on == date(2026, 12, 10))
        assert meeting.changed
        seen = looked(demo)
        other.save_review(review.id, {"notes": "Published on the website"}, "x")
        other.set_priority_rating(priority.id, Rating.RED, "Behind")
        other.save_plan(plan.id, plan.title + " (revised)", plan.period, "x")
        other.delete_meeting(meeting_id, "Cancelled")
        refusals = [
            lambda: demo.save_review(review.id, {"notes": "Mine"}, "x", seen=seen),
            lambda: demo.set_priority_rating(priority.id, Rating.GREEN, "n", seen=seen),
            lambda: demo.update_priority(priority.id, "New title", "", "n", seen=seen),
            lambda: demo.save_plan(plan.id, "Mine", plan.period, "n", seen=seen),
            lambda: demo.delete_meeting(meeting_id, "n", seen=seen),
        ]
        said = ["changed the notes of this", "rated this Red", "rated this Red",  # the priority twice
                "changed the title of this", "removed this"]  # fmt: skip
        for refused, did in zip(refusals, said, strict=True):
            with pytest.raises(
                ChangedSince, match=rf"^User B {did} at \d\d:\d\d; your change was not saved\.$"
            ):
                refused()
        assert demo.reviews()[0].notes == "Published on the website"
    finally:
        other.store.close()


def test_an_import_refuses_when_an_item_it_changes_was_changed_after_the_plan(
    tracker: Tracker, user_b: Tracker, small: dict[str, int], tmp_path
) -> None:
    path = tmp_path / "log.csv"
    exporter.export(tracker, path, ItemFilter(state=ItemState.ALL))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    soon = tracker.rows([small["soon"]])[0]
    for row in rows:
        if row["Ref"] == soon.reference and "Child A" in row["Review"]:
            row["RAG"] = "Green"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    found = importer.plan(tracker, path)
    assert found.ok
    user_b.set_rating([small["soon"]], Rating.RED, "Escalated while the dry run was read")
    before = history_rows(tracker)
    with pytest.raises(TransferError, match=r"User B rated its item Red at .*after this import was planned; "
                                            "nothing was imported"):  # fmt: skip
        import_write.apply(tracker, found)
    assert history_rows(tracker) == before and tracker.rows([small["soon"]])[0].rating is Rating.RED


# --- withdrawing what was added by mistake --------------------------------------------------------
def test_a_progress_update_added_by_mistake_is_withdrawn_kept_and_recorded(
    tracker: Tracker, small: dict[str, int], tmp_path
) -> None:
    from sscp_tui.db.models import ProgressUpdate
    from sscp_tui.errors import EditError
    from sscp_tui.services.records import ItemFilter as Filter

    item = small["stale"]
    before = tracker.item(item)
    assert before is not None
    tracker.add_update(item, "Quokka audit meant for another item")
    added = tracker.item(item)
    assert added is not None and added.updates[0].text == "Quokka audit meant for another item"
    assert tracker.count(Filter(text="quokka")) == 1
    with pytest.raises(EditError, match="a note is required"):
        tracker.withdraw_update(item, added.updates[0].id, "  ")
    tracker.withdraw_update(item, added.updates[0].id, "Added to the wrong item")
    after = tracker.item(item)
    assert after is not None
    assert [u.id for u in after.updates] == [u.id for u in before.updates]  # out of the screens
    assert after.row.last_update_on == before.row.last_update_on  # stale as it was
    assert tracker.count(Filter(text="quokka")) == 0  # and out of search
    withdrawn = next(h for h in after.history if h.field == "progress update withdrawn")
    assert withdrawn.note == "Added to the wrong item" and "Quokka audit" in (withdrawn.old_value or "")
    with tracker.store.read() as session:  # kept, saying who, when and why
        kept = session.get(ProgressUpdate, added.updates[0].id)
        assert kept is not None and kept.withdrawn_by == tracker.settings.author
        assert kept.withdrawn_why == "Added to the wrong item" and kept.withdrawn_at is not None
    with pytest.raises(EditError, match="withdrawn already"):
        tracker.withdraw_update(item, added.updates[0].id, "Again")
    path = tmp_path / "log.csv"  # and out of exports
    exporter.export(tracker, path, ItemFilter(state=ItemState.ALL))
    assert "Quokka" not in path.read_text(encoding="utf-8-sig")


def test_a_review_added_by_mistake_is_withdrawn_unless_it_has_items(
    tracker: Tracker, small: dict[str, int]
) -> None:
    from sscp_tui.errors import EditError

    tracker.save_review(None, {"title": "Child Q", "kind": "LCSPR", "year": 2026}, "Added")
    made = next(r for r in tracker.reviews() if r.title == "Child Q")
    with pytest.raises(EditError, match="has 5 items in the log; delete them first"):
        tracker.withdraw_review(small["review"], "Wrong")
    tracker.withdraw_review(made.id, "Entered twice by mistake")
    assert all(r.title != "Child Q" for r in tracker.reviews())
    with tracker.store.read() as session:
        row = session.execute(
            select(HistoryEntry.field, HistoryEntry.note)
            .where(HistoryEntry.entity == "review", HistoryEntry.entity_id == made.id)
            .order_by(HistoryEntry.id.desc())
        ).first()
    assert tuple(row) == ("withdrawn", "Entered twice by mistake")


def test_adding_an_update_reports_the_one_change_it_made(tracker: Tracker, small: dict[str, int]) -> None:
    result = tracker.add_update(small["soon"], "Met the designated teacher")
    assert result.changed == 1 and result.item_ids == (small["soon"],)
    assert result.not_undoable  # said when u is pressed
