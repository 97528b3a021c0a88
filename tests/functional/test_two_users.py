"""Two people on one tracker, each in an app of their own: a save made on what one saw is never
laid silently over what the other saved since (on either store)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from textual.widgets import Input

from sscp_tui.app import SSCPApp
from sscp_tui.config import Settings
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.db.store import open_store
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.functional.screen_helpers import column, open_log, settle, static_text, type_text, wait_until

SIZE = (150, 45)


@pytest.fixture
def user_b(demo: Tracker) -> Iterator[Tracker]:
    """Another user, in another terminal: the same tracker through a store of its own."""
    other = Tracker(open_store(demo.store.url), Settings(author="User B"), AS_OF)
    yield other
    other.store.close()


def rating_history(tracker: Tracker, item_id: int) -> list[tuple[str | None, str | None, str]]:
    with tracker.store.read() as session:
        rows = session.execute(
            select(HistoryEntry.old_value, HistoryEntry.new_value, HistoryEntry.author)
            .where(HistoryEntry.entity == "item", HistoryEntry.entity_id == item_id,
                   HistoryEntry.field == "rating")
            .order_by(HistoryEntry.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]  # type: ignore[misc]


def other_rating(current: Rating | None, *avoid: Rating) -> Rating:
    return next(r for r in (Rating.RED, Rating.AMBER, Rating.GREEN) if r is not current and r not in avoid)


async def test_a_save_over_another_users_change_is_refused_until_made_again(
    demo: Tracker, user_b: Tracker
) -> None:
    a, b = SSCPApp(demo, start="log"), SSCPApp(user_b, start="log")
    async with a.run_test(size=SIZE) as pilot_a, b.run_test(size=SIZE) as pilot_b:
        table_a, table_b = await open_log(pilot_a, a), await open_log(pilot_b, b)
        item_id = int(table_a.row_keys[0])
        assert table_b.cursor_key == table_a.cursor_key  # both look at the same item
        current = demo.rows([item_id])[0].rating
        mine = other_rating(current)
        theirs = other_rating(current, mine)
        # A starts rating it and types a note…
        await pilot_a.press(mine.value[0])
        await type_text(pilot_a, "Agreed at panel")
        # …while B rates it in the other terminal.
        await pilot_b.press(theirs.value[0])
        await type_text(pilot_b, "Escalated by the police lead")
        await pilot_b.press("enter")
        await settle(pilot_b, b)
        assert demo.rows([item_id])[0].rating is theirs
        await pilot_a.press("enter")
        await settle(pilot_a, a)
        form = a.screen
        assert isinstance(form, FormModal)  # not saved: the form stays, with what was typed
        said = static_text(a, "#form-status")
        assert f"User B rated this {theirs.label} at " in said and "your change was not saved" in said
        assert form.query_one("#field-note", Input).value == "Agreed at panel"
        assert demo.rows([item_id])[0].rating is theirs
        # The screen behind the form now shows B's rating, the cursor still on the item.
        await wait_until(pilot_a, a, lambda: theirs.label in column(table_a, "rating")[0], seconds=5)
        assert table_a.cursor_key == str(item_id)
        # Told, A saves again: now A's decision, made on B's rating, and history's chain holds.
        cursor_b = table_b.cursor_key
        await pilot_a.press("enter")
        await settle(pilot_a, a)
        assert not isinstance(a.screen, FormModal)
        assert demo.rows([item_id])[0].rating is mine
        # B's idle screen shows it within the 3 s asked, with no key pressed, the cursor kept.
        started = time.monotonic()
        await wait_until(pilot_b, b, lambda: mine.label in column(table_b, "rating")[0], seconds=6)
        assert time.monotonic() - started < 3.5 and table_b.cursor_key == cursor_b
        assert "updated by" in b.sub_title and demo.settings.author in b.sub_title
        chain = rating_history(demo, item_id)
        assert chain[-2:] == [(current.value if current else None, theirs.value, "User B"),
                              (theirs.value, mine.value, demo.settings.author)]  # fmt: skip


async def test_a_bulk_rating_leaves_alone_the_items_changed_since_and_says_both_counts(
    demo: Tracker, user_b: Tracker
) -> None:
    app, b = SSCPApp(demo, start="log"), SSCPApp(user_b, start="log")
    async with app.run_test(size=SIZE) as pilot, b.run_test(size=SIZE) as pilot_b:
        table = await open_log(pilot, app)
        await open_log(pilot_b, b)
        ids = [int(key) for key in table.row_keys[:3]]
        await pilot.press("space", "space", "space")  # three selected
        await pilot.press("a")  # Amber for the three
        await type_text(pilot, "Reviewed together")
        changed = ids[1]
        theirs = other_rating(Rating.AMBER, Rating.AMBER)  # anything but Amber
        if demo.rows([changed])[0].rating is theirs:
            theirs = other_rating(theirs, Rating.AMBER)
        await pilot_b.press("down", theirs.value[0])  # B rates the second row meanwhile
        await type_text(pilot_b, "Changed in another terminal")
        await pilot_b.press("enter")
        await settle(pilot_b, b)
        assert demo.rows([changed])[0].rating is theirs
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        said = str(list(app._notifications)[-1].message)
        assert "2 saved; 1 left alone, changed by someone else since you looked" in said
        assert f"User B rated {demo.rows([changed])[0].source}" in said
        ratings = {row.id: row.rating for row in demo.rows(ids)}
        assert ratings == {ids[0]: Rating.AMBER, changed: theirs, ids[2]: Rating.AMBER}
        assert column(table, "rating")[1].strip() == theirs.label  # drawn as it now stands


async def test_an_update_added_elsewhere_is_news_and_guards_the_item(demo: Tracker, user_b: Tracker) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        item_id = int(table.row_keys[0])
        await pilot.press("t")  # revising its timescale…
        await type_text(pilot, "31/03/2027")
        user_b.add_update(item_id, "Audit booked for January")  # …as B adds an update
        await pilot.press("tab")
        await type_text(pilot, "Slipped: staffing")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert "User B added a progress update to this at" in static_text(app, "#form-status")
        await pilot.press("escape")
        await wait_until(pilot, app, lambda: "updated by User B" in app.sub_title, seconds=6)


async def test_an_item_edited_out_of_the_filter_stays_under_the_cursor_and_the_next_form_names_it(
    demo: Tracker,
) -> None:
    from sscp_tui.services.records import ItemFilter

    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, app)
        app.open_log(ItemFilter(ratings=frozenset({Rating.RED})))
        await settle(pilot, app)
        table = app.screen.query_one("#log-table")
        reds = table.row_count
        item_id = int(table.cursor_key)
        label = f"{demo.rows([item_id])[0].source} {demo.rows([item_id])[0].reference}"
        await pilot.press("g")  # Green: it no longer matches "Red"
        await type_text(pilot, "Delivered")
        await pilot.press("enter")
        await settle(pilot, app)
        assert table.cursor_key == str(item_id) and table.row_count == reds  # it stays, marked
        assert "no longer matches the filter" in column(table, "text")[0]
        assert "1 no longer matches" in static_text(app, "#log-status")
        await pilot.press("n")  # the next key is for the same item, and the form says which
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal) and label in app.screen.form_title
        await type_text(pilot, "Evidence filed")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        detail = demo.item(item_id)
        assert detail is not None and detail.updates[0].text == "Evidence filed"
        await pilot.press("ctrl+r")  # reloaded: now it leaves the page
        await settle(pilot, app)
        assert str(item_id) not in table.row_keys and table.row_count == reds - 1
