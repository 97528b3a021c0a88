"""The command line, run as a user would, output read back."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from sscp_tui.cli import main
from sscp_tui.db.store import open_store
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help_read_well() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("sscp-tui, version ")
    for command in ([], ["alerts"], ["demo"], ["paths"]):
        code, out, _ = run(*command, "--help")
        assert code == 0 and "Usage:" in out and "Show this message and exit" in out


def test_paths_honour_the_environment(tmp_path: Path) -> None:
    code, out, _ = run("paths", env={"SSCP_TUI_DB": str(tmp_path / "x.sqlite3"),
                                     "SSCP_TUI_CONFIG": str(tmp_path / "c.toml")})  # fmt: skip
    assert code == 0
    assert f"database:         {tmp_path / 'x.sqlite3'}" in out
    assert f"settings file:    {tmp_path / 'c.toml'}" in out
    assert "data directory:" in out and "config directory:" in out


def test_demo_writes_the_partnership_into_an_empty_tracker_once(tracker_target: str) -> None:
    code, out, _ = run("demo", "--db", tracker_target, "--as-of", AS_OF.isoformat())
    assert code == 0 and "Wrote the demo partnership" in out
    if "://" in tracker_target:  # a server's password is never printed
        password = make_url(tracker_target).password
        assert "***" in out and (not password or password not in out)
    store = open_store(tracker_target, create=False)
    tracker = Tracker(store, __import__("sscp_tui.config").config.Settings(), AS_OF)
    assert tracker.count(ItemFilter(state=ItemState.ALL)) > 100
    assert {r.short_name for r in tracker.agencies()} >= {"SCC"}
    store.close()
    code, _, err = run("demo", "--db", tracker_target)
    assert code == 1 and "already holds items" in err


@pytest.mark.sqlite_only
def test_the_demo_database_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite3"
    code, out, _ = run("demo", "--db", str(target), "--as-of", AS_OF.isoformat())
    assert code == 0 and f"Wrote the demo partnership to {target}: " in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_alerts_in_three_formats(demo_target: str) -> None:
    code, out, err = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat(), "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["as_of"] == AS_OF.isoformat() and payload["count"] == len(payload["items"]) > 0
    first = payload["items"][0]
    assert set(first) >= {"kind", "review", "reference", "lead_agency", "due_on", "rating", "alerts"}
    kinds = {a for item in payload["items"] for a in item["alerts"]}
    assert {"overdue", "due soon", "no timescale", "stale"} <= kinds
    agencies = [item["lead_agency"] or "~" for item in payload["items"]]
    assert agencies == sorted(agencies)  # grouped by lead agency

    code, out, _ = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat(), "--format", "csv")
    lines = out.splitlines()
    assert lines[0].startswith("lead_agency,kind,review,reference")
    assert len(lines) == payload["count"] + 1

    code, out, _ = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat())
    assert out.startswith(f"Alerts as of 28 Nov 2026: {payload['count']} open items need attention.")


def test_alert_names_stay_on_a_narrow_line_however_long_the_title(demo_target: str) -> None:
    _, out, _ = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat(), "--format", "json")
    items = json.loads(out)["items"]
    _, out, _ = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat(), env={"COLUMNS": "60"})
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(lines) == len(items)
    for line, item in zip(lines, items, strict=True):  # in the same order, by lead agency
        assert line.endswith(" · " + ", ".join(item["alerts"])), line
    long = [line for item, line in zip(items, lines, strict=True) if len(item["review"]) > 30]
    assert long and all("…" in line for line in long)  # the title is what gives way


def test_alerts_for_one_agency(demo_target: str) -> None:
    _, out, _ = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat(), "--format", "json")
    everyone = json.loads(out)["items"]
    lead = everyone[0]["lead_agency"]
    _, out, _ = run("alerts", "--db", demo_target, "--agency", lead.lower(), "--as-of",
                    AS_OF.isoformat(), "--format", "json")  # fmt: skip
    mine = json.loads(out)["items"]
    assert mine and all(item["lead_agency"] == lead for item in mine)
    assert len(mine) == sum(1 for item in everyone if item["lead_agency"] == lead)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["alerts", "--agency", "Nowhere Council"], "There is no agency called 'Nowhere Council'."),
        (["alerts", "--as-of", "31/02/2026"], "--as-of: "),
        (["alerts", "--as-of", "next tuesday"], "--as-of: "),
    ],
)
def test_bad_input_is_one_sentence_and_exit_1(tracker_target: str, args: list[str], message: str) -> None:
    open_store(tracker_target).close()
    code, out, err = run(*args, "--db", tracker_target)
    assert code == 1 and out == ""
    assert err.startswith("sscp-tui: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_unreadable_and_foreign_databases(tmp_path: Path) -> None:
    code, _, err = run("alerts", "--db", str(tmp_path / "none.sqlite3"))
    assert code == 1 and "There is no tracker database at" in err
    assert not (tmp_path / "none.sqlite3").exists()  # nothing written
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"PK\x03\x04 a zip, not a database")
    code, _, err = run("alerts", "--db", str(junk))
    assert code == 1 and "is not an sscp-tui database" in err
    assert junk.read_bytes() == b"PK\x03\x04 a zip, not a database"


def test_a_database_url_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "u.sqlite3"
    open_store(target).close()
    code, out, _ = run("alerts", "--db", f"sqlite:///{target}", "--as-of", "2026-11-28")
    assert code == 0 and "0 open items need attention" in out


def test_a_malformed_settings_file_names_the_key_and_line(tracker_target: str, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[user]\nauthor = "Chair"\n\n[alerts]\ndue_soon_days = "four weeks"\n')
    open_store(tracker_target).close()
    code, _, err = run("alerts", "--db", tracker_target, env={"SSCP_TUI_CONFIG": str(config)})
    assert code == 1
    assert "(line 5)" in err and "'alerts.due_soon_days' must be a whole number of days" in err


def test_settings_change_the_alert_windows(demo_target: str, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[alerts]\ndue_soon_days = 90\n")
    args = ("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat(), "--format", "json")
    _, out, _ = run(*args)
    normal = sum("due soon" in i["alerts"] for i in json.loads(out)["items"])
    _, out, _ = run(*args, env={"SSCP_TUI_CONFIG": str(config)})
    wider = sum("due soon" in i["alerts"] for i in json.loads(out)["items"])
    assert wider > normal


def test_alerts_list_items_delivered_and_awaiting_evidence_of_impact(demo_target: str) -> None:
    from sscp_tui.config import Settings

    store = open_store(demo_target)
    tracker = Tracker(store, Settings(), AS_OF)
    row = next(r for r in tracker.page(ItemFilter(), limit=200).rows if not r.alerts)
    tracker.mark_delivered(row.id, "Guidance issued to every team", "Delivered")
    store.close()
    later = (AS_OF + timedelta(days=40)).isoformat()
    _, out, _ = run("alerts", "--db", demo_target, "--as-of", later, "--format", "json")
    (found,) = [item for item in json.loads(out)["items"] if item["id"] == row.id]
    waited = (AS_OF + timedelta(days=40) - date.today()).days  # delivered today
    assert "awaiting impact" in found["alerts"] and found["awaiting_impact_days"] == waited
    _, out, _ = run("alerts", "--db", demo_target, "--as-of", later)
    assert f"awaiting impact {found['awaiting_impact_days']} d" in out


def test_who_history_records_flag_then_settings_then_role_then_login(
    tracker_target: str, tmp_path: Path
) -> None:
    """--author (or SSCP_TUI_AUTHOR) wins over [user] author in the settings, which wins over
    the PostgreSQL role (on a server) and the login name."""
    from sqlalchemy import select

    from sscp_tui.db.models import HistoryEntry
    from sscp_tui.db.store import open_store
    from tests.stores import is_postgres

    open_store(tracker_target).close()  # a tracker, new and empty, on either store
    config = tmp_path / "config.toml"
    days = iter(range(1, 28))

    def recorded(*args: str, env: dict[str, str] | None = None) -> str:
        day = f"2027-02-{next(days):02d}"
        code, _out, err = run(*args, "meeting", "add", "--db", tracker_target, "--group", "Executive",
                              "--date", day, env=env)  # fmt: skip
        assert code == 0, err
        store = open_store(tracker_target)
        try:
            with store.read() as s:
                return s.scalar(select(HistoryEntry.author).order_by(HistoryEntry.id.desc()).limit(1)) or ""
        finally:
            store.close()

    login = "sscp_test" if is_postgres(tracker_target) else "tester"  # the role, or USER in conftest
    assert recorded() == login
    config.write_text('[user]\nauthor = "Business unit"\n')
    env = {"SSCP_TUI_CONFIG": str(config)}
    assert recorded(env=env) == "Business unit"
    assert recorded(env={**env, "SSCP_TUI_AUTHOR": "Vice chair"}) == "Vice chair"
    assert (
        recorded("--author", "  Panel   chair ", env={**env, "SSCP_TUI_AUTHOR": "Vice chair"})
        == "Panel chair"
    )


def test_db_given_before_the_command_is_the_tracker_it_uses(demo_target: str) -> None:
    """`sscp-tui --db X alerts` reads X, as `sscp-tui alerts --db X` does (it used to read
    your own tracker); so does a command in a group (`meeting list`)."""
    after = run("alerts", "--db", demo_target, "--as-of", AS_OF.isoformat())
    before = run("--db", demo_target, "alerts", "--as-of", AS_OF.isoformat())
    assert before[0] == 0 and before[1] == after[1] and "need attention" in before[1]
    listed = run("--db", demo_target, "meeting", "list")
    assert listed[0] == 0 and "Case Review Panel" in listed[1]
