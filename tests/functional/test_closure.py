"""Closing as partnerships do it, in the app: delivered (Green, with evidence of completion),
then evidenced (Blue, with evidence of impact); and a timescale's revisions counted."""

from __future__ import annotations

from typing import Any

from textual.widgets import Select

from sscp_tui.app import SSCPApp
from sscp_tui.db.models import ItemKind, Rating
from sscp_tui.screens.log import LogTable
from sscp_tui.services.records import ItemFilter
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import column, open_log, settle, static_text, type_text

SIZE = (160, 45)


async def revise(pilot: Any, app: SSCPApp, timescale: str) -> None:
    await pilot.press("t")
    await type_text(pilot, timescale)
    await pilot.press("enter")
    await type_text(pilot, "Slipped")
    await pilot.press("enter")
    await settle(pilot, app)


async def test_revisions_are_counted_on_the_item_and_in_the_log(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        item_id = int(table.cursor_key or 0)
        await pilot.press("enter")
        await settle(pilot, app)
        await revise(pilot, app, "March 2027")
        await revise(pilot, app, "June 2027")
        assert "the timescale has been revised 2 times" in static_text(app, "#item-facts")
        await pilot.press("escape")
        await settle(pilot, app)
        # The log's filter narrows to items revised 2+ times; the column shows the count.
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#field-revised", Select).value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        assert [int(key) for key in table.row_keys] == [item_id]
        assert column(table, "revised") == ["2×"]
        assert "revised 2+ times" in static_text(app, "#log-filters")
    assert demo.rows([item_id])[0].revisions == 2


async def test_delivered_then_closed_with_evidence_of_impact(app: SSCPApp, demo: Tracker) -> None:
    from textual.widgets import TextArea

    # An action, which has no actions of its own to be open: closing it takes one save.
    target = next(
        r
        for r in demo.page(ItemFilter(), limit=200).rows
        if r.rating is not Rating.GREEN and r.kind is ItemKind.ACTION
    )
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        table.move_cursor(row=list(table.row_keys).index(str(target.id)))
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot, app)
        assert f"Mark {target.source} {target.reference} delivered (Green)" in static_text(
            app, ".dialog-title"
        )
        app.screen.query_one("#field-evidence", TextArea).text = "Guidance issued to every team"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        row = demo.rows([target.id])[0]
        assert row.rating is Rating.GREEN and row.awaiting_days is not None
        # The log narrows to items awaiting evidence of impact, and says how long each waited.
        await pilot.press("f")
        await settle(pilot, app)
        app.screen.query_one("#field-awaiting", Select).value = "yes"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        keys = [int(key) for key in table.row_keys]
        assert target.id in keys
        assert column(table, "awaiting")[keys.index(target.id)] == f"{row.awaiting_days} d"
        # Closing it asks for the evidence of impact, with its evidence of completion kept.
        table.move_cursor(row=keys.index(target.id))
        await pilot.press("enter")
        await settle(pilot, app)
        assert "awaiting evidence of impact" in static_text(app, "#item-facts")
        await pilot.press("b")
        await settle(pilot, app)
        assert app.screen.query_one("#field-evidence", TextArea).text == "Guidance issued to every team"
        app.screen.query_one("#field-impact", TextArea).text = "Re-audit of 20 cases: all followed it"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    detail = demo.item(target.id)
    assert detail is not None and detail.row.rating is Rating.BLUE
    assert detail.evidence_impact == "Re-audit of 20 cases: all followed it"
    assert detail.row.awaiting_days is None


def test_only_one_timescale_for_another_counts_and_delivery_keeps_its_day(demo: Tracker) -> None:
    from datetime import date

    from sscp_tui.services.records import ItemState

    row = next(r for r in demo.page(ItemFilter(state=ItemState.OPEN), limit=300).rows if r.timescale)
    start = row.revisions
    demo.update_item(row.id, {"timescale": ""}, "Cleared")  # clearing is not a revision
    demo.update_item(row.id, {"timescale": "March 2027"}, "A timescale again")  # nor is a first one
    assert demo.rows([row.id])[0].revisions == start
    revised = demo.revise_timescale([row.id], "June 2027", "Slipped")
    assert demo.rows([row.id])[0].revisions == start + 1
    demo.undo(revised.batch)
    assert demo.rows([row.id])[0].revisions == start
    demo.mark_delivered(row.id, "Guidance issued", "Delivered")
    since = demo.rows([row.id])[0].awaiting_impact_since
    assert since == date.today()
    demo.update_item(row.id, {"evidence_completion": "Guidance issued to every team"}, "Typo")
    assert demo.rows([row.id])[0].awaiting_impact_since == since  # an edit does not restart the clock
