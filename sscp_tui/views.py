"""Saved log views and the remembered "my agency", kept per tracker in the state directory.

Views store names (agency short name, review label, theme), not database ids, so they stay
meaningful after an import renumbers things; unknown names are dropped when applied.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sscp_tui.paths import write_private_text

MAX_VIEWS = 9


@dataclass(frozen=True, slots=True)
class SavedView:
    name: str
    agency: str | None = None
    lead_only: bool = False
    ratings: tuple[str, ...] = ()  # rating values; "unrated" for none
    review: str | None = None
    review_kind: str | None = None
    theme: str | None = None
    alert: str | None = None
    text: str = ""
    state: str = "open"
    revised_at_least: int = 0
    awaiting_impact: bool = False
    proposals: bool = False
    sort: str = "alerts"
    descending: bool = False


@dataclass(slots=True)
class ViewState:
    views: list[SavedView] = field(default_factory=list)
    my_agency: str | None = None
    hidden_columns: list[str] = field(default_factory=list)
    shown_columns: list[str] = field(default_factory=list)  # chosen among those hidden by default
    chair_pass: dict[str, Any] = field(default_factory=dict)


class ViewBook:
    """Reads and writes views.json: {tracker location: ViewState}."""

    def __init__(self, path: Path, tracker_location: str) -> None:
        self.path = path
        self.key = tracker_location
        self.warning: str | None = None  # shown to the user once the app is up
        self.state = self._load()

    def _load(self) -> ViewState:
        if not self.path.exists():
            return ViewState()
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8")).get(self.key, {})
            return ViewState(
                views=[SavedView(**v) for v in raw.get("views", [])][:MAX_VIEWS],
                my_agency=raw.get("my_agency"),
                hidden_columns=list(raw.get("hidden_columns", [])),
                shown_columns=list(raw.get("shown_columns", [])),
                chair_pass=_chair_pass_read(raw.get("chair_pass", {})),
            )
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # A damaged views file must not stop the tracker opening; start afresh, keep the file.
            kept = self.path.with_suffix(".damaged.json")
            self.path.replace(kept)
            self.warning = f"Your saved views could not be read ({exc}); they were set aside in {kept}."
            return ViewState()

    def save(self) -> None:
        everything = _read_book(self.path) or {}
        everything[self.key] = {
            "views": [asdict(v) for v in self.state.views],
            "my_agency": self.state.my_agency,
            "hidden_columns": self.state.hidden_columns,
            "shown_columns": self.state.shown_columns,
            "chair_pass": self._chair_pass_written(),
        }
        _write_book(self.path, everything)

    _pass_ids: list[int] | None = None
    _pass_ids_text = ""

    def _chair_pass_written(self) -> dict[str, Any]:
        """The pass as kept in the file: its items' ids as one line of numbers, made once per
        pass. Written as a list they were 60,000 lines of the file at 100,000 items, encoded
        again at every step of the pass (some 120 ms a step)."""
        chair = dict(self.state.chair_pass)
        ids = chair.get("ids")
        if isinstance(ids, list):
            if ids != self._pass_ids:
                self._pass_ids, self._pass_ids_text = list(ids), ",".join(str(int(i)) for i in ids)
            chair["ids"] = self._pass_ids_text
        return chair

    def put_view(self, view: SavedView) -> int:
        """Add or replace (same name) a view; returns its number (1-9)."""
        views = [v for v in self.state.views if v.name != view.name]
        existing = [v.name for v in self.state.views]
        if view.name in existing:
            index = existing.index(view.name)
            views.insert(index, view)
        else:
            if len(views) >= MAX_VIEWS:
                raise ValueError(f"There are already {MAX_VIEWS} saved views; delete one first.")
            views.append(view)
        self.state.views = views
        self.save()
        return views.index(view) + 1

    def drop_view(self, number: int) -> SavedView | None:
        if not 1 <= number <= len(self.state.views):
            return None
        view = self.state.views.pop(number - 1)
        self.save()
        return view


def _chair_pass_read(raw: dict[str, Any]) -> dict[str, Any]:
    """The pass as the chair's screen keeps it: its ids a list (kept in the file as one line of
    numbers; a list in files written before)."""
    chair = dict(raw)
    ids = chair.get("ids")
    if isinstance(ids, str):
        chair["ids"] = [int(number) for number in ids.split(",") if number]
    return chair


def _book_path() -> Path:
    from sscp_tui.paths import app_paths

    return app_paths().views_file


def carry(source_location: str, target_location: str, path: Path | None = None) -> bool:
    """Give the tracker at ``target_location`` (a backup or copy just made) the saved views,
    "my agency", hidden columns and chair's pass of ``source_location``; True if it had any.
    A views file that cannot be read is left as it is: the views are not the tracker."""
    path = path or _book_path()
    everything = _read_book(path)
    if everything is None or source_location not in everything:
        return False
    everything[target_location] = everything[source_location]
    _write_book(path, everything)
    return True


def forget(locations: list[str], path: Path | None = None) -> None:
    """Drop the views kept for trackers that are gone (backups rotated out)."""
    path = path or _book_path()
    everything = _read_book(path)
    if everything is not None and any(location in everything for location in locations):
        for location in locations:
            everything.pop(location, None)
        _write_book(path, everything)


def _read_book(path: Path) -> dict[str, Any] | None:
    """views.json as a whole ({} where there is none yet); None where it cannot be read."""
    try:
        everything = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        return None
    return everything if isinstance(everything, dict) else None


def _write_book(path: Path, everything: dict[str, Any]) -> None:
    write_private_text(path, json.dumps(everything, indent=2, ensure_ascii=False))
