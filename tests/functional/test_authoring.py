"""Adding to the log in the app: a new review's recommendations and their actions, one after
another or pasted several at once, and a plan with its priorities and their actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from textual.widgets import Input, Select, Static, Tree

from sscp_tui.app import SSCPApp
from sscp_tui.db.enums import ItemKind, ReviewKind
from sscp_tui.db.models import HistoryEntry, TrackedItem
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
from tests.functional.screen_helpers import settle, static_text, type_text, wait_until

SIZE = (120, 40)


def items_of(tracker: Tracker, review_id: int) -> list[TrackedItem]:
    """A review's items as stored, with their agencies and themes loaded."""
    with tracker.store.read() as session:
        return list(
            session.scalars(
                select(TrackedItem)
                .where(TrackedItem.review_id == review_id)
                .order_by(TrackedItem.reference_key)
                .options(
                    selectinload(TrackedItem.lead_agency),
                    selectinload(TrackedItem.supporting_agencies),
                    selectinload(TrackedItem.themes),
                )
            )
        )


async def open_new_review(pilot: Any, app: SSCPApp, demo: Tracker, title: str) -> int:
    """A review added on the Reviews screen, with the cursor on it; its id."""
    await pilot.press("f4")
    await settle(pilot, app)
    demo.save_review(
        None, {"kind": ReviewKind.LCSPR.value, "title": title, "year": 2026, "status": "published"}
    )
    app.screen.refresh_data()  # type: ignore[attr-defined]
    table = app.screen.query_one("#reviews-table", RowTable)
    review = next(r for r in demo.reviews() if r.title == title)
    await wait_until(pilot, app, lambda: str(review.id) in table.row_keys)
    table.move_cursor(row=table.row_keys.index(str(review.id)))
    await pilot.pause()
    return review.id


def form(app: SSCPApp) -> FormModal:
    assert isinstance(app.screen, FormModal), f"no form is open: {type(app.screen).__name__}"
    return app.screen


async def test_recommendations_and_actions_one_after_another(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        review_id = await open_new_review(pilot, app, demo, "Child W")
        await pilot.press("a")
        await settle(pilot, app)
        typed = form(app)
        assert "Add to LCSPR Child W" in static_text(app, ".dialog-title")
        assert typed.query_one("#field-reference", Input).value == "1"  # a review with nothing yet
        # The cursor starts in the text; markup and formula-like text stay as typed.
        await type_text(pilot, "=Agencies [b]should[/b] share")
        typed.query_one("#field-themes", Input).value = "Neglect; Information sharing"
        typed.query_one("#field-lead_agency", Select).value = "SP"
        typed.query_one("#field-timescale", Input).value = "31/03/2027"
        await pilot.pause()
        assert "31 Mar 2027" in static_text(app, "#hint-timescale")  # the timescale as it was read
        await pilot.press("ctrl+n")  # save and add another
        await settle(pilot, app)
        again = form(app)  # still open, for the next one
        assert "Added recommendation 1" in static_text(app, "#form-status")
        assert again.query_one("#field-reference", Input).value == "2"
        await type_text(pilot, "Health visitors should record fathers")
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        # An action of recommendation 1: its reference follows its recommendation's.
        kind = form(app).query_one("#field-kind", Select)
        first = next(item for item in items_of(demo, review_id) if item.reference == "1")
        kind.value = f"action:{first.id}"
        await pilot.pause()
        assert form(app).query_one("#field-reference", Input).value == "1.1"
        form(app).query_one("#field-text").focus()
        await type_text(pilot, "Refresh the information sharing guidance")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)

    made = {item.reference: item for item in items_of(demo, review_id)}
    assert sorted(made) == ["1", "1.1", "2"]
    assert made["1"].text == "=Agencies [b]should[/b] share"
    assert (made["1"].kind, made["1.1"].kind) == (ItemKind.RECOMMENDATION, ItemKind.ACTION)
    assert made["1"].lead_agency is not None and made["1"].lead_agency.short_name == "SP"
    # Themes the tracker has are matched whatever the case they are typed in.
    assert sorted(t.name.casefold() for t in made["1"].themes) == ["information sharing", "neglect"]
    assert made["1"].due_on is not None and made["1"].due_on.isoformat() == "2027-03-31"
    assert made["1.1"].parent_id == made["1"].id
    with demo.store.read() as session:
        created = session.scalars(
            select(HistoryEntry.new_value).where(
                HistoryEntry.field == "created", HistoryEntry.entity_id.in_([i.id for i in made.values()])
            )
        ).all()
    assert sorted(created) == ["action 1.1", "recommendation 1", "recommendation 2"]
    page = demo.page(ItemFilter(review_id=review_id, state=ItemState.ALL))
    assert page.total == 3  # in the log


