"""A screen is restyled as it comes on top only when what it was styled by changed while it
was beneath: not as a form first opens, nor at a return to a screen, but after a change of
theme or of the terminal's focus."""

from __future__ import annotations

from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet

from sscp_tui.app import SSCPApp
from sscp_tui.screens.forms import FormModal
from sscp_tui.services.tracker import Tracker
from tests.functional.screen_helpers import settle

SIZE = (120, 40)


@pytest.fixture
def restyled(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The top nodes of each whole-screen restyle (update_nodes over a screen and all it holds)."""
    tops: list[Any] = []
    update_nodes = Stylesheet.update_nodes

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        if nodes and nodes[0].__class__.__name__.endswith(("Screen", "Modal")):
            tops.append(nodes[0])
        update_nodes(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    return tops


async def test_a_form_and_a_screen_seen_before_are_not_restyled(demo: Tracker, restyled: list[Any]) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("f2")
        await settle(pilot, app)
        restyled.clear()
        await pilot.press("f3")  # back to the log
        await settle(pilot, app)
        await pilot.press("g")  # a form, made at the key or ahead
        await settle(pilot, app)
        assert isinstance(app.screen, FormModal)
        assert "Green" in app.screen.form_title
        assert restyled == []


async def test_a_change_of_theme_or_focus_beneath_restyles_on_return(
    demo: Tracker, restyled: list[Any]
) -> None:
    app = SSCPApp(demo, start="log")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        log = app.screen
        await pilot.press("f2")
        await settle(pilot, app)
        app.app_focus = False  # the terminal lost focus while the log was beneath
        await settle(pilot, app)
        restyled.clear()
        app.switch_mode("log")  # (not by a key: a key gives the terminal its focus back)
        await settle(pilot, app)
        assert log in restyled, "styled again for the terminal's focus"
        app.app_focus = True
        await pilot.press("f2")
        await settle(pilot, app)
        app.theme = "textual-light"
        await settle(pilot, app)
        restyled.clear()
        await pilot.press("f3")
        await settle(pilot, app)
        assert app.screen is log
        light = app.theme_variables["background"]
        assert log.styles.background.hex.lower() == light.lower(), "the log is drawn in the new theme"
