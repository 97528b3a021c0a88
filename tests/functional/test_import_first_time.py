"""A partnership's first import, as a new user makes it: reviews whose type the log never
gives are created "to confirm", marked on the Reviews screen, and set later as a recorded edit."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Select

from sscp_tui.app import SSCPApp
from sscp_tui.db.enums import ReviewKind
from sscp_tui.db.models import HistoryEntry, Review
from sscp_tui.services.imports.plan import ImportOptions, RowAction, plan
from sscp_tui.services.imports.write import apply
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
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
        rows = table_rows(app.screen.query_one("#reviews-table", RowTable))
        assert rows[0][:2] == ["To confirm ⚠", "Child R"]
        assert "1 review has its type to confirm" in static_text(app, "#reviews-intro")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-kind", Select).value = ReviewKind.LCSPR.value
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        rows = table_rows(app.screen.query_one("#reviews-table", RowTable))
        assert rows[0][:2] == ["LCSPR", "Child R"]
        assert "to confirm" not in static_text(app, "#reviews-intro")
    with tracker.store.read() as session:
        review = session.scalars(select(Review)).one()
        change = session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity == "review", HistoryEntry.field == "kind")
        ).one()
    assert review.kind is ReviewKind.LCSPR
    assert (change.old_value, change.new_value, change.author) == ("To confirm", "LCSPR", "Test Chair")
    with tracker.store.read() as session:
        event = session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "import")).one()
        made = session.scalars(select(HistoryEntry).where(HistoryEntry.entity == "item")).all()
    assert (event.new_value, event.author, event.source) == (str(source), "Test Chair", "import")
    assert event.note == (
        "Created 2 items, updated 0 and left 0 unchanged; added 1 review (1 with its type to confirm) and 2 agencies."
    )
    assert {entry.batch for entry in made} == {event.batch}  # every change names the import
    assert {entry.note for entry in made} == {"Imported from log.csv row 2", "Imported from log.csv row 3"}


def test_skip_rejected_imports_the_good_rows_and_writes_the_rest_to_put_right(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sscp_tui.cli import main

    source = write_csv(tmp_path / "panel log.csv", [
        ["Review", "Rec no", "Recommendation", "Lead agency", "RAG"],
        ["SCR Child A", "1", "Agencies should share chronologies.", "Surrey Police", "Red"],
        ["SCR Child A", "2", "=HYPERLINK(\"x\") is text here", "Nowhere Trust", "Amber"],
        ["SCR Child A", "1", "Agencies should share chronologies.", "Surrey Police", "Red"],
        ["SCR Child A", "3", "Schools should record attendance daily.", "Surrey Police", "Purple"],
    ])  # fmt: skip
    db = str(tmp_path / "tracker.sqlite3")
    run = CliRunner().invoke
    seed = run(main, ["import", str(write_csv(tmp_path / "seed.csv", [
        ["Review", "Rec no", "Recommendation", "Lead agency"], ["SCR Child Z", "1", "Seed.", "Surrey Police"],
    ])), "--db", db, "--create-agencies"])  # fmt: skip
    assert seed.exit_code == 0, seed.stderr
    refused = run(main, ["import", str(source), "--db", db])
    assert refused.exit_code == 1
    assert (
        "2 rows cannot be imported (listed above); nothing was written. --skip-rejected imports the other 1"
        in (refused.stderr)
    )
    assert not list(tmp_path.glob("*rejected rows*.csv"))
    done = run(main, ["import", str(source), "--db", db, "--skip-rejected"])
    assert done.exit_code == 0, done.stderr
    assert (
        "Created 1 item, updated 0 and left 0 unchanged; added 1 review; 2 rows rejected; 1 row skipped."
        in (done.stdout)
    )
    written = tmp_path / "panel log - rejected rows.csv"
    assert f"are in {written}: put them right there" in done.stdout
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    with written.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == [
        "Why it was not imported",
        "Row",
        "Review",
        "Rec no",
        "Recommendation",
        "Lead agency",
        "RAG",
    ]
    assert lines[1][0].startswith("There is no agency called 'Nowhere Trust'.")
    assert lines[1][1:] == [
        "3",
        "SCR Child A",
        "2",
        '\'=HYPERLINK("x") is text here',
        "Nowhere Trust",
        "Amber",
    ]
    assert lines[2][0].startswith("The rating 'Purple' is not one sscp-tui reads")
    assert lines[2][1:4] == ["5", "SCR Child A", "3"]
    fixed = written.with_name("fixed.csv")  # put right, the file imports as it is
    fixed.write_text(written.read_text(encoding="utf-8").replace("Purple", "Green").replace("Nowhere Trust",
                     "Surrey Police"), encoding="utf-8")  # fmt: skip
    assert (
        "Would create 2 items, update 0" in run(main, ["import", str(fixed), "--db", db, "--dry-run"]).stdout
    )
    listed = run(main, ["export", str(tmp_path / "out.csv"), "--db", db])
    assert listed.exit_code == 0
    exported = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "Agencies should share chronologies." in exported and "Schools should record" not in exported
    again = run(main, ["import", str(source), "--db", db, "--skip-rejected"])
    assert (tmp_path / "panel log - rejected rows (2).csv").exists(), (
        again.stdout + again.stderr
    )  # never replaced
    assert "left 1 unchanged" in again.stdout


def test_a_change_between_the_dry_run_and_the_write_is_seen(tracker: Tracker, tmp_path: Path) -> None:
    """The write reuses the plan's decisions only while the tracker is as the plan saw it."""
    from sscp_tui.services.edits import EditContext, add_update

    first = write_csv(tmp_path / "first.csv", [
        ["Review", "Rec no", "Recommendation", "Lead agency", "Progress"],
        ["SCR Child A", "1", "Agencies should share chronologies.", "Surrey Police", "Training booked"],
    ])  # fmt: skip
    apply(tracker, plan(tracker, first, ImportOptions(create_agencies=True)))
    again = write_csv(tmp_path / "again.csv", [
        ["Review", "Rec no", "Recommendation", "Lead agency", "Progress"],
        ["SCR Child A", "1", "Agencies should share chronologies.", "Surrey Police", "Training delivered"],
    ])  # fmt: skip
    found = plan(tracker, again)
    assert [row.action for row in found.rows] == [RowAction.UPDATE]
    (item_id,) = [row.item_id for row in found.rows]
    with tracker.store.write() as session:  # someone else adds the same update meanwhile
        add_update(
            session,
            EditContext(author="Officer"),
            item_id or 0,
            "Training delivered",
            written_on=tracker.as_of,
        )
    report = apply(tracker, found)
    assert [row.action for row in report.rows] == [RowAction.UNCHANGED]  # decided again, not added twice
    assert [u.text for u in (tracker.item(item_id or 0) or _missing()).updates].count(
        "Training delivered"
    ) == 1


def _missing() -> Any:
    raise AssertionError("the item is gone")
