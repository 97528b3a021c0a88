"""A user's keymap checked as the app starts: a key given to two things on one screen, or a
binding id that names nothing, is said then, in a sentence, rather than one key silently
doing nothing (Textual leaves the clash unbound)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.binding import Binding


def _bindings(owner: Any) -> list[Binding]:
    return [binding for binding in getattr(owner, "BINDINGS", ()) if isinstance(binding, Binding)]


def _screens() -> list[Any]:
    from sscp_tui.screens.agencies import AgenciesScreen
    from sscp_tui.screens.chair import ChairPassScreen
    from sscp_tui.screens.dashboard import DashboardScreen
    from sscp_tui.screens.item import ItemScreen
    from sscp_tui.screens.log import LogScreen
    from sscp_tui.screens.packs import PackScreen
    from sscp_tui.screens.priorities import PrioritiesScreen
    from sscp_tui.screens.reviews import ReviewsScreen

    return [DashboardScreen, LogScreen, ItemScreen, ReviewsScreen, PrioritiesScreen, AgenciesScreen,
            ChairPassScreen, PackScreen]  # fmt: skip


def keymap_problems(keymap: Mapping[str, str], app_bindings: Iterable[Binding]) -> list[str]:
    """One sentence per problem with ``keymap`` (binding id -> keys): an id that is no key's,
    or a key it gives that another key of the same screen already has."""
    app_bindings = list(app_bindings)
    screens = _screens()
    known = {b.id for owner in screens for b in _bindings(owner) if b.id} | {
        b.id for b in app_bindings if b.id
    }
    problems = [
        f"The keymap in your config names '{name}', which is no key's id; ? on a screen lists its keys."
        for name in keymap
        if name not in known
    ]
    for screen in screens:
        taken: dict[str, Binding] = {}
        for binding in [*app_bindings, *_bindings(screen)]:
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            for key in (k.strip() for k in keys.split(",")):
                other = taken.setdefault(key, binding)
                if other is binding or other.action == binding.action:
                    continue
                if binding.id in keymap or other.id in keymap:
                    title = getattr(screen, "TITLE", None) or screen.__name__.removesuffix("Screen")
                    first, second = other.id or other.description, binding.id or binding.description
                    problems.append(
                        f"The keymap in your config gives {key} to both '{first}' and '{second}' on the "
                        f"{title} screen, so one would do nothing; give one of them another key."
                    )
    return list(dict.fromkeys(problems))
