"""No control character reaches the terminal: text holding ESC[2J, an OSC title, an OSC 52
clipboard write and BEL, stored in every text field (as an older database may hold it), is
shown on every screen without one of those bytes in what the app writes."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from sscp_tui.app import SSCPApp
from sscp_tui.cli import main
from sscp_tui.config import Settings
from sscp_tui.db.store import open_store
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.functional.screen_helpers import settle, type_text
from tests.stores import drop_history_guard, raw_connection

NASTY = "\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x07\x9b31m"
BANNED = ("\x1b[2J", "\x1b]0;", "\x1b]52;", "\x07", "\x9b")
FIELDS = {
    "items": ("text", "owner", "evidence_completion", "evidence_impact", "timescale", "reference"),
    "reviews": ("title", "notes"),
    "agencies": ("name", "short_name"),
    "progress_updates": ("text", "author"),
    "history": ("note", "author"),
    "meetings": ("notes",),
    "themes": ("name",),
    "priorities": ("title", "objective"),
    "strategic_plans": ("title",),
}


@pytest.fixture
def poisoned(demo: Tracker) -> Tracker:
    """The demo with the nasty text in every text field, written past the app (raw SQL, the
    history's guard lifted as another program might on an older file)."""
    url = demo.store.url
    demo.store.close()
    with raw_connection(url) as raw:
        drop_history_guard(raw, url)
        for table, columns in FIELDS.items():
            for column in columns:
                raw.execute(f"UPDATE {table} SET {column} = {column} || ?", (NASTY,))
    store = open_store(url)
    return Tracker(store, Settings(author="Chair"), AS_OF)


def written(app: SSCPApp) -> str:
    """What the app would write to the terminal for the screen on top, in full."""
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def assert_clean(app: SSCPApp, where: str) -> None:
    output = written(app)
    found = [b for b in BANNED if b in output]
    assert not found, f"{where}: {found!r} reaches the terminal"


async def test_no_screen_writes_a_stored_control_character(poisoned: Tracker) -> None:
    app = SSCPApp(poisoned)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        assert_clean(app, "dashboard")
        for key, where in (("f3", "log"), ("f4", "reviews"), ("f5", "priorities"), ("f6", "agencies"),
                           ("f7", "chair's pass"), ("f8", "pack")):  # fmt: skip
            await pilot.press(key)
            await settle(pilot, app)
            assert_clean(app, where)
        await pilot.press("f3")
        await settle(pilot, app)
        await pilot.press("enter")  # the item screen: text, evidence, updates, history
        await settle(pilot, app)
        assert_clean(app, "item")
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert_clean(app, "help")
        await pilot.press("escape", "escape")
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await type_text(pilot, "owned")
        await pilot.pause(0.5)
        await settle(pilot, app)
        assert_clean(app, "palette")


def test_the_command_line_writes_none_either(poisoned: Tracker) -> None:
    path = poisoned.store.url
    poisoned.store.close()
    for args in (
        ["alerts"],
        ["alerts", "--format", "csv"],
        ["alerts", "--format", "json"],
        ["meeting", "list"],
    ):
        result = CliRunner().invoke(main, [*args, "--db", path, "--as-of", AS_OF.isoformat()])
        assert result.exit_code == 0, result.output
        found = [b for b in BANNED if b in result.stdout + result.stderr]
        assert not found, f"{args}: {found!r}"


def test_control_characters_are_taken_out_at_every_way_in(demo: Tracker, tmp_path: Any) -> None:
    from sscp_tui.services.imports.plan import ImportOptions, plan
    from sscp_tui.services.imports.write import apply
    from sscp_tui.services.records import ItemFilter, ItemState

    row = demo.page(ItemFilter(), limit=1).rows[0]
    demo.update_item(row.id, {"text": "Share it" + NASTY}, "Edited" + NASTY)
    demo.add_update(row.id, "Progress" + NASTY)
    detail = demo.item(row.id)
    assert detail is not None and not any(b in detail.row.text for b in BANNED)
    assert not any(b in detail.updates[0].text for b in BANNED)
    source = tmp_path / "log.csv"
    source.write_text(f"Review,Ref,Recommendation,Owner\nSCR Child W,1,Listen{NASTY},Lead{NASTY}\n")
    found = plan(demo, source, ImportOptions(create_agencies=True, review_kind="SCR"))
    assert any("control characters" in (r.reason or "") for r in found.rows)
    apply(demo, found)
    (made,) = demo.page(ItemFilter(text="listen", state=ItemState.ALL), limit=5).rows
    assert made.text.startswith("Listen[2J]0;owned]52;c;ZXZpbA==")
    assert not any(b in made.text for b in BANNED)
