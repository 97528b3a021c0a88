"""`sscp-tui import` and `sscp-tui export`, run as a user would, output read back."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sscp_tui.cli import main
from sscp_tui.config import Settings
from sscp_tui.db.models import Agency, AgencyKind
from sscp_tui.db.store import open_store
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF

ALL = ItemFilter(state=ItemState.ALL)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, rows: list[list[str]], **kwargs: str) -> Path:
    with path.open("w", newline="", encoding=kwargs.pop("encoding", "utf-8")) as handle:
        csv.writer(handle, **kwargs).writerows(rows)  # type: ignore[arg-type]
    return path


@pytest.fixture
def db(tracker_target: str) -> str:
    store = open_store(tracker_target)
    with store.write() as session:
        for name, short in [("Surrey County Council", "SCC"), ("Surrey Police", "SP")]:
            session.add(Agency(name=name, short_name=short, kind=AgencyKind.STATUTORY, active=True))
    store.close()
    return tracker_target


def tracker_at(db: str) -> Tracker:
    return Tracker(open_store(db, create=False), Settings(author="tester"), AS_OF)


def snapshot(db: str) -> list[tuple[str, str, str | None, str | None]]:
    tracker = tracker_at(db)
    rows = tracker.rows(tracker.ids(ALL))
    tracker.store.close()
    return sorted((r.source, r.reference, r.rating.value if r.rating else None, r.lead_agency) for r in rows)


LOG = [
    ["SSCP recommendation log"],
    [],
    ["Name of review", "Rec no", "Recommendation", "Key agency", "Timescale", "RAG", "Progress"],
    [
        "SCR Child A",
        "1",
        "Hear the voice of the child.",
        "Surrey County Council",
        "Sept 21",
        "R",
        "Audit planned",
    ],
    ["SCR Child A", "2", "Share information within a day.", "surrey police", "2021-22", "A/G", ""],
    ["LCSPR Family B (2021)", "1", "Escalate disagreements.", "SCC", "tbc", "Complete", ""],
]


def test_a_dry_run_lists_every_row_and_writes_nothing(db, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", [*LOG, ["SCR Child A", "3", "Unknown lead.", "Surrey Polce", "", ""]],
                     delimiter=";")  # fmt: skip
    code, out, err = run("import", str(path), "--db", db, "--dry-run", "--as-of", AS_OF.isoformat())
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Read log.csv, CSV (UTF-8, semicolons): header on row 3, 4 rows below it."
    assert "'Key agency' (D) → Lead agency" in lines[1]
    rows = {line.split()[0]: line for line in lines if line.strip()[:1].isdigit()}
    assert rows.keys() == {"4", "5", "6", "7"}
    assert " create " in rows["4"] and "SCR Child A" in rows["4"]
    assert " reject " in rows["7"] and "There is no agency called 'Surrey Polce'." in rows["7"]
    assert "Did you mean 'Surrey Police'?" in rows["7"]
    assert "Would add reviews: SCR Child A, LCSPR Family B (2021)." in lines
    assert (
        "Would create 3 items, update 0 and leave 0 unchanged; would add 2 reviews and 1 progress update; 1 row rejected."
        in lines
    )
    assert lines[-1] == "Dry run: nothing was written."
    assert snapshot(db) == []


def test_a_dry_run_against_a_tracker_not_yet_made_creates_nothing(tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", LOG)
    target = tmp_path / "new.sqlite3"
    code, out, _ = run(
        "import", str(path), "--db", str(target), "--dry-run", "--create-agencies", "--summary"
    )
    assert code == 0
    assert "comparing with an empty one" in out and "Would create 3 items" in out
    assert not target.exists()


def test_import_then_import_again_then_export_what_a_filter_selects(db, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", LOG)
    code, out, err = run("import", str(path), "--db", db, "--as-of", AS_OF.isoformat())
    assert code == 0, err
    assert "Created 3 items, updated 0 and left 0 unchanged; added 2 reviews and 1 progress update." in out
    assert snapshot(db) == [("LCSPR Family B (2021)", "1", "blue", "SCC"), ("SCR Child A", "1", "red", "SCC"),
                            ("SCR Child A", "2", "amber", "SP")]  # fmt: skip
    later = [*LOG[:4], ["SCR Child A", "2", "Share information within a day.", "SP", "2021-22", "Green", "Done"],
             LOG[5]]  # fmt: skip
    write_csv(path, later)
    code, out, _ = run("import", str(path), "--db", db, "--as-of", AS_OF.isoformat())
    assert code == 0
    (updated,) = [line for line in out.splitlines() if " update " in line]
    assert updated.split()[0] == "5" and updated.endswith("rating, new progress update")
    assert "Created 0 items, updated 1 and left 2 unchanged; added 1 progress update." in out
    assert ("SCR Child A", "2", "green", "SP") in snapshot(db)

    target = tmp_path / "open.xlsx"
    code, out, err = run("export", str(target), "--db", db, "--state", "open", "--rating", "red",
                         "--rating", "green", "--as-of", AS_OF.isoformat())  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"Wrote 2 items to {target} (XLSX)."
    sheet = openpyxl.load_workbook(target).active
    header = [c.value for c in sheet[1]]
    refs = sorted((row[header.index("Review")], row[header.index("Ref")], row[header.index("RAG")])
                  for row in sheet.iter_rows(min_row=2, values_only=True))  # fmt: skip
    assert refs == [("Child A", "1", "Red"), ("Child A", "2", "Green")]


def test_rejected_rows_stop_the_real_import(db, tmp_path) -> None:
    path = write_csv(
        tmp_path / "log.csv", [*LOG, ["SCR Child A", "3", "Late bad row.", "SCC", "", "Purple", ""]]
    )
    code, out, err = run("import", str(path), "--db", db)
    assert code == 1
    assert err.splitlines()[0] == "1 row cannot be imported:"
    assert err.splitlines()[2].split()[:3] == ["7", "reject", "SCR"]
    assert err.strip().splitlines()[-1] == (
        "sscp-tui: Row 7: The rating 'Purple' is not one sscp-tui reads: use Blue, Green, Amber or Red "
        "(or B, G, A, R), or leave it blank. Nothing was written. --skip-rejected imports the other 3 and "
        "writes the rejected to a file to put right."
    )
    assert "Traceback" not in out + err
    assert snapshot(db) == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty.csv is empty."),
        (b"PK\x03\x04garbage", "broken.xlsx", "broken.xlsx cannot be read as an Excel workbook"),
        (b"%PDF-1.4 binary\x00\x01", "minutes.pdf", "minutes.pdf is not a CSV or XLSX file."),
        (b"Minutes\nAttendees\n", "minutes.csv", "No header row found"),
        (b"Review,Ref,Lead agency\nSCR A,1,SCC\n", "nocol.csv", "nocol.csv has no column for the text"),
    ],
)
def test_bad_files_get_one_sentence_and_exit_1(db, tmp_path, content, name, message) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run("import", str(path), "--db", db)
    assert code == 1
    assert err.startswith(f"sscp-tui: {message}") and err.count("\n") == 1
    assert "Traceback" not in err and out == ""
    assert snapshot(db) == []


def test_map_and_sheet_options(db, tmp_path) -> None:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    sheet = book.create_sheet("Actions")
    sheet.append(["Plan name", "No.", "What we will do", "Agency responsible for delivery"])
    sheet.append(["JTAI 2023", "1", "Publish the written statement of action.", "SCC"])
    book.save(path)
    code, _, err = run("import", str(path), "--db", db, "--sheet", "Missing")
    assert code == 1 and "There is no sheet 'Missing' in book.xlsx (it has Cover, Actions)." in err
    code, _, err = run("import", str(path), "--db", db, "--map", "Plan name=nonsense")
    assert code == 1 and "'nonsense' is not a field" in err
    code, out, err = run("import", str(path), "--db", db, "--sheet", "actions", "--map", "Plan name=review",
                         "--map", "What we will do=text", "--map", "Agency responsible for delivery=Lead agency")  # fmt: skip
    assert code == 0, err
    assert "Created 1 item, updated 0 and left 0 unchanged; added 1 review." in out
    assert snapshot(db) == [("Inspection JTAI 2023", "1", None, "SCC")]


def test_review_kind_option_names_new_reviews(db, tmp_path) -> None:
    path = write_csv(tmp_path / "log.tsv", [["Review", "Ref", "Recommendation"], ["Child Z", "1", "Do it."]],
                     delimiter="\t")  # fmt: skip
    code, out, _ = run("import", str(path), "--db", db, "--dry-run")
    assert code == 0 and "Would add reviews: Child Z (type to confirm)." in out
    code, _, err = run("import", str(path), "--db", db, "--review-kind", "purple")
    assert code == 1 and "--review-kind: 'purple' is not a review type" in err
    code, out, err = run("import", str(path), "--db", db, "--review-kind", "lcspr")
    assert code == 0, err
    assert snapshot(db) == [("LCSPR Child Z", "1", None, None)]


def test_export_then_import_into_a_new_tracker(db, tmp_path) -> None:
    run("import", str(write_csv(tmp_path / "log.csv", LOG)), "--db", db)
    exported = tmp_path / "log-out.csv"
    code, out, _ = run("export", str(exported), "--db", db)
    assert code == 0 and out.strip() == f"Wrote 3 items to {exported} (CSV)."
    fresh = str(tmp_path / "fresh.sqlite3")
    code, out, err = run("import", str(exported), "--db", fresh, "--create-agencies")
    assert code == 0, err
    assert "Added agencies: Surrey County Council (SCC), Surrey Police (SP)." in out
    assert snapshot(fresh) == snapshot(db)


def test_export_refuses_unknown_names_and_formats(db, tmp_path) -> None:
    code, _, err = run("export", str(tmp_path / "log.docx"), "--db", db)
    assert code == 1 and "'log.docx' is neither" in err
    code, _, err = run("export", str(tmp_path / "log.csv"), "--db", db, "--agency", "Surey Police")
    assert code == 1 and "Did you mean 'Surrey Police'?" in err
    code, _, err = run("export", str(tmp_path / "log.csv"), "--db", db, "--lead-only")
    assert code == 1 and "--lead-only needs --agency." in err
    assert not (tmp_path / "log.csv").exists()


def test_export_by_agency_and_alert(db, tmp_path) -> None:
    run("import", str(write_csv(tmp_path / "log.csv", LOG)), "--db", db)
    target = tmp_path / "police.csv"
    code, out, _ = run("export", str(target), "--db", db, "--agency", "surrey police", "--alert", "overdue",
                       "--alert", "no-timescale", "--as-of", AS_OF.isoformat())  # fmt: skip
    assert code == 0 and "Wrote 1 item to" in out
    with target.open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["Ref"], row["Lead agency"], row["Timescale"]) == ("2", "Surrey Police (SP)", "2021-22")


def test_help_names_every_field_a_column_can_be_mapped_to() -> None:
    from sscp_tui.services.imports.headings import FIELD_NAMES

    code, out, _ = run("import", "--help")
    assert code == 0
    listed = " ".join(out.split())
    assert [name for name in FIELD_NAMES if name not in listed] == []
