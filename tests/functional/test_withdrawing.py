"""What was added by mistake is withdrawn from the screens it shows on, and kept."""

from __future__ import annotations

from textual.widgets import Input

from sscp_tui.app import SSCPApp
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.records import ItemFilter
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle, static_text


async def test_w_on_the_item_screen_withdraws_an_update_and_its_history_says_so(
    app: SSCPApp, demo: Tracker
) -> None:
    item_id = next(
        i for i in demo.ids(ItemFilter()) if (d := demo.item(i)) is not None and len(d.updates) >= 2
    )
    detail = demo.item(item_id)
    assert detail is not None
    newest = detail.updates[0]
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot, app)
        app.open_item(item_id)
        await settle(pilot, app)
        first_words = " ".join(newest.text.split()[:6])
        assert first_words in " ".join(static_text(app, "#item-updates").split())
        await pilot.press("w")
        await settle(pilot, app)
        form = app.screen
        assert isinstance(form, FormModal) and "Withdraw a progress update of" in form.form_title
        form.query_one("#field-note", Input).value = "Meant for the other review"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert not isinstance(app.screen, FormModal)
        assert first_words not in " ".join(static_text(app, "#item-updates").split())
        assert "Progress update withdrawn" in static_text(app, "#item-history")
        assert "Meant for the other review" in static_text(app, "#item-history")
    after = demo.item(item_id)
    assert after is not None and [u.id for u in after.updates] == [u.id for u in detail.updates[1:]]
