"""The alerts command on a large tracker file: read with plain sqlite3, said as the store says it.

The quick listing (services.alert_listing) is held here to the store's, item for item and byte
for byte in every format, on the demo and a synthetic log at dates from long past to far
ahead; and the command is seen taking it only where opening the store would have done nothing
more than open the file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sscp_tui import cli
from sscp_tui.config import Settings
from sscp_tui.db import backups
from sscp_tui.db.store import open_store
from sscp_tui.services import alert_listing
from sscp_tui.services.alerts import AlertRules
from sscp_tui.services.first_look import FirstLook
from tests.stores import read_both_ways

# The quick listing reads a SQLite file; a PostgreSQL tracker has none.
pytestmark = pytest.mark.sqlite_only

DAYS = [date(2019, 6, 1), date(2026, 11, 28), date(2027, 3, 15), date(2031, 1, 1)]
FIELDS = ("id", "kind", "source", "reference", "lead_agency", "timescale", "due_on", "rating",
          "days_overdue", "last_update_on", "alerts", "awaiting_days")  # fmt: skip


def assert_listed_as_the_store_lists(path: Path, day: date, settings: Settings) -> None:
    with read_both_ways(path, settings, day) as (look, tracker):
        theirs = cli._alerts_of(tracker, None, past=False)
        mine = alert_listing.alert_lines(look, tracker.rules)
    assert theirs, "a listing with nothing in it proves nothing"
    assert [tuple(getattr(row, name) for name in FIELDS) for row in mine] == [
        tuple(getattr(row, name) for name in FIELDS) for row in theirs
    ]
    # Each JSON line as the json module writes the record, and the same from either side.
    written = [json.dumps(cli._record(row), ensure_ascii=False) for row in theirs]
    assert alert_listing.json_lines(look, tracker.rules) == written
    assert cli._json_lines(theirs) == written
    for fmt in ("csv", "text"):
        assert "".join(
            cli._alerts_csv(mine, day) if fmt == "csv" else cli._alerts_text(mine, day)
        ) == "".join(cli._alerts_csv(theirs, day) if fmt == "csv" else cli._alerts_text(theirs, day))


@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("log", ["demo", "synthetic"])
def test_the_quick_listing_is_the_stores(
    log: str, day: date, demo_template: Path, synthetic: Path, tmp_path: Path
) -> None:
    """On the demo, and on a synthetic log with other alert windows than the usual ones."""
    path = tmp_path / "log.sqlite3"
    shutil.copy(demo_template if log == "demo" else synthetic, path)
    settings = Settings() if log == "demo" else Settings(due_soon_days=14, stale_days=60)
    assert_listed_as_the_store_lists(path, day, settings)


def test_an_item_awaiting_impact_is_judged_as_the_store_judges_it(
    demo_template: Path, tmp_path: Path
) -> None:
    """Delivered, overdue, and its evidence of impact only a line break or a tab (an older
    file, or one written by hand): awaiting impact by the store's rows (Python's strip), and
    so by the quick listing, though SQLite's trim() would say otherwise."""
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    with closing(sqlite3.connect(path)) as raw, raw:
        open_ids = [
            row[0]
            for row in raw.execute(
                "SELECT id FROM items WHERE deleted_at IS NULL AND rating != 'blue' ORDER BY id LIMIT 3"
            )
        ]
        for item_id, impact in zip(open_ids, ["\n", "\t ", ""], strict=True):
            raw.execute(
                "UPDATE items SET rating = 'green', evidence_completion = 'Audit done.', evidenced = 1, "
                "evidence_impact = ?, due_on = '2026-01-31', delivered_on = '2026-02-01' WHERE id = ?",
                (impact, item_id),
            )  # fmt: skip
    assert_listed_as_the_store_lists(path, date(2026, 11, 28), Settings())
    look = FirstLook.open(path)
    assert look is not None
    lines = alert_listing.alert_lines(look, AlertRules(date(2026, 11, 28)))
    waiting = {line.id: line.awaiting_days for line in lines}
    assert [waiting[item_id] for item_id in open_ids] == [300, 300, 300]


@pytest.fixture
def large(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tracker file the store's opening would only open: past the size checked on opening
    (made small here), with today's backup taken, readable by its owner only."""
    monkeypatch.setattr(backups, "CHECK_ON_OPEN_BYTES", 0)
    path = tmp_path / "large.sqlite3"
    shutil.copy(demo_template, path)
    os.chmod(path, 0o600)
    open_store(path, create=False, daily_backup=True).close()
    assert backups.taken(path, date.today())
    return path


def alerts(path: Path, *args: str) -> str:
    result = CliRunner().invoke(cli.main, ["alerts", "--db", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", ["json", "csv", "text"])
def test_the_command_reads_a_large_file_quickly_and_says_the_same(
    large: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(cli, "_tracker", lambda *_args: pytest.fail("the store was opened"))
        quick = alerts(large, "--format", fmt, "--as-of", "2027-01-31")
    # Through the store, as before:
    monkeypatch.setattr(alert_listing, "quick_listing", lambda *_args: None)
    assert alerts(large, "--format", fmt, "--as-of", "2027-01-31") == quick
    if fmt == "json":
        listed = json.loads(quick)
        assert listed["as_of"] == "2027-01-31" and listed["count"] == len(listed["items"]) > 0


def test_the_command_leaves_sqlalchemy_unloaded_on_a_large_file(large: Path, tmp_path: Path) -> None:
    """What makes it quick: at 100,000 items, loading SQLAlchemy and the models was a fifth of
    the command's time, and making a full log row of each item listed most of the rest."""
    code = (
        "import sys\n"
        "from sscp_tui.db import backups\n"
        "backups.CHECK_ON_OPEN_BYTES = 0\n"
        "from sscp_tui.cli import main\n"
        "try:\n"
        f"    main(['alerts', '--db', {str(large)!r}, '--format', 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('loaded:', ','.join(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'})))\n"
    )
    env = {**os.environ, "SSCP_TUI_HOME": os.environ["SSCP_TUI_HOME"]}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert '"items": [' in result.stdout
    assert result.stdout.rstrip().endswith("loaded:")


def test_a_file_the_store_would_back_up_or_make_private_goes_through_the_store(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backups, "CHECK_ON_OPEN_BYTES", 0)
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(demo_template, path)
    os.chmod(path, 0o644)
    assert alert_listing.quick_listing(path, date.today()) is None  # no backup today, and loose
    alerts(path, "--format", "json")
    assert backups.taken(path, date.today())  # the store took today's backup…
    assert path.stat().st_mode & 0o077 == 0  # …and made the file its owner's alone
    assert alert_listing.quick_listing(path, date.today()) is not None
    monkeypatch.setattr(backups, "CHECK_ON_OPEN_BYTES", 1 << 40)  # small enough to be checked on opening
    assert alert_listing.quick_listing(path, date.today()) is None


def test_one_agencys_items_and_a_past_day_go_through_the_store(
    large: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("read quickly")

    monkeypatch.setattr(alert_listing, "alert_lines", refuse)
    monkeypatch.setattr(alert_listing, "json_lines", refuse)
    assert "SCC" in alerts(large, "--agency", "SCC")
    alerts(large, "--as-of", "2026-10-01", "--format", "csv")
