"""Every test runs with its own data, config and state directories under tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.models import AgencyKind, ItemKind, Rating, Review, ReviewKind, ReviewStatus
from sscp_tui.db.store import Store, open_store
from sscp_tui.services.edits import EditContext, NewItem, add_update, create_item
from sscp_tui.services.tracker import Tracker

AS_OF = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSCP_TUI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SSCP_TUI_DB", raising=False)
    monkeypatch.delenv("SSCP_TUI_CONFIG", raising=False)
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LOGNAME", "tester")


@pytest.fixture
def settings() -> Settings:
    return Settings(author="Test Chair")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "tracker.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def tracker(store: Store, settings: Settings) -> Tracker:
    return Tracker(store, settings, AS_OF)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sscp_tui.services.demo import write_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    built, _ = write_demo(path, AS_OF)
    built.close()
    return path


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    target = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, target)
    opened = open_store(target)
    yield opened
    opened.close()


@pytest.fixture
def demo(demo_store: Store, settings: Settings) -> Tracker:
    return Tracker(demo_store, settings, AS_OF)


@pytest.fixture
def small(store: Store) -> dict[str, int]:
    """A tiny partnership whose every date is known, for exact assertions."""
    from sscp_tui.db.models import Agency

    ids: dict[str, int] = {}
    with store.write() as s:
        for name, short in [("Surrey County Council", "SCC"), ("Surrey Police", "SP"),
                            ("Surrey Heartlands", "SH")]:  # fmt: skip
            s.add(Agency(name=name, short_name=short, kind=AgencyKind.STATUTORY, active=True))
        review = Review(kind=ReviewKind.SCR, title="Child A", year=2019,
                        status=ReviewStatus.PUBLISHED, notes="")  # fmt: skip
        thematic = Review(kind=ReviewKind.THEMATIC, title="Adolescent suicide", year=2020,
                          status=ReviewStatus.PUBLISHED, notes="")  # fmt: skip
        s.add_all([review, thematic])
        s.flush()
        ids["review"], ids["thematic"] = review.id, thematic.id
        ctx = EditContext(author="Setup", note="set up", source="test")
        specs = [
            # key, review, ref, lead, supporting, themes, timescale, rating, last update
            ("overdue", review.id, "1", "SCC", ("SP",), ("neglect",), "31/10/2026", Rating.RED, date(2026, 11, 1)),
            ("soon", review.id, "2", "SP", (), ("information sharing",), "15/12/2026", Rating.AMBER, date(2026, 11, 20)),
            ("later", review.id, "10", "SH", ("SCC",), ("neglect", "voice of the child"), "March 2027", Rating.GREEN, date(2026, 10, 1)),
            ("tbc", thematic.id, "A1", "SCC", (), (), "tbc", None, None),
            ("stale", thematic.id, "A2", "SP", (), ("domestic abuse",), "2027-28", Rating.AMBER, date(2026, 6, 1)),
            ("green_overdue", thematic.id, "A3", "SH", (), (), "Sept 26", Rating.GREEN, date(2026, 11, 2)),
            ("blue_no_evidence", review.id, "3", "SCC", (), (), "31/03/2026", Rating.BLUE, date(2026, 3, 1)),
            ("blue", review.id, "4", "SP", (), (), "31/03/2026", Rating.BLUE, date(2026, 3, 1)),
        ]  # fmt: skip
        for key, rid, ref, lead, supporting, themes, timescale, rating, last in specs:
            item = create_item(
                s,
                ctx,
                NewItem(
                    kind=ItemKind.RECOMMENDATION if rid == review.id else ItemKind.ACTION,
                    reference=ref,
                    text=f"Recommendation {key}: agencies should strengthen practice.",
                    review_id=rid,
                    lead_agency=lead,
                    supporting_agencies=supporting,
                    themes=themes,
                    timescale=timescale,
                    rating=rating,
                    evidence_completion="Audit report" if key == "blue" else "",
                    created_on=date(2026, 1, 5),
                ),
            )
            if last:
                add_update(s, ctx, item.id, f"Update on {key}", written_on=last)
            ids[key] = item.id
    return ids