async def test_an_unknown_supporting_agency_is_offered_then_added(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        review_id = await open_new_review(pilot, app, demo, "Child V")
        await pilot.press("a")
        await settle(pilot, app)
        await type_text(pilot, "Schools should")
        form(app).query_one("#field-supporting_agencies", Input).value = "SP; Riverside Academy"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "'Riverside Academy' is not an agency" in static_text(app, "#error-supporting_agencies")
        assert items_of(demo, review_id) == []  # nothing yet
        await pilot.press("ctrl+s")  # saved again: the agency is added with the item
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
    (item,) = items_of(demo, review_id)
    assert sorted(a.short_name for a in item.supporting_agencies) == ["Riverside Academy", "SP"]


async def test_pasting_several_recommendations(app: SSCPApp, demo: Tracker) -> None:
    pasted = (
        "1. The partnership should review its neglect strategy\n"
        "   and report to the board.\n"
        "2. Schools should record concerns about attendance.\n"
        "\n"
        "3) Police should share domestic abuse notifications within a day."
    )
    async with app.run_test(size=SIZE) as pilot:
        review_id = await open_new_review(pilot, app, demo, "Family P")
        await pilot.press("v")
        await settle(pilot, app)
        area = form(app).query_one("#field-pasted")
        area.text = pasted  # type: ignore[attr-defined]
        await pilot.pause()
        assert "3 recommendations" in static_text(app, "#hint-pasted")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
    made = {item.reference: item.text for item in items_of(demo, review_id)}
    assert made == {
        "1": "The partnership should review its neglect strategy and report to the board.",
        "2": "Schools should record concerns about attendance.",
        "3": "Police should share domestic abuse notifications within a day.",
    }


async def test_a_pasted_reference_already_in_the_review_is_refused_whole(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        review_id = await open_new_review(pilot, app, demo, "Family R")
        await pilot.press("v")
        await settle(pilot, app)
        form(app).query_one("#field-pasted").text = "1. First\n2. Second"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("v")
        await settle(pilot, app)
        form(app).query_one("#field-pasted").text = "3. Third\n2. Second again"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "already an item 2" in static_text(app, "#error-pasted")
    assert [item.reference for item in items_of(demo, review_id)] == ["1", "2"]  # 3 was not added either


async def test_a_plan_its_priority_and_an_action(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot, app)
        await pilot.press("N")
        await settle(pilot, app)
        await type_text(pilot, "Strategic plan 2026-29")
        await pilot.press("tab")
        await type_text(pilot, "2026-2029")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        plan = next(p for p in demo.plans() if p.title == "Strategic plan 2026-29")
        tree = app.screen.query_one(Tree)
        node = next(n for n in tree.root.children if n.data and n.data.id == plan.id)
        tree.move_cursor(node)
        await pilot.press("plus")
        await settle(pilot, app)
        assert form(app).query_one("#field-number", Input).value == "1"
        await type_text(pilot, "Neglect")
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert form(app).query_one("#field-number", Input).value == "2"
        await pilot.press("escape")
        await settle(pilot, app)
        priority = next(p for p in demo.plans() if p.id == plan.id).priorities[0]
        node = next(n for n in tree.root.children if n.data and n.data.id == plan.id)
        node.expand()
        await pilot.pause()
        tree.move_cursor(next(n for n in node.children if n.data and n.data.id == priority.id))
        await pilot.press("plus")
        await settle(pilot, app)
        assert "priority 1 of Strategic plan 2026-29" in static_text(app, ".dialog-title")
        await type_text(pilot, "Audit neglect cases")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    (row,) = demo.page(ItemFilter(priority_id=priority.id, state=ItemState.ALL)).rows
    assert (row.reference, row.text) == ("1", "Audit neglect cases")
    with demo.store.read() as session:
        kinds = session.scalars(
            select(HistoryEntry.entity).where(
                HistoryEntry.field == "created", HistoryEntry.entity.in_(["plan", "priority"])
            )
        ).all()
    assert kinds.count("plan") >= 1 and kinds.count("priority") >= 1


async def test_the_form_says_its_hint_for_a_pasted_box(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_new_review(pilot, app, demo, "Child T")
        await pilot.press("v")
        await settle(pilot, app)
        assert "Nothing to add yet" in static_text(app, "#hint-pasted")
        hint = app.screen.query_one("#hint-pasted", Static)
        assert hint.display


async def test_the_palette_opens_the_form_for_a_review(app: SSCPApp, demo: Tracker) -> None:
    from textual.widgets import OptionList

    review = demo.reviews()[0]

    def first_hit() -> str:
        lists = app.screen.query(OptionList)
        if not lists or not lists.first().option_count:
            return ""
        return str(lists.first().get_option_at_index(0).prompt)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        await type_text(pilot, f"add items to {review.title}")
        await wait_until(pilot, app, lambda: first_hit().startswith("Add items to"))
        await pilot.press("enter")
        await wait_until(pilot, app, lambda: isinstance(app.screen, FormModal))
        assert f"Add to {review.label}" in static_text(app, ".dialog-title")


async def test_log_search_finds_a_word_only_in_a_progress_update(app: SSCPApp, demo: Tracker) -> None:
    from sscp_tui.screens.log import LogTable

    target = demo.page(ItemFilter(state=ItemState.OPEN), limit=1).rows[0]
    demo.add_update(target.id, "Agreed at the Linnet panel to re-audit in the spring")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        await pilot.press("slash")
        await type_text(pilot, "linnet")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        assert table.row_count == 1
        assert int(table.cursor_key or 0) == target.id
