"""Backups taken without thinking, and a damaged tracker named as such: one sentence and exit
status 1 from every command and the TUI, nothing written to it, the last good backup named."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sscp_tui.cli import main, quick_app
from sscp_tui.config import Settings
from sscp_tui.db import backups
from sscp_tui.db.store import HEAD_REVISION, open_store
from sscp_tui.errors import TrackerDamaged
from sscp_tui.paths import app_paths
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.pack_log import build_log
from tests.unit.test_store import first_revision_tracker

PAGE = 4096


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tracker_file(tmp_path: Path) -> Path:
    """A tracker of a few hundred pages: the pack test log, its history grown by re-rating."""
    path = tmp_path / "tracker.sqlite3"
    store = open_store(path)
    ids = build_log(store)
    tracker = Tracker(store, Settings(author="Chair"), AS_OF)
    item_ids = [v for k, v in ids.items() if not k.startswith("review")]
    for n in range(60):
        tracker.add_update(item_ids[n % len(item_ids)], f"Progress note {n}: " + "words " * 200)
    store.close()
    return path


def damage(source: Path, target: Path, offset: int, seed: int) -> Path:
    """A copy of ``source`` with one page overwritten by random bytes, as a failing disk or a
    bad copy leaves it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    size = target.stat().st_size
    start = min(offset, size - PAGE) // PAGE * PAGE
    with target.open("r+b") as handle:
        handle.seek(start)
        handle.write(random.Random(seed).randbytes(PAGE))
    return target


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as raw:
        return {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("items", "progress_updates", "history", "meetings", "reviews")}  # fmt: skip


def test_the_first_opening_of_the_day_takes_a_backup_that_is_a_whole_tracker(tracker_file: Path) -> None:
    assert backups.dailies(tracker_file) == []
    code, out, err = run("alerts", "--db", str(tracker_file))
    assert code == 0, err
    ((day, copy),) = backups.dailies(tracker_file)
    assert day == date.today() and stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert counts(copy) == counts(tracker_file)
    run("alerts", "--db", str(tracker_file))  # again today: no second copy
    assert len(backups.dailies(tracker_file)) == 1
    code, out, _ = run("alerts", "--db", str(copy))  # it opens like any tracker
    assert code == 0 and "open items need attention" in out


