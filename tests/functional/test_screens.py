"""The screens, driven as a user would: keys pressed, the screen read, the database checked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.widgets import Input

from sscp_tui.app import SSCPApp
from sscp_tui.db.models import HistoryEntry, Rating
from sscp_tui.screens.forms import ConfirmModal
from sscp_tui.screens.item import ItemScreen
from sscp_tui.screens.log import LogTable
from sscp_tui.services.records import AlertKind, ItemFilter, ItemState, SortKey
from sscp_tui.services.tracker import Tracker
from sscp_tui.widgets.rowtable import RowTable
from tests.functional.screen_helpers import column, open_log, settle, static_text, table_rows, type_text

SIZE = (140, 45)


def rating_history(tracker: Tracker, item_id: int) -> list[HistoryEntry]:
    with tracker.store.read() as s:
        return list(
            s.scalars(
                select(HistoryEntry)
                .where(HistoryEntry.entity_id == item_id, HistoryEntry.field == "rating")
                .order_by(HistoryEntry.id.desc())
            )
        )


async def test_dashboard_shows_the_service_counts(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        counts = demo.rating_counts(ItemFilter(state=ItemState.ALL))
        red = static_text(app, "#card-red")
        assert f"{counts[Rating.RED]}" in red and "Red" in red
        assert f"{counts[Rating.BLUE]}" in static_text(app, "#card-blue")
        alerts = {row[0]: int(row[1]) for row in table_rows(app.screen.query_one("#alerts-table", RowTable))}
        service = demo.alert_counts(ItemFilter(state=ItemState.ALL))
        assert alerts == {kind.label: service[kind] for kind in service.counts}
        assert "Next meeting: Case Review Panel" in static_text(app, "#next-meeting")


async def test_a_matrix_cell_opens_the_log_for_that_agency_and_rating(
    app: SSCPApp, demo: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        read: list[ItemFilter] = []
        page = demo.page
        monkeypatch.setattr(demo, "page", lambda f, **kw: (read.append(f), page(f, **kw))[1])
        matrix = app.screen.query_one("#matrix-table", RowTable)
        assert app.screen.focused is matrix
        rows = table_rows(matrix)
        target = next(i for i, row in enumerate(rows) if row[2].strip() not in ("·", "0"))  # an Amber count
        await pilot.press(*["down"] * target, "right", "right")  # Agency → Red → Amber
        assert (matrix.cursor_row, matrix.cursor_column_key) == (target, "amber")
        await pilot.press("enter")
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        agency = rows[target][0]
        assert table.row_count == int(rows[target][2])
        assert set(column(table, "lead")) == {agency} and set(column(table, "rating")) == {" Amber  "}
        assert f"agency {agency} (lead)" in static_text(app, "#log-filters")
        # The log, made for this, read that agency's page alone: not the whole log's first.
        assert read and all(f.agency_id is not None for f in read), read


async def test_a_click_on_a_matrix_total_opens_every_item_that_agency_leads(
    app: SSCPApp, demo: Tracker
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        matrix = app.screen.query_one("#matrix-table", RowTable)
        rows = table_rows(matrix)
        target = max(range(len(rows)), key=lambda i: int(rows[i][-1]))  # ratings of more than one kind
        total_x = sum(c.cell_width for c in matrix.columns.values()) - 2
        await pilot.click(matrix, offset=(total_x, 1 + target))  # moves the cursor to the Total cell
        assert (matrix.cursor_row, matrix.cursor_column_key) == (target, "total")
        assert not app.screen.query("#log-table")  # not opened yet
        await pilot.click(matrix, offset=(total_x, 1 + target))  # a click on the cursor cell opens it
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        assert table.row_count == min(int(rows[target][-1]), 100)  # one page at most
        assert set(column(table, "lead")) == {rows[target][0]} and len(set(column(table, "rating"))) > 1


async def test_tab_reaches_the_alerts_and_enter_lists_those_items(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab")  # from the matrix round to the first panel
        alerts = app.screen.query_one("#alerts-table", RowTable)
        assert app.screen.focused is alerts
        await pilot.press("down", "enter")  # the second alert: Inconsistent
        await settle(pilot, app)
        table = app.screen.query_one("#log-table", LogTable)
        service = demo.alert_counts(ItemFilter(state=ItemState.ALL))
        assert alerts.row_keys[1] == "inconsistent"
        assert table.row_count == service[AlertKind.INCONSISTENT] > 0
        assert all("inconsistent" in marks for marks in column(table, "alerts"))  # one name


async def test_enter_on_a_worst_item_opens_it(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "tab")
        worst = app.screen.query_one("#worst-table", RowTable)
        assert app.screen.focused is worst
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ItemScreen) and app.screen.item_id == int(worst.row_keys[1])


async def open_the_first_of_two(pilot: Any, app: SSCPApp) -> tuple[ItemScreen, int, int]:
    """The log open, Enter on its first row: the item's screen, and the first two rows' items."""
    table = await open_log(pilot, app)
    first, second = int(table.row_keys[0]), int(table.row_keys[1])
    await pilot.press("enter")
    await settle(pilot, app)
    screen = app.screen
    assert isinstance(screen, ItemScreen) and screen.item_id == first
    return screen, first, second


async def test_enter_on_the_log_opens_the_item_whole_or_says_it_has_gone(
    app: SSCPApp, demo: Tracker, monkeypatch: Any
) -> None:
    """The item is read before its screen is pushed, so the screen shows it from its first
    paint (it never reads it again as it opens); a row someone else deleted since the page
    was read is said to be gone, and the log stays where it is."""
    monkeypatch.setattr(ItemScreen, "load", lambda _screen: pytest.fail("the item was read after opening"))
    async with app.run_test(size=SIZE) as pilot:
        _, first, second = await open_the_first_of_two(pilot, app)
        expected = demo.item(first)
        assert expected is not None and expected.row.reference in static_text(app, "#item-head")
        await pilot.press("escape")
        await settle(pilot, app)
        demo.delete([second], "Entered twice by mistake.")  # by someone else, unseen by this page
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, ItemScreen)
        assert any("That item is no longer in the log." in str(n.message) for n in app._notifications)


async def test_the_item_screen_is_kept_and_shows_and_changes_only_the_item_opened(
    app: SSCPApp, demo: Tracker
) -> None:
    """The item's screen is kept from one item to the next: given the next item opened, it
    shows that item from its top, nothing of the one before, and a rating given there goes to
    that item."""

    def said(text: str) -> str:
        return " ".join(text.split())

    async with app.run_test(size=(100, 24)) as pilot:
        kept, first, second = await open_the_first_of_two(pilot, app)
        before = demo.rows([first])[0].rating
        body = kept.query_one("#item-body")
        body.scroll_end(animate=False, immediate=True)
        await settle(pilot, app)
        assert body.scroll_y > 0
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert app.screen is kept and kept.item_id == second, "the same screen, given the next item"
        head = said(static_text(app, "#item-head"))
        one, other = demo.item(first), demo.item(second)
        assert one is not None and other is not None and said(one.row.text) != said(other.row.text)
        assert said(other.row.text)[:40] in head and said(one.row.text)[:40] not in head
        assert body.scroll_y == 0, "shown from its top"
        key, rating = ("g", Rating.GREEN) if other.row.rating is not Rating.GREEN else ("a", Rating.AMBER)
        await pilot.press(key)
        await settle(pilot, app)
        assert said(other.row.reference) in said(static_text(app, ".dialog-title"))
        await type_text(pilot, "Checked at the panel")
        await pilot.press("enter")
        await settle(pilot, app)
    assert demo.rows([second])[0].rating is rating
    assert demo.rows([first])[0].rating is before


async def test_a_read_of_the_item_before_shows_nothing_on_the_screen_kept(
    app: SSCPApp, demo: Tracker, monkeypatch: Any
) -> None:
    """The item's screen reads its item again after an edit or another user's change. Such a
    read of the item before, finishing once the screen kept shows the next one, is let go: the
    screen shows, and its keys change, the item last opened."""
    import time

    slow: set[int] = set()
    real = demo.item

    def item(item_id: int) -> Any:
        if item_id in slow:
            time.sleep(0.5)
        return real(item_id)

    monkeypatch.setattr(demo, "item", item)
    async with app.run_test(size=SIZE) as pilot:
        kept, first, second = await open_the_first_of_two(pilot, app)
        slow.add(first)
        kept.load()  # (as after an edit): it reads the first item for half a second
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot, app)  # (the read of the first item over by now)
        assert app.screen is kept and kept.item_id == second
        assert kept.detail is not None and kept.detail.row.id == second
        other = real(second)
        assert other is not None and other.row.reference in static_text(app, "#item-head")


async def test_the_matrix_cursor_keeps_its_cell_when_the_dashboard_reloads(
    app: SSCPApp, demo: Tracker
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        matrix = app.screen.query_one("#matrix-table", RowTable)
        await pilot.press("down", "down", "down", "right", "right", "right")
        screen: Any = app.screen
        screen.refresh_data()
        await settle(pilot, app)
        assert (matrix.cursor_row, matrix.cursor_column_key) == (3, "green")


async def test_on_a_small_screen_the_last_alert_and_agency_scroll_into_view(
    app: SSCPApp, demo: Tracker
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for table_id in ("matrix-table", "alerts-table"):
            table = app.screen.query_one(f"#{table_id}", RowTable)
            table.focus()
            await pilot.press("end")
            await pilot.pause()
            top = table.content_region.y + (1 if table.show_header else 0)
            y = top + table.cursor_row - round(table.scroll_y)
            shown, _ = app.screen.get_widget_at(table.content_region.x + 2, y)
            assert shown is table, f"{table_id}: the cursor row is hidden under the panel's edge"


async def test_the_row_of_items_with_no_lead_agency_opens_nothing(app: SSCPApp, demo: Tracker) -> None:
    from sscp_tui.db.models import ItemKind
    from sscp_tui.services.edits import NewItem

    demo.create_item(
        NewItem(kind=ItemKind.ACTION, reference="N1", text="No lead yet", review_id=demo.reviews()[0].id)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        matrix = app.screen.query_one("#matrix-table", RowTable)
        assert matrix.row_keys[-1] == "none" and table_rows(matrix)[-1][0] == "—"
        await pilot.press("end", "right", "enter")
        await settle(pilot, app)
        assert app.screen.query_one("#matrix-table") is matrix  # still on the dashboard


async def test_rating_from_the_log_is_one_key_plus_a_note(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        item_id = int(table.cursor_key)
        before = demo.rows([item_id])[0].rating
        assert before is not Rating.GREEN
        await pilot.press("g")
        await type_text(pilot, "Audit shows progress")
        await pilot.press("enter")
        await settle(pilot, app)
        assert demo.rows([item_id])[0].rating is Rating.GREEN
        latest = rating_history(demo, item_id)[0]
        assert (latest.old_value, latest.new_value) == (before.value if before else None, "green")
        assert latest.note == "Audit shows progress" and latest.author == "Test Chair"
        assert table.get_cell(str(item_id), "rating").plain.strip() == "Green"
        assert any("Saved: Green" in n.message for n in app._notifications)


async def test_a_rated_row_stays_where_it_is_and_the_cursor_stays_on_it(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        screen: Any = app.screen
        screen.sort_by(SortKey.RATING, toggle=False)  # Red first: a Green row would sort away
        await settle(pilot, app)
        await pilot.press("down", "down")
        order = table.row_keys
        item_id = int(table.cursor_key or 0)
        await pilot.press("g")
        await type_text(pilot, "On track")
        await pilot.press("enter")
        await settle(pilot, app)
        assert demo.rows([item_id])[0].rating is Rating.GREEN
        assert table.row_keys == order and table.cursor_row == 2  # not re-sorted under the chair
        assert table.get_cell(str(item_id), "rating").plain.strip() == "Green"
        assert "of 84 items" in static_text(app, "#log-status")


async def test_hiding_a_column_redraws_the_rows_under_the_right_headings(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        first = table.row_keys[0]
        lead = demo.rows([int(first)])[0].lead_agency
        await pilot.press("c")  # the optional columns, the first (Review) ticked
        await pilot.pause()
        await pilot.press("space", "enter")  # untick Review, accept
        await settle(pilot, app)
        assert "review" not in table.columns and table.row_keys[0] == first
        assert column(table, "lead")[0] == lead  # each cell under its own heading
        assert "review" in app.views.state.hidden_columns


async def test_a_row_rated_out_of_the_filter_stays_marked_until_the_page_is_reloaded(
    app: SSCPApp, demo: Tracker
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        screen: Any = app.screen
        screen.set_filter(ItemFilter(ratings=frozenset({Rating.RED})))
        await settle(pilot, app)
        reds = table.row_count
        item_id = int(table.cursor_key or 0)
        await pilot.press("a")
        await type_text(pilot, "Improving")
        await pilot.press("enter")
        await settle(pilot, app)
        assert table.row_count == reds and table.cursor_key == str(item_id)  # the cursor never moves
        assert f"of {reds - 1} items" in static_text(app, "#log-status")  # counted as it now is
        assert "no longer matches the filter" in column(table, "text")[0]
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        assert table.row_count == reds - 1 and str(item_id) not in table.row_keys


async def test_a_rating_needs_a_note_and_escape_changes_nothing(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        item_id = int(table.cursor_key)
        before = demo.rows([item_id])[0].rating
        await pilot.press("r", "enter")
        await pilot.pause()
        assert "A note is required." in static_text(app, "#error-note")
        await pilot.press("escape")
        await settle(pilot, app)
        assert demo.rows([item_id])[0].rating is before


async def test_several_rows_are_rated_at_once_and_undone_together(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        ids = [int(table.row_keys[i]) for i in range(3)]
        before = {row.id: row.rating for row in demo.rows(ids)}
        await pilot.press("space", "space", "space")
        assert "3 selected" in static_text(app, "#log-status")
        await pilot.press("a")
        await type_text(pilot, "Slipping")
        await pilot.press("enter")
        await settle(pilot, app)
        assert {row.rating for row in demo.rows(ids)} == {Rating.AMBER}
        batches = {rating_history(demo, i)[0].batch for i in ids if before[i] is not Rating.AMBER}
        assert len(batches) == 1
        await pilot.press("u")  # asked first, naming what it reverses …
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question == "Undo: Amber for 3 selected items, just now?"
        await pilot.press("n")  # … kept when the answer is no …
        await settle(pilot, app)
        assert {row.rating for row in demo.rows(ids)} == {Rating.AMBER}
        await pilot.press("u", "y")  # … and still the one offered next
        await settle(pilot, app)
        assert {row.id: row.rating for row in demo.rows(ids)} == before
        for item_id in ids:
            if before[item_id] is not Rating.AMBER:
                undo = rating_history(demo, item_id)[0]
                assert undo.source == "undo" and undo.new_value == (
                    before[item_id].value if before[item_id] else None
                )
        assert any(n.message.startswith("Undone: Amber for 3 selected items (") for n in app._notifications)


async def test_search_filter_and_clear(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        everything = table.row_count
        await pilot.press("slash")
        await type_text(pilot, "Doris")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert 0 < table.row_count < everything
        assert all("Doris" in source for source in column(table, "review"))
        assert "text “Doris”" in static_text(app, "#log-filters")
        await pilot.press("enter", "x")
        await settle(pilot, app)
        assert table.row_count == everything


async def test_enter_in_the_search_box_shows_the_searched_page_with_the_keys_on_the_table(
    app: SSCPApp, demo: Tracker
) -> None:
    """Enter searches at once and hands the keys back to the table as the searched page is
    shown: the next key moves the cursor on that page, not in the search box."""
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        everything = table.row_count
        await pilot.press("slash")
        await type_text(pilot, "Doris")
        await pilot.press("enter")
        await settle(pilot, app)
        assert table.has_focus
        assert 0 < table.row_count < everything
        assert all("Doris" in source for source in column(table, "review"))
        await pilot.press("down")
        assert table.cursor_row == 1
        assert app.screen.query_one("#log-search", Input).value == "Doris"


async def test_saved_views_switch_with_number_keys_and_persist(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        await pilot.press("slash")
        await type_text(pilot, "Child Z")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        child_z = table.row_count
        await pilot.press("v")
        await type_text(pilot, "Child Z work")
        await pilot.press("enter")
        await settle(pilot, app)
        assert "1 Child Z work" in static_text(app, "#log-filters")
        await pilot.press("x")
        await settle(pilot, app)
        assert table.row_count > child_z
        await pilot.press("1")
        await settle(pilot, app)
        assert table.row_count == child_z
    again = SSCPApp(demo)
    assert [v.name for v in again.views.state.views] == ["Child Z work"]


async def test_the_filter_form_is_asked_again_with_the_current_filter(app: SSCPApp, demo: Tracker) -> None:
    from textual.widgets import Select

    from sscp_tui.db.enums import AgencyKind
    from sscp_tui.screens.forms import FormModal

    agency = demo.agencies()[0]
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#field-agency", Select).value = str(agency.id)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert f"agency {agency.short_name}" in static_text(app, "#log-filters")
        await pilot.press("f")
        await settle(pilot, app)
        assert app.screen is form  # the same form, not built again
        assert form.query_one("#field-agency", Select).value == str(agency.id)
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("x")
        await settle(pilot, app)
        demo.create_agency("Surrey Youth Justice Service", "YJS", AgencyKind.STATUTORY)
        await pilot.press("f")
        await settle(pilot, app)
        assert app.screen is form
        chosen = form.query_one("#field-agency", Select)
        assert chosen.value is Select.NULL  # no agency in the filter now
        new_id = next(a.id for a in demo.agencies() if a.short_name == "YJS")
        chosen.value = str(new_id)  # the new agency is one of the choices
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "agency YJS" in static_text(app, "#log-filters")


async def test_a_view_naming_an_agency_no_longer_there_says_so(app: SSCPApp, demo: Tracker) -> None:
    from sscp_tui.views import SavedView

    app.views.state.views = [SavedView(name="Old team", agency="Gone Team", ratings=("red",))]
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        await pilot.press("1")
        await settle(pilot, app)
        said = [n.message for n in app._notifications]
        assert any("without the agency 'Gone Team' it names" in m for m in said), said
        assert {cell.strip() for cell in column(table, "rating")} == {"Red"}  # the rest still applies


async def test_markup_in_the_data_is_shown_literally(app: SSCPApp, demo: Tracker) -> None:
    nasty = "[bold]x[/] [/] [$accent]y [link='file:///etc/passwd']z[/] [@click=app.quit]q[/]"
    review = demo.reviews()[0]
    from sscp_tui.db.models import ItemKind
    from sscp_tui.services.edits import NewItem

    created = demo.create_item(
        NewItem(kind=ItemKind.RECOMMENDATION, reference="[b]9[/b]", text=nasty, review_id=review.id,
                timescale="[red]soon[/red]", owner="[i]owner[/i]")
    )  # fmt: skip
    item_id = created.item_ids[0]
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        await pilot.press("slash")
        await type_text(pilot, "etc")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        assert column(table, "text") == [nasty]
        assert column(table, "ref") == ["[b]9[/b]"]
        await pilot.press("enter")
        await settle(pilot, app)
        body = static_text(app, "#item-head")
        assert nasty in body
        await pilot.press("g")
        await type_text(pilot, "ok")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.is_running  # nothing ran, nothing crashed
        assert any("[b]9[/b]" in n.message for n in app._notifications)
    assert demo.item(item_id).row.rating is Rating.GREEN


async def open_first_item(pilot: Any, app: SSCPApp) -> int:
    table = await open_log(pilot, app)
    item_id = int(table.cursor_key)
    await pilot.press("enter")
    await settle(pilot, app)
    return item_id


async def test_item_screen_shows_everything_and_takes_an_update(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        item_id = await open_first_item(pilot, app)
        detail = demo.item(item_id)
        head = static_text(app, "#item-head")
        assert detail.row.reference in head and " ".join(detail.row.text.split())[:40] in " ".join(
            head.split()
        )
        facts = static_text(app, "#item-facts")
        assert "Lead agency" in facts and "Timescale" in facts and "Overdue" in facts
        assert "History" in static_text(app, "#item-history")
        await pilot.press("n")
        await type_text(pilot, "Audit booked for January")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert demo.item(item_id).updates[0].text == "Audit booked for January"
        assert "Audit booked for January" in static_text(app, "#item-updates")


async def test_revising_a_timescale_from_the_item_keeps_the_original(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        item_id = await open_first_item(pilot, app)
        original = demo.item(item_id).row
        await pilot.press("t")
        await type_text(pilot, "Q4 2026-27")
        await pilot.pause()
        assert "31 Mar 2027" in static_text(app, "#hint-timescale")
        await pilot.press("enter")
        await type_text(pilot, "Agreed at panel")
        await pilot.press("enter")
        await settle(pilot, app)
        detail = demo.item(item_id)
        assert detail.row.timescale == "Q4 2026-27" and str(detail.row.due_on) == "2027-03-31"
        assert detail.original_due_on == original.due_on or detail.original_due_on is not None
        assert "Originally" in static_text(app, "#item-facts")


async def test_mark_complete_asks_for_evidence_of_completion_and_of_impact(
    app: SSCPApp, demo: Tracker
) -> None:
    from textual.widgets import TextArea

    async with app.run_test(size=SIZE) as pilot:
        item_id = await open_first_item(pilot, app)
        await pilot.press("b")
        await pilot.pause()
        app.screen.query_one("#field-evidence", TextArea).text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Evidence of completion is required." in static_text(app, "#error-evidence")
        assert "Evidence of impact is required." in static_text(app, "#error-impact")
        app.screen.query_one("#field-evidence", TextArea).focus()
        await type_text(pilot, "Case audit of 20 files")
        app.screen.query_one("#field-impact", TextArea).focus()
        await type_text(pilot, "Re-audit found it held")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        # This recommendation's action is still open: said first, closed only when saved again.
        open_refs = [c.reference for c in demo.item(item_id).children if c.rating is not Rating.BLUE]
        assert open_refs and demo.item(item_id).row.rating is not Rating.BLUE
        said = static_text(app, "#form-status")
        assert f"still has open action {open_refs[0]}" in said or "still has open actions" in said
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        detail = demo.item(item_id)
        assert detail.row.rating is Rating.BLUE and detail.evidence_completion == "Case audit of 20 files"
        assert detail.evidence_impact == "Re-audit found it held"
        assert "closed with open actions" in rating_history(demo, item_id)[0].note


async def test_delete_asks_first_and_is_recorded(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        item_id = int(table.cursor_key)
        await pilot.press("delete", "n")
        await settle(pilot, app)
        assert demo.item(item_id) is not None
        await pilot.press("delete", "y")
        await type_text(pilot, "Duplicate")
        await pilot.press("enter")
        await settle(pilot, app)
        assert demo.item(item_id) is None
        assert str(item_id) not in table.row_keys
        await pilot.press("u", "y")
        await settle(pilot, app)
        assert demo.item(item_id) is not None


async def test_the_chair_pass_end_to_end_and_resumed(app: SSCPApp, demo: Tracker) -> None:
    review = demo.find_review("LCSPR Family B")
    ids = demo.ids(ItemFilter(review_id=review.id))
    assert len(ids) >= 2
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot, app)
        await type_text(pilot, "Family B")
        await pilot.press("enter")
        await settle(pilot, app)
        assert f"item 1 of {len(ids)}" in static_text(app, "#chair-scope")
        first = demo.item(ids[0])
        assert first.row.reference in static_text(app, "#chair-item")
        new, key = (Rating.GREEN, "g") if first.row.rating is not Rating.GREEN else (Rating.AMBER, "a")
        await pilot.press(key)
        await type_text(pilot, "Reviewed at panel")  # replaces any note offered, never appended
        await pilot.press("enter")
        await settle(pilot, app)
        assert demo.rows([ids[0]])[0].rating is new
        assert rating_history(demo, ids[0])[0].note == "Reviewed at panel"
        assert f"item 2 of {len(ids)}" in static_text(app, "#chair-scope")
        await pilot.press("f2")  # leave …
        await settle(pilot, app)
    again = SSCPApp(demo)  # … and come back in a new session: it resumes
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot, again)
        assert f"item 2 of {len(ids)}" in static_text(again, "#chair-scope")
        for _ in ids[1:]:
            await pilot.press("space")
            await settle(pilot, again)
        summary = static_text(again, "#chair-item")
        assert "complete" in summary and "1 ratings changed" in summary
        assert f"{first.row.source} {first.row.reference}" in summary


async def test_the_chair_revises_a_timescale_and_adds_an_update_from_the_pass(
    app: SSCPApp, demo: Tracker
) -> None:
    from sscp_tui.screens.chair import pending_proposal
    from sscp_tui.screens.forms import FormModal

    ids = demo.ids(ItemFilter(state=ItemState.OPEN))
    first = demo.item(ids[0])
    assert first is not None and first.row.days_overdue
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot, app)
        await pilot.press("enter")  # all open items, worst first: an overdue one
        await settle(pilot, app)
        assert f"Overdue {first.row.days_overdue} days" in static_text(app, "#chair-item")
        # The rating form shows what to decide with, and offers no note unless confirming.
        await pilot.press("a")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal) and first.row.reference in form.form_title
        context = static_text(app, "#form-context")
        assert "Timescale:" in context and f"Overdue {first.row.days_overdue} days" in context
        assert "Latest update" in context or "No progress update" in context
        offered = form.query_one("#field-note", Input).value
        proposal = pending_proposal(first)
        if proposal is not None and proposal[0] is Rating.AMBER:
            assert offered.startswith("Confirmed the rating proposed")
        else:
            assert offered == ""
        await pilot.press("escape")
        await settle(pilot, app)
        # t: Amber with a revised date is set from the pass, which stays on the item.
        await pilot.press("t")
        await settle(pilot, app)
        assert "Timescale:" in static_text(app, "#form-context")
        await type_text(pilot, "31/03/2027")
        await pilot.press("tab")
        await type_text(pilot, "Agreed new date at panel")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        row = demo.rows([ids[0]])[0]
        assert row.timescale == "31/03/2027" and "item 1 of" in static_text(app, "#chair-scope")
        # n: an update on the same item, still item 1.
        await pilot.press("n")
        await settle(pilot, app)
        await type_text(pilot, "Chair asked for a revised plan")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        detail = demo.item(ids[0])
        assert detail is not None and detail.updates[0].text == "Chair asked for a revised plan"
        assert "item 1 of" in static_text(app, "#chair-scope")
        assert "Chair asked for a revised plan" in static_text(app, "#chair-item")


async def test_confirming_a_proposed_rating(app: SSCPApp, demo: Tracker) -> None:
    from sscp_tui.screens.chair import pending_proposal

    proposed = [row for row in demo.page(ItemFilter(), limit=500).rows if pending_proposal(demo.item(row.id))]
    assert proposed, "the demo has proposals"
    target = proposed[0]
    wanted = pending_proposal(demo.item(target.id))[0]
    async with app.run_test(size=SIZE) as pilot:
        screen_ids = demo.ids(ItemFilter(state=ItemState.OPEN))
        await pilot.press("f7")
        await settle(pilot, app)
        await pilot.press("enter")  # all open items
        await settle(pilot, app)
        for _ in range(screen_ids.index(target.id)):
            await pilot.press("space")
        await settle(pilot, app)
        assert "y confirms" in static_text(app, "#chair-item")
        await pilot.press("y")
        await pilot.pause()
        if wanted is Rating.BLUE:
            await type_text(pilot, "Evidence")
            await pilot.press("ctrl+s")
        else:
            await pilot.press("enter")
        await settle(pilot, app)
    assert demo.rows([target.id])[0].rating is wanted
    assert "Confirmed the rating proposed" in rating_history(demo, target.id)[0].note or wanted is Rating.BLUE


async def test_reviews_screen_lists_creates_and_opens(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot, app)
        table = app.screen.query_one("#reviews-table", RowTable)
        assert table.row_count == len(demo.reviews())
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("tab")
        await type_text(pilot, "Child Q2")
        await pilot.press("tab")
        await type_text(pilot, "2026")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert table.row_count == len(demo.reviews())
        assert any(r.title == "Child Q2" and r.year == 2026 for r in demo.reviews())
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "review " in static_text(app, "#log-filters")


async def test_agencies_screen_opens_an_agency_log(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot, app)
        table = app.screen.query_one("#agencies-table", RowTable)
        assert table.row_count == len(demo.agencies())
        row = table_rows(table)[0]
        short, counted = row[0], sum(int(cell) for cell in row[2:6] if cell.strip().isdigit())
        await pilot.press("enter")
        await settle(pilot, app)
        # Enter lists what the row counts: the open items the agency leads, and says so.
        assert f"agency {short} (lead)" in static_text(app, "#log-filters")
        log = app.screen.query_one("#log-table")
        assert log.row_count == min(counted, 100)  # a page at most
        await pilot.press("f6")
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        assert f"agency {short} (lead or supporting)" in static_text(app, "#log-filters")
        assert app.screen.query_one("#log-table").row_count >= counted


async def test_agencies_screen_makes_an_agency_mine(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot, app)
        table = app.screen.query_one("#agencies-table", RowTable)
        await pilot.press("down", "down", "m")
        await pilot.pause()
        rows = table_rows(table)
        # The mark moves at once, on the row under the cursor and on no other; the cursor stays.
        assert table.cursor_row == 2
        assert [i for i, row in enumerate(rows) if "(my agency)" in row[1]] == [2]
        assert app.views.state.my_agency == rows[2][0]
        await pilot.press("up", "m")
        await pilot.pause()
        assert [i for i, row in enumerate(table_rows(table)) if "(my agency)" in row[1]] == [1]
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("m")
        await settle(pilot, app)
        assert f"agency {rows[1][0]}" in static_text(app, "#log-filters")


async def test_priorities_tree_rates_a_priority(app: SSCPApp, demo: Tracker) -> None:
    from textual.widgets import Tree

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot, app)
        tree = app.screen.query_one(Tree)
        plan = tree.root.children[0]
        assert plan.is_expanded and plan.children
        tree.move_cursor(plan.children[0])
        priority_id = plan.children[0].data.id
        await pilot.press("r")
        await type_text(pilot, "Off track")
        await pilot.press("enter")
        await settle(pilot, app)
        priority = next(p for plan in demo.plans() for p in plan.priorities if p.id == priority_id)
        assert priority.rating is Rating.RED


async def test_undo_reverses_a_priority_rating_and_says_when_it_cannot(app: SSCPApp, demo: Tracker) -> None:
    from textual.widgets import Input, Tree

    def rating_of(priority_id: int) -> Rating | None:
        return next(p for plan in demo.plans() for p in plan.priorities if p.id == priority_id).rating

    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        item_id = int(table.cursor_key or 0)
        item_before = demo.rows([item_id])[0].rating
        item_after = Rating.AMBER if item_before is not Rating.AMBER else Rating.GREEN
        await pilot.press(item_after.value[0])  # an item rated first: the change before the others
        await type_text(pilot, "Reviewed")
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        tree = app.screen.query_one(Tree)
        node = tree.root.children[0].children[0]
        tree.move_cursor(node)
        before = rating_of(node.data.id)
        await pilot.press("g" if before is not Rating.GREEN else "a")
        await type_text(pilot, "Reviewed at the Executive")
        await pilot.press("enter")
        await settle(pilot, app)
        assert rating_of(node.data.id) is not before
        await pilot.press("u", "y")
        await settle(pilot, app)
        assert rating_of(node.data.id) is before
        assert demo.rows([item_id])[0].rating is item_after  # the item's change is untouched
        meetings = len(demo.meetings())
        await pilot.press("f8", "n")
        await settle(pilot, app)
        app.screen.query_one("#field-date", Input).value = "20/01/2027"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert len(demo.meetings()) == meetings + 1
        await pilot.press("u")
        await settle(pilot, app)
        assert app._notifications
        said = list(app._notifications)[-1].message
        assert said == (
            "Recording a meeting cannot be undone. Nothing was changed. Press u again to undo the change before it."
        )
        assert len(demo.meetings()) == meetings + 1
        assert demo.rows([item_id])[0].rating is item_after
        await pilot.press("u", "y")  # the change before it: the item's rating
        await settle(pilot, app)
        assert demo.rows([item_id])[0].rating is item_before


async def test_help_lists_the_bindings_of_the_screen(app: SSCPApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await open_log(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        from textual.widgets import Static

        text = "\n".join(
            __import__("tests.functional.screen_helpers", fromlist=["plain"]).plain(s.content)
            for s in app.screen.query(Static)
        )
        for words in ("Green", "Amber", "Red", "Save view", "Clear filters", "timescale", "Select", "Undo"):
            assert words in text, words
        # This screen's own keys first, grouped, then those that work everywhere; each says
        # what it really does.
        headings = [text.index(f"\n {group} ") for group in ("Rate", "Change", "Find", "Move", "Everywhere")]
        assert headings == sorted(headings)
        assert text.index("Rate Green (a note says why)") < headings[1]
        assert headings[1] < text.index("Revise the timescale (the original stays on record)") < headings[2]
        assert headings[3] < text.index("Open the item under the cursor") < headings[4]
        assert "Select (or unselect) the row and move down" in text
        assert headings[4] < text.index("Undo")
        await pilot.press("escape")
        assert app.screen.__class__.__name__ == "LogScreen"


async def test_the_log_pages_through_a_large_log(tmp_path, settings) -> None:
    """Only a page is in the table; moving past its end loads the next, and back again."""
    from bench.synth import build
    from sscp_tui.db.store import open_store
    from sscp_tui.screens.log import PAGE_SIZE
    from tests.conftest import AS_OF

    build(3 * PAGE_SIZE, tmp_path / "big.sqlite3", today=AS_OF)
    store = open_store(tmp_path / "big.sqlite3")
    tracker = Tracker(store, settings, AS_OF)
    app = SSCPApp(tracker)
    total = tracker.count(ItemFilter())
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        assert table.row_count == PAGE_SIZE
        assert f"1–{PAGE_SIZE} of {total:,} items" in static_text(app, "#log-status")
        first_page = table.row_keys
        table.move_cursor(row=PAGE_SIZE - 1)
        await pilot.press("down")
        await settle(pilot, app)
        assert f"{PAGE_SIZE + 1}–{min(total, 2 * PAGE_SIZE)} of {total:,}" in static_text(app, "#log-status")
        assert table.cursor_row == 0 and not set(first_page) & set(table.row_keys)
        await pilot.press("up")
        await settle(pilot, app)
        assert table.row_keys == first_page and table.cursor_row == PAGE_SIZE - 1
    store.close()


async def test_the_palette_jumps_to_a_review(app: SSCPApp, demo: Tracker) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Baby KK")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "review SCR Baby KK" in static_text(app, "#log-filters")


async def test_a_priority_is_edited_with_its_history(app: SSCPApp, demo: Tracker) -> None:
    from textual.widgets import Input, Tree

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot, app)
        tree = app.screen.query_one(Tree)
        node = tree.root.children[0].children[0]
        tree.move_cursor(node)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-title", Input).value = "Early help that reaches families sooner"
        app.screen.query_one("#field-note", Input).value = "Reworded at the Executive"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    priority = next(p for plan in demo.plans() for p in plan.priorities if p.id == node.data.id)
    assert priority.title == "Early help that reaches families sooner"
    with demo.store.read() as s:
        entry = s.scalars(select(HistoryEntry).where(HistoryEntry.entity == "priority")).all()[-1]
    assert entry.field == "title" and entry.note == "Reworded at the Executive"


async def test_a_damaged_views_file_is_set_aside_with_a_sentence(demo: Tracker) -> None:
    from sscp_tui.paths import app_paths

    views = app_paths().views_file
    views.parent.mkdir(parents=True, exist_ok=True)
    views.write_text("{ not json")
    app = SSCPApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert any("saved views could not be read" in n.message for n in app._notifications)
    assert views.with_suffix(".damaged.json").read_text() == "{ not json"


async def test_p_lists_the_proposals_not_yet_answered_and_rating_one_answers_it(
    app: SSCPApp, demo: Tracker
) -> None:
    """P narrows the log to items whose latest update proposes a rating not yet answered,
    with the Proposed column shown; rating the item answers it (its proposal goes), and P
    again shows every item."""
    async with app.run_test(size=SIZE) as pilot:
        table = await open_log(pilot, app)
        everything = table.row_count
        await pilot.press("P")
        await settle(pilot, app)
        assert "rating proposed, not yet answered" in static_text(app, "#log-filters")
        assert "proposed" in table.columns and 0 < table.row_count < everything
        proposed = column(table, "proposed")
        assert all(cell.strip() in {"Red", "Amber", "Green", "Blue"} for cell in proposed), proposed
        item_id = int(table.cursor_key or 0)
        wanted = proposed[table.cursor_row].strip()[0].lower()
        await pilot.press(wanted)
        await type_text(pilot, "Confirmed.")
        await pilot.press("enter")
        await settle(pilot, app)
        assert demo.rows([item_id], with_proposals=True)[0].proposed is None
        assert table.get_cell(str(item_id), "proposed").plain.strip() == ""  # answered, in place
        await pilot.press("P")
        await settle(pilot, app)
        assert table.row_count == everything and "proposed" in table.columns
        assert "proposed" in app.views.state.shown_columns  # kept, as a column chosen with c


async def test_enter_and_escape_together_close_a_chooser_once(app: SSCPApp, demo: Tracker) -> None:
    """Enter then Escape, pressed together, both reach the chooser before it has closed: the
    second must not close the screen beneath it (here the chair's pass, the only screen of its
    mode: the app stopped with a traceback)."""
    from sscp_tui.screens.chair import ChairPassScreen
    from sscp_tui.screens.forms import ChoiceModal

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceModal)
        app.simulate_key("enter")  # the first scope: every open item
        app.simulate_key("escape")
        await settle(pilot, app)
        assert isinstance(app.screen, ChairPassScreen) and app.is_running
        await pilot.press("s")  # the pass can still be begun
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceModal)
