"""Another user's change reaches the open screens with no key pressed (on either store)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from sscp_tui.app import SSCPApp
from sscp_tui.config import Settings
from sscp_tui.db.models import Rating
from sscp_tui.db.store import open_store
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.functional.screen_helpers import column, open_log, settle, static_text, type_text, wait_until


@pytest.fixture
def user_b(demo: Tracker) -> Iterator[Tracker]:
    """Another user, in another terminal: the same tracker through a store of its own."""
    other = Tracker(open_store(demo.store.url), Settings(author="User B"), AS_OF)
    yield other
    other.store.close()


async def test_another_users_rating_reaches_the_log_without_moving_the_cursor(
    app: SSCPApp, user_b: Tracker
) -> None:
    async with app.run_test(size=(150, 45)) as pilot:
        table = await open_log(pilot, app)
        await pilot.press("down", "down", "space")  # the cursor on the third row, which is selected
        await settle(pilot, app)
        cursor, selected = table.cursor_key, set(app.screen.selected)
        item_id = int(table.row_keys[5])
        before = column(table, "rating")[5]
        new = Rating.RED if "Red" not in before else Rating.GREEN

        def shown_rating() -> str:
            keys = table.row_keys
            return column(table, "rating")[keys.index(str(item_id))] if str(item_id) in keys else ""

        started = time.monotonic()
        user_b.set_rating([item_id], new, "Changed in another terminal")
        await wait_until(pilot, app, lambda: new.value.title() in shown_rating(), seconds=6)
        assert time.monotonic() - started < 3.5  # within the 3 s the issue asks, and a poll's slack
        assert table.cursor_key == cursor and set(app.screen.selected) == selected
        assert "updated by User B" in app.sub_title


async def test_a_half_typed_form_is_kept_while_the_screen_under_it_catches_up(
    app: SSCPApp, user_b: Tracker
) -> None:
    async with app.run_test(size=(150, 45)) as pilot:
        table = await open_log(pilot, app)
        first = int(table.row_keys[0])
        await pilot.press("n")  # a progress update, being typed
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        await type_text(pilot, "Half typed")
        user_b.set_rating([first], Rating.AMBER, "Meanwhile, elsewhere")
        await wait_until(pilot, app, lambda: "updated by User B" in app.sub_title, seconds=6)
        assert isinstance(app.screen, FormModal) and "Half typed" in str(app.screen.values())


async def test_nothing_reloads_when_nothing_changed_and_own_changes_are_not_news(
    app: SSCPApp, demo: Tracker
) -> None:
    async with app.run_test(size=(150, 45)) as pilot:
        table = await open_log(pilot, app)
        reloads: list[int] = []
        screen = app.screen
        original = screen.refresh_for_others  # what the watch calls on another user's change
        screen.refresh_for_others = lambda: (reloads.append(1), original())  # type: ignore[method-assign]
        demo.set_rating([int(table.row_keys[0])], Rating.AMBER, "My own change")
        await pilot.pause(3.5)  # two looks at the tracker
        await settle(pilot, app)
        assert reloads == [] and "updated by" not in app.sub_title


async def test_another_users_changes_reach_the_dashboard_the_item_and_the_chairs_pass(
    app: SSCPApp, demo: Tracker, user_b: Tracker
) -> None:
    from sscp_tui.services.records import ItemFilter

    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot, app)
        # The dashboard's count of Red items moves on as B rates one Red.
        amber = demo.ids(ItemFilter(ratings=frozenset({Rating.AMBER})))[0]
        reds = static_text(app, "#card-red")
        user_b.set_rating([amber], Rating.RED, "Escalated")
        await wait_until(pilot, app, lambda: static_text(app, "#card-red") != reds, seconds=6)
        # The item screen shows an update B adds.
        table = await open_log(pilot, app)
        item_id = int(table.cursor_key or 0)
        await pilot.press("enter")
        await settle(pilot, app)
        user_b.add_update(item_id, "Audit booked by the other terminal")
        await wait_until(pilot, app, lambda: "Audit booked by the other" in static_text(app, "#item-updates"),
                         seconds=6)  # fmt: skip
        # The chair's pass shows B's rating of the item it is on, and stays on that item.
        await pilot.press("escape", "f7", "enter")
        await settle(pilot, app)
        on = app.screen.detail.row  # type: ignore[attr-defined]
        theirs = Rating.GREEN if on.rating is not Rating.GREEN else Rating.AMBER
        user_b.set_rating([on.id], theirs, "Rated in the other terminal")
        await wait_until(pilot, app, lambda: app.screen.detail.row.rating is theirs, seconds=6)  # type: ignore[attr-defined]
        assert app.screen.detail.row.id == on.id  # type: ignore[attr-defined]
        assert "User B" in static_text(app, "#chair-item")  # "Rating now … (since …, User B)"