def test_backup_command_copies_and_restores_and_never_overwrites(tracker_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    code, out, err = run("backup", "--db", str(tracker_file), str(copy))
    assert code == 0, err
    assert f"to {copy}" in out and "history rows" in out
    code, _out, err = run("backup", "--db", str(tracker_file), str(copy))
    assert code == 1 and "already exists" in err
    restored = tmp_path / "restored.sqlite3"
    code, _out, err = run("backup", "--db", str(copy), str(restored))
    assert code == 0, err
    assert counts(restored) == counts(tracker_file)
    code, out, err = run("backup", "--db", str(tracker_file))  # into the backups folder
    assert code == 0 and str(backups.folder()) in out


def test_a_backup_and_its_restored_copy_keep_the_saved_views(tracker_file: Path, tmp_path: Path) -> None:
    from sscp_tui.paths import app_paths
    from sscp_tui.views import SavedView, ViewBook

    book = ViewBook(app_paths().views_file, str(tracker_file.resolve()))
    book.put_view(SavedView(name="Police, overdue", agency="SP", alert="overdue"))
    book.state.my_agency = "SP"
    book.save()
    copy = tmp_path / "copy.sqlite3"
    assert run("backup", "--db", str(tracker_file), str(copy))[0] == 0
    restored = tmp_path / "restored.sqlite3"
    assert run("backup", "--db", str(copy), str(restored))[0] == 0
    moved = tmp_path / "moved.sqlite3"
    assert run("copy", str(restored), str(moved))[0] == 0
    for path in (copy, restored, moved):
        opened = ViewBook(app_paths().views_file, str(path.resolve())).state
        assert [v.name for v in opened.views] == ["Police, overdue"] and opened.my_agency == "SP", path


def test_rotated_backups_take_their_views_with_them(tracker_file: Path) -> None:
    from sscp_tui.paths import app_paths
    from sscp_tui.views import SavedView, ViewBook

    book = ViewBook(app_paths().views_file, str(tracker_file.resolve()))
    book.put_view(SavedView(name="Mine", agency="SCC"))
    first = date(2026, 1, 1)
    for n in range(40):
        backups.daily(tracker_file, first + timedelta(days=n))
    kept = {str(path.resolve()) for _day, path in backups.dailies(tracker_file)}
    import json

    keys = set(json.loads(app_paths().views_file.read_text()))
    assert keys == kept | {str(tracker_file.resolve())}  # none left for a removed backup


def test_rotation_keeps_fourteen_days_and_eight_weeks(tracker_file: Path) -> None:
    first = date(2026, 1, 1)
    for n in range(120):  # a backup a day for four months, by a fake clock
        backups.daily(tracker_file, first + timedelta(days=n))
    kept = [day for day, _path in backups.dailies(tracker_file)]
    last = first + timedelta(days=119)
    assert kept[:14] == [last - timedelta(days=n) for n in range(14)]
    weeks = {day.isocalendar()[:2] for day in kept}
    assert len(weeks) == 8 and len(kept) == 14 + (8 - len({d.isocalendar()[:2] for d in kept[:14]}))


def test_a_damaged_tracker_is_never_backed_up_and_no_good_copy_is_rotated_out(
    tracker_file: Path, tmp_path: Path
) -> None:
    backups.daily(tracker_file, date(2026, 11, 1))
    before = backups.dailies(tracker_file)
    bad = damage(tracker_file, tmp_path / "x" / tracker_file.name, 40 * PAGE, 1)
    with pytest.raises(backups.BackupError, match="fails its check"):
        backups.daily(bad, date(2026, 11, 2))
    assert backups.dailies(bad) == [] and backups.dailies(tracker_file) == before


@pytest.mark.parametrize("page", [2, 10, 40, 60, 80])  # counted from 0: of 89, only 74, 81, 88 are free
def test_every_command_says_a_damaged_tracker_is_damaged_and_writes_nothing(
    tracker_file: Path, tmp_path: Path, page: int
) -> None:
    run("alerts", "--db", str(tracker_file))  # today's good backup of the tracker
    good = backups.last_good(tracker_file)
    assert good is not None
    bad = damage(tracker_file, tmp_path / "bad.sqlite3", page * PAGE, page)
    bad.replace(tracker_file)  # damaged where it lies
    bad = tracker_file
    assert backups.check(bad) is not None  # the page held data: SQLite's check finds the damage
    original = bad.read_bytes()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    csv_in = tmp_path / "in.csv"
    csv_in.write_text("Review,Ref,Recommendation\nSCR Child A,99,Text\n")
    commands = [
        ["alerts"],
        ["alerts", "--format", "json"],
        ["export", str(out_dir / "log.csv")],
        ["export", str(out_dir / "log.xlsx")],
        ["pack", "--meeting", "Case Review Panel", "-o", str(out_dir / "pack.html")],
        ["import", str(csv_in), "--create-agencies"],
        ["meeting", "list"],
        ["backup", str(out_dir / "copy.sqlite3")],
    ]
    for args in commands:
        code, stdout, stderr = run(*args, "--db", str(bad))
        assert code == 1, (args, stdout, stderr)
        assert "Traceback" not in stderr + stdout
        assert f"The tracker file {bad} is damaged" in stderr, (args, stderr)
        assert stderr.count("\n") == 1  # one sentence
        assert f"your last good backup is {good[1]}" in stderr
    assert bad.read_bytes() == original  # nothing was written to it
    assert not list(out_dir.iterdir())


async def test_the_tui_ends_with_the_sentence_when_its_tracker_is_damaged(
    tracker_file: Path, tmp_path: Path
) -> None:
    bad = damage(tracker_file, tmp_path / "bad.sqlite3", 40 * PAGE, 3)
    app = quick_app(str(bad), Settings(), AS_OF)
    assert app is not None  # its first screen is painted from the undamaged pages
    said: list[str] = []
    ending = app.exit

    def exit_saying(*args: Any, **kwargs: Any) -> None:  # what the terminal shows as the app ends
        said.append(str(kwargs.get("message", "")))
        ending(*args, **kwargs)

    app.exit = exit_saying  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.return_code is not None:
                break
    assert app.return_code == 1
    (sentence,) = said
    assert sentence.startswith(f"The tracker file {bad} is damaged") and "Nothing was written" in sentence


def test_an_empty_file_is_refused_as_damaged_never_made_a_tracker(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    with pytest.raises(TrackerDamaged, match="is damaged \\(the file is empty\\)"):
        open_store(empty)
    assert empty.stat().st_size == 0


def test_an_upgrade_keeps_a_copy_from_before(tmp_path: Path) -> None:
    old = first_revision_tracker(tmp_path / "old.sqlite3")
    store = open_store(old)
    copies = list(backups.folder().glob("old-*-before-upgrade-from-0001-*.sqlite3"))
    assert len(copies) == 1 and any("a copy from before is kept" in n for n in store.notices)
    store.close()
    with sqlite3.connect(copies[0]) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    with sqlite3.connect(old) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)


def test_a_tracker_others_can_read_is_made_private_and_the_user_told(tracker_file: Path) -> None:
    os.chmod(tracker_file, 0o644)
    store = open_store(tracker_file)
    assert stat.S_IMODE(tracker_file.stat().st_mode) == 0o600
    assert any("readable only by you" in notice for notice in store.notices)
    store.close()


def test_an_unexpected_error_is_logged_with_its_traceback_and_named_in_one_sentence(
    tracker_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sscp_tui.services import tracker as tracker_module

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("a fault")

    monkeypatch.setattr(tracker_module.Tracker, "alert_items", broken)
    code, _out, err = run("alerts", "--db", str(tracker_file))
    log = app_paths().log_file
    assert code == 1 and "Something went wrong (ZeroDivisionError)" in err and str(log) in err
    assert "Traceback" not in err
    assert "ZeroDivisionError: a fault" in log.read_text() and "Traceback" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_long_chair_pass_is_kept_as_one_line_and_resumes(tmp_path: Path) -> None:
    """A pass over 60,000 items keeps its ids on one line of the views file (a step of the pass
    rewrites the file), and a pass kept as a list by an earlier version still resumes."""
    import json

    from sscp_tui.paths import app_paths
    from sscp_tui.views import ViewBook

    path, where = app_paths().views_file, str(tmp_path / "tracker.sqlite3")
    ids = list(range(100_000, 40_000, -1))
    book = ViewBook(path, where)
    book.state.chair_pass = {"ids": ids, "position": 7, "scope": "All open items", "changes": []}
    book.save()
    book.state.chair_pass = {**book.state.chair_pass, "position": 8}
    book.save()
    assert len(path.read_text().splitlines()) < 40
    resumed = ViewBook(path, where).state.chair_pass
    assert resumed["ids"] == ids and resumed["position"] == 8
    everything = json.loads(path.read_text())
    everything[where]["chair_pass"]["ids"] = ids[:5]  # as written before
    path.write_text(json.dumps(everything, indent=2))
    assert ViewBook(path, where).state.chair_pass["ids"] == ids[:5]
