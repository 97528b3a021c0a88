"""`sscp-tui meeting` and `sscp-tui pack`, run as a user would, output read back."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from sscp_tui.cli import main
from sscp_tui.db.store import open_store
from tests.pack_log import GROUP, LATE_TEXT, MEETING, PREVIOUS, build_log, edit_after_meeting

ITEM_TEXT = "Agencies should strengthen the assessment of risk."


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tracker_target: str) -> str:
    """A tracker holding the pack test log, with nothing else open on it."""
    store = open_store(tracker_target)
    ids = build_log(store)
    edit_after_meeting(store, ids)
    store.close()
    return tracker_target


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    return folder


def test_meetings_are_recorded_and_listed(db: str) -> None:
    code, out, err = run("meeting", "list", "--db", db)
    assert code == 0 and "No meetings are recorded yet" in out
    for day in (PREVIOUS, MEETING):
        code, out, err = run(
            "meeting", "add", "--db", db, "--group", "case review panel", "--date", day.isoformat()
        )
        assert code == 0, err
        assert out.strip() == f"Recorded the {GROUP} meeting on {day.day} {day:%b %Y}."
    run("meeting", "add", "--db", db, "--group", "Executive", "--date", "2027-01-14")
    code, out, _ = run("meeting", "list", "--db", db, "--as-of", "2026-11-28")
    assert out.splitlines()[0] == "3 meetings recorded:"
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["2026-10-15", "2026-11-26", "2027-01-14"]
    assert out.splitlines()[3].endswith("Executive  (to come)")
    code, out, _ = run("meeting", "list", "--db", db, "--group", "Executive")
    assert "1 meeting recorded:" in out and GROUP not in out


def test_meeting_add_refuses_duplicates_bad_dates_and_misspelt_groups(db: str) -> None:
    run("meeting", "add", "--db", db, "--group", GROUP, "--date", "2026-11-26")
    code, _, err = run("meeting", "add", "--db", db, "--group", GROUP, "--date", "26/11/2026")
    assert code == 1 and "already recorded" in err
    code, _, err = run("meeting", "add", "--db", db, "--group", GROUP, "--date", "31/02/2026")
    assert code == 1 and err.startswith("sscp-tui: --date:") and "not a real date" in err
    code, _, err = run("meeting", "add", "--db", db, "--group", "Case Reveiw Panel", "--date", "2026-12-10")
    assert code == 1 and "no meeting group called 'Case Reveiw Panel'" in err and "--new-group" in err
    code, out, err = run("meeting", "add", "--db", db, "--group", "Neglect  Sub-Group", "--date", "2026-12-10",
                         "--new-group")  # fmt: skip
    assert code == 0 and "Recorded the Neglect Sub-Group meeting" in out


@pytest.mark.parametrize("suffix", [".docx", ".html", ".md", ".xlsx"])
def test_pack_in_each_format_from_the_file_name(db: str, out: Path, suffix: str) -> None:
    run("meeting", "add", "--db", db, "--group", GROUP, "--date", PREVIOUS.isoformat())
    run("meeting", "add", "--db", db, "--group", GROUP, "--date", MEETING.isoformat())
    target = out / f"panel{suffix}"
    code, stdout, err = run("pack", "--db", db, "--meeting", GROUP, "--date", MEETING.isoformat(), "-o", str(target),
                            "--as-of", "2026-11-28")  # fmt: skip
    assert code == 0, err
    assert stdout.startswith(f"Wrote the {GROUP} pack for 26 Nov 2026 to {target}")
    assert "as it stood at the end of 26 Nov 2026" in stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == [target.name]
    text = _text_of(target)
    assert ITEM_TEXT in text and LATE_TEXT not in text  # the pack shows the day, not later edits
    assert "OFFICIAL-SENSITIVE" in text and GROUP in text


def _text_of(path: Path) -> str:
    if path.suffix == ".docx":
        doc = Document(str(path))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join(
            [p.text for p in doc.paragraphs] + cells + [doc.sections[0].header.paragraphs[0].text]
        )
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        return "\n".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c)
    return path.read_text(encoding="utf-8")


def test_pack_defaults_to_the_next_recorded_meeting(db: str, out: Path) -> None:
    code, _, err = run(
        "pack", "--db", db, "--meeting", GROUP, "-o", str(out / "p.md"), "--as-of", "2026-11-28"
    )
    assert code == 1 and f"No {GROUP} meeting is recorded on or after 28 Nov 2026" in err
    assert "meeting add" in err and not list(out.iterdir())
    run("meeting", "add", "--db", db, "--group", GROUP, "--date", "2026-12-10")
    code, stdout, err = run(
        "pack", "--db", db, "--meeting", GROUP, "-o", str(out / "p.md"), "--as-of", "2026-11-28"
    )
    assert code == 0, err
    assert "pack for 10 Dec 2026" in stdout and "shows the position on 28 Nov 2026" in stdout
    assert "Case Review Panel, 10 Dec 2026" in (out / "p.md").read_text()


def test_an_unrecorded_meeting_still_gets_its_pack_and_the_cover_says_so(db: str, out: Path) -> None:
    code, stdout, err = run("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26", "--format", "html",
                            "-o", str(out / "pack.htm"), "--as-of", "2026-11-28")  # fmt: skip
    assert code == 0, err
    sentence = f"No {GROUP} meeting on 26 Nov 2026 is recorded in the tracker"
    assert sentence in stdout and sentence in (out / "pack.htm").read_text()


def test_listed_words_stop_the_pack_unless_allowed(db: str, out: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[packs]\nforbidden_words = ["strengthen"]\nprotective_marking = "OFFICIAL"\n')
    env = {"SSCP_TUI_CONFIG": str(config)}
    args = ("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26", "-o", str(out / "p.docx"))
    code, stdout, err = run(*args, env=env)
    assert code == 1 and stdout == ""
    assert "'strengthen' in SCR Child A (2019) recommendation 1: its text" in err
    assert "--allow-flagged" in err and not list(out.iterdir())
    code, stdout, err = run(*args, "--allow-flagged", env=env)
    assert code == 0 and "Warning: words on the exclusion list appear" in err
    text = _text_of(out / "p.docx")
    assert "OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text
    assert "written only because that was explicitly allowed" in text


def test_the_refusal_lists_every_place_a_word_appears(db: str, out: Path, tmp_path: Path) -> None:
    """However many places a listed word is found in, the CLI names each one, on its own line
    (a refusal that said "and 9 more" would send the business team hunting)."""
    config = tmp_path / "config.toml"
    config.write_text('[packs]\nforbidden_words = ["the", "and", "to", "of", "in", "a", "for", "is"]\n')
    env = {"SSCP_TUI_CONFIG": str(config)}
    args = ("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26", "-o", str(out / "p.md"))
    code, stdout, err = run(*args, env=env)
    assert code == 1 and stdout == ""
    places = [line for line in err.splitlines() if line.startswith("  '")]
    times = int(err.split("appear ")[1].split(" times")[0])
    assert times > 8 and len(places) == times
    assert "more" not in err.split("Where they appear:")[1]


def test_scope_and_grouping(db: str, out: Path) -> None:
    code, _, err = run("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26", "--agency", "surrey police",
                            "--review", "Child A", "--by", "agency", "-o", str(out / "p.md"))  # fmt: skip
    assert code == 0, err
    text = (out / "p.md").read_text()
    assert "Reviews: SCR Child A (2019). Items led by: SP." in text
    assert "### Surrey Police (SP)" in text and "Surrey County Council" not in text
    code, _, err = run(
        "pack", "--db", db, "--meeting", GROUP, "--agency", "Surrey Polise", "-o", str(out / "q.md")
    )
    assert code == 1 and "There is no agency called 'Surrey Polise'" in err


def test_the_format_must_be_known(db: str, out: Path) -> None:
    code, _, err = run(
        "pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26", "-o", str(out / "p.txt")
    )
    assert code == 1 and "give --format docx, html, md or xlsx" in err
    code, _, err = run("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26",
                       "-o", str(out / "missing" / "p.md"))  # fmt: skip
    assert code == 1 and "does not exist" in err
    code, out_text, _ = run("pack", "--help")
    assert code == 0 and "--allow-flagged" in out_text and "--by [review|agency]" in out_text


def test_listed_words_stop_an_export_too_unless_allowed(db: str, out: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[packs]\nforbidden_words = ["curiosity"]\n')
    env = {"SSCP_TUI_CONFIG": str(config)}
    for name in ("log.csv", "log.xlsx"):
        code, stdout, err = run("export", str(out / name), "--db", db, env=env)
        assert code == 1 and stdout == ""
        assert "'curiosity' in Family B 2 (Recommendation)" in err
        assert "Nothing was written" in err and "--allow-flagged" in err
        assert not list(out.iterdir())
    code, stdout, err = run("export", str(out / "log.csv"), "--db", db, "--allow-flagged", env=env)
    assert code == 0 and "words on the forbidden list, written as you asked" in stdout
    assert "professional curiosity" in (out / "log.csv").read_text()
    code, stdout, err = run("export", str(out / "all.csv"), "--db", db)  # no list: nothing flagged
    assert code == 0 and "forbidden" not in stdout


def test_a_pack_or_export_never_replaces_a_file_without_force(db: str, out: Path) -> None:
    target = out / "p.md"
    target.write_text("the last meeting's pack")
    args = ("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26", "-o", str(target))
    code, _stdout, err = run(*args)
    assert code == 1 and "already exists; nothing was written. Give --force to replace it." in err
    assert target.read_text() == "the last meeting's pack"
    code, _stdout, err = run(*args, "--force")
    assert code == 0, err
    assert "Case Review Panel" in target.read_text()
    log = out / "log.csv"
    log.write_text("kept")
    code, _stdout, err = run("export", str(log), "--db", db)
    assert code == 1 and "Give --force" in err and log.read_text() == "kept"
    code, _stdout, err = run("export", str(log), "--db", db, "--force")
    assert code == 0 and log.read_text() != "kept"


def test_the_log_holds_open_items_unless_all_is_given(db: str, out: Path) -> None:
    """By default the log and appendix leave out what was already closed at the previous
    meeting, and the cover says how many; --all puts them back."""
    args = ("pack", "--db", db, "--meeting", GROUP, "--date", "2026-11-26")
    code, _, err = run(*args, "-o", str(out / "open.md"))
    assert code == 0, err
    code, _, err = run(*args, "--all", "-o", str(out / "all.md"))
    assert code == 0, err
    open_md, all_md = (out / "open.md").read_text(), (out / "all.md").read_text()

    def in_log(md: str) -> int:
        return int(re.search(r"\*\*Items in the log:\*\* (\d+)", md).group(1))  # type: ignore[union-attr]

    left_out = re.search(r"Open items only: (\d+) items? (?:was|were) already closed", open_md)
    assert left_out and int(left_out.group(1)) == in_log(all_md) - in_log(open_md) > 0
    assert "Open items only" not in all_md
    code, _, err = run(*args, "--open-only", "-o", str(out / "old.md"))  # an old script's flag
    assert code == 0 and in_log((out / "old.md").read_text()) == in_log(open_md)


def test_alerts_as_of_a_past_day_judge_the_tracker_as_it_stood(db: str) -> None:
    """On 10 Nov, Family B 1 was Green and past its 30 Sep due date: overdue that day, though
    it has been Blue (closed) since 20 Nov. Today's ratings are not read into the past."""
    import json

    code, stdout, err = run("alerts", "--db", db, "--as-of", "2026-11-10", "--format", "json")
    assert code == 0, err
    listed = {(item["review"], item["reference"]): item for item in json.loads(stdout)["items"]}
    then = listed[("LCSPR Family B (2021)", "1")]
    assert then["rating"] == "green" and then["days_overdue"] == 41 and "overdue" in then["alerts"]
    # In the order today's come in: by lead agency, and within one the overdue first.
    items = json.loads(stdout)["items"]
    for agency in {item["lead_agency"] for item in items}:
        alerts = [item["alerts"] for item in items if item["lead_agency"] == agency]
        overdue = ["overdue" in a for a in alerts]
        assert overdue == sorted(overdue, reverse=True), alerts
    code, stdout, err = run("alerts", "--db", db, "--format", "json")
    assert code == 0, err
    assert ("LCSPR Family B (2021)", "1") not in {
        (item["review"], item["reference"]) for item in json.loads(stdout)["items"]
    }
