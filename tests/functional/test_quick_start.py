"""Starting the quick way: the first screen from a first look, the store opened behind it."""

from __future__ import annotations

import shutil
from pathlib import Path

from sscp_tui.cli import quick_app
from sscp_tui.config import Settings
from sscp_tui.db.enums import Rating
from sscp_tui.db.store import open_store
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
from tests.conftest import AS_OF
from tests.functional.screen_helpers import column, settle, static_text


def demo_copy(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(demo_template, path)
    return path


async def test_the_dashboard_paints_first_then_the_store_opens_and_edits_work(
    demo_template: Path, tmp_path: Path
) -> None:
    path = demo_copy(demo_template, tmp_path)
    settings = Settings(author="Test Chair")
    app = quick_app(str(path), settings, AS_OF)
    assert app is not None
    store = open_store(path, create=False)
    expected = Tracker(store, settings, AS_OF)
    ratings, _ = expected.rating_and_alert_counts(ItemFilter(state=ItemState.ALL))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app._tracker is not None  # opened behind the painted screen
        assert f"{ratings[Rating.RED]:,}" in static_text(app, "#card-red")
        assert "Opened " in "".join(str(n.message) for n in app._notifications)

        await pilot.press("f3")  # the log, now read through the store
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", RowTable)
        first_id = int(table.cursor_key or 0)
        await pilot.press("g")  # rate Green, with a note
        await settle(pilot, app)
        for ch in "checked at panel":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("enter")
        await settle(pilot, app)
    app.close_tracker()
    detail = expected.item(first_id)
    store.close()
    assert detail is not None and detail.row.rating is Rating.GREEN
    assert any("checked at panel" in h.note for h in detail.history)


async def test_the_log_opens_on_its_first_page_from_the_first_look(
    demo_template: Path, tmp_path: Path
) -> None:
    path = demo_copy(demo_template, tmp_path)
    app = quick_app(str(path), Settings(), AS_OF, start="log")
    assert app is not None
    store = open_store(path, create=False)
    expected = Tracker(store, Settings(), AS_OF).page(ItemFilter(), limit=100)
    store.close()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", RowTable)
        assert table.row_keys == [str(row.id) for row in expected.rows]
        assert f"of {expected.total:,} items" in static_text(app, "#log-status")
        assert column(table, "ref")[0] == expected.rows[0].reference
    app.close_tracker()


async def test_a_tracker_spoiled_after_the_first_look_is_reported_in_one_sentence(tmp_path: Path) -> None:
    """The file passed the first look, then was replaced by something that is not a tracker."""
    path = tmp_path / "tracker.sqlite3"
    open_store(path).close()
    app = quick_app(str(path), Settings(), AS_OF)
    assert app is not None
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # a header, then nothing sound
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    async with app.run_test(size=(120, 40)) as pilot:
        errors: list[str] = []
        for _ in range(200):  # not settle(): it re-raises the failed worker, which the app reported
            await pilot.pause(0.01)
            errors = [str(n.message) for n in app._notifications if n.severity == "error"]
            if errors:
                break
        assert "open" not in static_text(app, "#card-red")  # no figures were painted
    app.close_tracker()
    assert len(errors) == 1, errors
    assert errors[0].startswith("Cannot open the tracker at ") or "tracker" in errors[0], errors
    assert "Traceback" not in errors[0] and "Something went wrong" not in errors[0]


def test_quick_start_is_not_used_for_a_url_or_a_new_file(tmp_path: Path) -> None:
    assert quick_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", Settings(), AS_OF) is None
    assert quick_app(str(tmp_path / "new.sqlite3"), Settings(), AS_OF) is None
    assert not (tmp_path / "new.sqlite3").exists()
