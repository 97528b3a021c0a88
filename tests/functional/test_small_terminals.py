"""At 80×24 and 60×15 every screen stays a key away: the navigation line keeps every F-key."""

from __future__ import annotations

import pytest

from sscp_tui.app import SSCPApp
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle, static_text, type_text


@pytest.mark.parametrize("size", [(80, 24), (60, 15), (120, 40)])
async def test_the_navigation_line_keeps_every_f_key(demo: Tracker, size: tuple[int, int]) -> None:
    app = SSCPApp(demo)
    async with app.run_test(size=size) as pilot:
        for key in ("f2", "f3", "f4"):
            await pilot.press(key)
            await settle(pilot, app)
            line = static_text(app, "NavBar").strip()
            assert len(line) <= size[0] - 2, line
            for n in range(2, 9):
                assert f"F{n} " in line, (size, line)
            if size[0] >= 80:
                assert "Dashboard" in line and "Priorities" in line  # whole names where they fit


@pytest.mark.parametrize(("key", "table_id"), [("f4", "#reviews-table"), ("f6", "#agencies-table")])
async def test_reviews_and_agencies_fit_every_column_at_120(demo: Tracker, key: str, table_id: str) -> None:
    app = SSCPApp(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        await settle(pilot, app)
        table = app.screen.query_one(table_id)
        assert table.row_count > 0
        # Every column in view with no scrolling sideways: the statuses, counts and alerts whole.
        assert table.virtual_size.width <= table.scrollable_content_region.width
        cells = [str(table.get_row_at(i)[3]) for i in range(table.row_count)] if key == "f4" else []
        assert "awaiting publication" in cells or key == "f6"


async def test_the_logs_detail_pane_follows_the_cursor_with_text_timescale_and_latest_update(
    demo: Tracker,
) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#log-table")
        for step in range(3):
            if step:
                await pilot.press("down")
            await pilot.pause(0.3)  # the cursor rests: its latest update is read
            await settle(pilot, app)
            item = demo.item(int(table.cursor_key))
            assert item is not None
            pane = " ".join(static_text(app, "#log-detail").split())
            assert f"{item.row.source} {item.row.reference}" in pane
            assert " ".join(item.row.text.split())[:40] in pane  # its text, without scrolling sideways
            if item.updates:
                assert f"Latest update {item.updates[0].written_on:%d %b %Y}" in pane
            else:
                assert "No progress update yet." in pane


async def test_the_detail_pane_gives_way_on_a_short_terminal(demo: Tracker) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot, app)
        assert not app.screen.query_one("#log-detail").display
        assert app.screen.query_one("#log-table").row_count > 0


def _on_screen(app: SSCPApp) -> str:
    """The words the terminal shows now (from the screen as exported), spaces as spaces."""
    import html
    import re

    svg = app.export_screenshot()
    return " ".join(
        html.unescape(piece).replace("\xa0", " ") for piece in re.findall(r">([^<>]*)</text>", svg)
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 15)])
async def test_the_chairs_pass_keeps_what_is_decided_on_in_view(demo: Tracker, size: tuple[int, int]) -> None:
    """On a small terminal the pass shows the rating now, any proposal, the alerts and the
    latest update without scrolling; the item's words follow, a scroll away."""
    app = SSCPApp(demo)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f7")
        await settle(pilot, app)
        if "which items?" in _on_screen(app):
            await pilot.press("enter")  # every open item
            await settle(pilot, app)
        seen_proposal = False
        for _ in range(12):
            shown = " ".join(_on_screen(app).split())
            assert "Rating now" in shown and "Latest update" in shown and "Alerts" in shown, (size, shown)
            seen_proposal |= "Proposed" in shown
            await pilot.press("space")
            await settle(pilot, app)
        assert seen_proposal or size == (80, 24)


async def test_the_pane_shows_each_rows_latest_update_read_with_the_page_and_a_new_one_at_once(
    demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page read with its rows' latest updates: the pane follows the cursor with no read of
    its own; an update added to the row under the cursor is in the pane as the form closes."""
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+r")  # the page read by the store, not the first look
        await settle(pilot, app)
        reads: list[int] = []
        one = demo.latest_update
        monkeypatch.setattr(demo, "latest_update", lambda item_id: reads.append(item_id) or one(item_id))
        table = app.screen.query_one("#log-table")
        for _ in range(3):
            await pilot.press("down")
            item = demo.item(int(table.cursor_key))
            assert item is not None
            pane = " ".join(static_text(app, "#log-detail").split())
            if item.updates:
                assert f"Latest update {item.updates[0].written_on:%d %b %Y}" in pane
            else:
                assert "No progress update yet." in pane
        assert reads == []
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Audit of strategy meetings under way")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "Audit of strategy meetings under way" in " ".join(static_text(app, "#log-detail").split())
