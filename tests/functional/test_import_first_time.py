"""A partnership's first import, as a new user makes it: reviews whose type the log never
gives are created "to confirm", marked on the Reviews screen, and set later as a recorded edit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import DataTable, Select

from sscp_tui.app import SSCPApp
from sscp_tui.db.enums import ReviewKind
from sscp_tui.db.models import HistoryEntry, Review
from sscp_tui.services.imports.plan import ImportOptions, plan
from sscp_tui.services.imports.write import apply
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle, static_text, table_rows
from tests.unit.test_import_export import write_csv

SIZE = (140, 45)


async def test_a_review_of_unknown_type_is_created_marked_and_set_later(
    tracker: Tracker, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "log.csv", [
        ["Review", "Rec no", "Recommendation", "Lead agency"],
        ["Child R", "1", "Agencies should record the child's own words at every visit.", "Surrey Police"],
        ["Child R", "2", "Health visitors should ask about the father at the first visit.", "Surrey Heartlands"],
    ])  # fmt: skip
    found = plan(tracker, source, ImportOptions(create_agencies=True))
    assert found.ok and found.new_reviews == ("Child R (type to confirm)",)
    apply(tracker, found)
    app = SSCPApp(tracker)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot, app)
        rows = table_rows(app.screen.query_one("#reviews-table", DataTable))
        assert rows[0][:2] == ["To confirm ⚠", "Child R"]
        assert "1 review has its type to confirm" in static_text(app, "#reviews-intro")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-kind", Select).value = ReviewKind.LCSPR.value
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        rows = table_rows(app.screen.query_one("#reviews-table", DataTable))
        assert rows[0][:2] == ["LCSPR", "Child R"]
        assert "to confirm" not in static_text(app, "#reviews-intro")
    with tracker.store.read() as session:
        review = session.scalars(select(Review)).one()
        change = session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity == "review", HistoryEntry.field == "kind")
        ).one()
    assert review.kind is ReviewKind.LCSPR
    assert (change.old_value, change.new_value, change.author) == ("To confirm", "LCSPR", "Test Chair")
