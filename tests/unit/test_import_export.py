"""Importing recommendation logs as partnerships keep them, and exporting the log back out.

Every spreadsheet is built here, in the forms real logs take: titles and notes above the
table, headings in odd case and order, ratings and dates as people type them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from sscp_tui.config import Settings
from sscp_tui.db.models import (
    Agency,
    AgencyKind,
    HistoryEntry,
    ItemKind,
    ProgressUpdate,
    Rating,
    ReviewKind,
    TrackedItem,
)
from sscp_tui.db.store import Store, open_store
from sscp_tui.services import exporter
from sscp_tui.services.edits import EditContext, EditError, NewItem, add_update, create_item
from sscp_tui.services.imports import plan as importer
from sscp_tui.services.imports import write as import_write
from sscp_tui.services.imports.cells import parse_rating, split_review_name
from sscp_tui.services.imports.plan import ImportOptions, RowAction, TransferError
from sscp_tui.services.records import AlertKind, ItemDetail, ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF

EVERYTHING = ItemFilter(state=ItemState.ALL)


# --- building spreadsheets and reading the tracker ---------------------------------------------
def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]], merged: Sequence[str] = (), sheet: str = "Log"
) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for cells in merged:
        ws.merge_cells(cells)
    book.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def add_agencies(store: Store, *pairs: tuple[str, str]) -> None:
    with store.write() as session:
        for name, short in pairs:
            session.add(Agency(name=name, short_name=short, kind=AgencyKind.STATUTORY, active=True))


SURREY = (("Surrey County Council", "SCC"), ("Surrey Police", "SP"), ("Surrey Heartlands", "SH"))


@pytest.fixture
def agencies(store: Store) -> None:
    add_agencies(store, *SURREY)


def details(tracker: Tracker) -> list[ItemDetail]:
    found = [tracker.item(i) for i in tracker.ids(EVERYTHING)]
    return sorted((d for d in found if d), key=lambda d: (d.row.source, d.row.reference))


def by_ref(tracker: Tracker) -> dict[str, ItemDetail]:
    return {f"{d.row.source} {d.row.reference}": d for d in details(tracker)}


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.scalar(select(func.count()).select_from(TrackedItem)) or 0,
            session.scalar(select(func.count()).select_from(HistoryEntry)) or 0,
            session.scalar(select(func.count()).select_from(ProgressUpdate)) or 0,
        )


def run(tracker: Tracker, path: Path, **options: Any) -> importer.ImportReport:
    found = importer.plan(tracker, path, ImportOptions(**options))
    assert found.ok, found.rejected
    return import_write.apply(tracker, found)


@pytest.fixture
def other(tmp_path: Path, settings: Settings) -> Iterator[Tracker]:
    """A second, empty tracker."""
    opened = open_store(tmp_path / "other.sqlite3")
    yield Tracker(opened, settings, AS_OF)
    opened.close()


# --- the forms logs come in -------------------------------------------------------------------
MESSY = [
    ["Surrey Safeguarding Children Partnership: recommendation log 2019-20"],
    ["Reviewed at every Case Review Panel. Ratings: B complete, G on track, A slipping, R off track."],
    [],
    ["rag", "Target Date", "Rec No", "NAME OF REVIEW", "Recommendation", "key agency", "timescale", "Progress"],
    ["R", datetime(2021, 9, 30), 1, "SCR Child A", "Agencies should hear the voice of the child.",
     "Surrey County Council", "Sept 21", "Audit planned"],
    [],
    ["A/G", "31/03/2022", 2, "SCR Child A", "Police should share information within 24 hours.",
     "surrey police.", "2021-22", None],
    ["Green - complete", None, "1", "LCSPR Family B", "Health should escalate disagreements.",
     "SH", "end of March 2022", "Escalation policy relaunched"],
    ["Complete", "2022-06-30", "2", "LCSPR Family B", "Schools should record concerns consistently.",
     "Surrey County Council", "June 2022", None],
    [],
    ["Notes: ratings agreed at panel on 3 May 2022."],
]  # fmt: skip


def test_a_messy_workbook_is_read_as_people_wrote_it(tracker, store, agencies, tmp_path) -> None:
    path = write_xlsx(tmp_path / "log.xlsx", MESSY, merged=["A1:H1", "A2:H2"])
    found = importer.plan(tracker, path)
    assert "header on row 4" in found.description
    outcomes = [(r.row, r.action) for r in found.rows]
    assert outcomes == [(5, RowAction.CREATE), (7, RowAction.CREATE), (8, RowAction.CREATE),
                        (9, RowAction.CREATE), (11, RowAction.SKIP)]  # fmt: skip
    assert "a note" in found.rows[-1].reason
    assert set(found.new_reviews) == {"SCR Child A", "LCSPR Family B"}
    import_write.apply(tracker, found)
    items = by_ref(tracker)
    assert sorted(items) == ["LCSPR Family B 1", "LCSPR Family B 2", "SCR Child A 1", "SCR Child A 2"]
    first, second = items["SCR Child A 1"].row, items["SCR Child A 2"].row
    assert (first.rating, first.due_on, first.timescale, first.lead_agency) == (
        Rating.RED, date(2021, 9, 30), "Sept 21", "SCC")  # fmt: skip
    assert (second.rating, second.due_on, second.lead_agency) == (Rating.AMBER, date(2022, 3, 31), "SP")
    assert items["LCSPR Family B 1"].row.rating is Rating.GREEN
    assert items["LCSPR Family B 1"].row.due_on == date(2022, 3, 31)  # from "end of March 2022"
    assert items["LCSPR Family B 2"].row.rating is Rating.BLUE
    assert items["LCSPR Family B 2"].row.due_on == date(2022, 6, 30)
    assert [u.text for u in items["SCR Child A 1"].updates] == ["Audit planned"]
    assert items["SCR Child A 1"].updates[0].written_on == AS_OF
    assert items["SCR Child A 2"].updates == ()


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("R", Rating.RED), ("Red", Rating.RED), ("amber", Rating.AMBER), ("A/G", Rating.AMBER),
     ("R/A", Rating.RED), ("Green - complete", Rating.GREEN), ("green/complete", Rating.GREEN),
     ("amber, timeframe tbc", Rating.AMBER), ("Complete", Rating.BLUE), ("Blue", Rating.BLUE),
     ("G", Rating.GREEN), ("", None), ("Not yet rated", None), ("n/a", None),
     ("On track", Rating.GREEN), ("Some slippage", Rating.AMBER), ("Off track", Rating.RED),
     ("Not started", None), ("In progress", Rating.AMBER), ("Closed", Rating.BLUE),
     ("Complete and evidenced", Rating.BLUE), ("Not complete", Rating.AMBER), ("Overdue", Rating.RED),
     ("Delivered - awaiting evidence of impact", Rating.GREEN)],
)  # fmt: skip
def test_ratings_are_read_as_people_type_them(typed: str, rating: Rating | None) -> None:
    assert parse_rating(typed) is rating


def test_a_rating_nobody_uses_is_refused_with_the_value() -> None:
    with pytest.raises(ValueError, match="'Purple' is not one sscp-tui reads"):
        parse_rating("Purple")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("SCR Child A", (ReviewKind.SCR, "Child A", None)),
     ("LCSPR - Family B (2021)", (ReviewKind.LCSPR, "Family B", 2021)),
     ("Serious Case Review: Baby KK", (ReviewKind.SCR, "Baby KK", None)),
     ("JTAI 2023", (ReviewKind.INSPECTION, "JTAI 2023", None)),
     ("Child A", (None, "Child A", None)),
     ("Child R (LCSPR)", (ReviewKind.LCSPR, "Child R", None)),
     ("Family T (SCR 2018)", (ReviewKind.SCR, "Family T", 2018)),
     ("Baby Q — SCR", (ReviewKind.SCR, "Baby Q", None)),
     ("Family M - Serious Case Review (2017)", (ReviewKind.SCR, "Family M", 2017)),
     ("Children U & V (SCR)", (ReviewKind.SCR, "Children U & V", None)),
     ("Child X (see note)", (None, "Child X (see note)", None)),
     ("Rapid Review 2019-02", (ReviewKind.RAPID, "Rapid Review 2019-02", None))],
)  # fmt: skip
def test_review_names_give_their_type_and_year(written: str, expected: tuple[Any, ...]) -> None:
    assert split_review_name(written) == expected


def test_a_cp1252_csv_with_semicolons(tracker, store, agencies, tmp_path) -> None:
    text = "Children’s services should fund £40,000 of training for café staff – urgently."
    path = write_csv(tmp_path / "log.csv", [
        ["Recommendation log"], [],
        ["Review", "Ref", "Area for improvement", "Recommendation", "Lead agency", "Timescale", "Status"],
        ["LCSPR Child Z", "1", "voice of the child", text, "SCC", "Q3 2021-22", "amber"],
    ], encoding="cp1252", delimiter=";")  # fmt: skip
    found = importer.plan(tracker, path)
    assert "Windows-1252" in found.description and "semicolons" in found.description
    import_write.apply(tracker, found)
    (item,) = details(tracker)
    assert item.row.text == text
    assert item.row.themes == ("voice of the child",)
    assert item.row.due_on == date(2021, 12, 31) and item.row.rating is Rating.AMBER


def test_a_tab_delimited_utf8_file_with_a_byte_order_mark(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "log.txt", [
        ["Theme", "Key agency", "Recommendation", "Review", "Year", "Ref", "RAG", "Owner"],
        ["neglect", "Surrey Police", "Police should use the neglect toolkit.", "Child G", "2019", "3", "G", "DI Smith"],
    ], encoding="utf-8-sig", delimiter="\t")  # fmt: skip
    report = run(tracker, path, review_kind=ReviewKind.SCR)
    assert report.new_reviews == ("SCR Child G (2019)",)
    (item,) = details(tracker)
    assert (item.row.reference, item.row.lead_agency, item.owner) == ("3", "SP", "DI Smith")


def test_a_merged_review_cell_and_review_heading_rows_fill_down(tracker, store, agencies, tmp_path) -> None:
    path = write_xlsx(tmp_path / "log.xlsx", [
        ["Review", "Rec", "Recommendation", "Lead"],
        ["SCR Child D", 1, "First.", "SCC"],
        [None, 2, "Second.", "SP"],
        ["DHR Doris", None, None, None],
        [None, 1, "Third.", "SH"],
    ], merged=["A2:A3"])  # fmt: skip
    found = importer.plan(tracker, path)
    assert [(r.row, r.action.value, r.source) for r in found.rows] == [
        (2, "create", "SCR Child D"), (3, "create", "SCR Child D"), (4, "skip", ""), (5, "create", "DHR Doris")]  # fmt: skip


def test_a_lead_cell_naming_several_agencies(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Ref", "Recommendation", "Key agency"],
        ["SCR Child A", "1", "Joint audit.", "SCC / Surrey Police & SH"],
    ])  # fmt: skip
    run(tracker, path)
    (item,) = details(tracker)
    assert item.row.lead_agency == "SCC" and item.supporting_agencies == ("SH", "SP")


def test_the_plan_hands_the_write_typed_values(tracker, store, agencies, tmp_path) -> None:
    """What the dry run decides for a new item is held as the store's types (a rating, a date,
    names as lists), so the write reads them as they are and re-parses no text. A supporting
    cell listing known agencies with commas names each."""
    path = write_xlsx(tmp_path / "log.xlsx", [
        ["Review", "Ref", "Recommendation", "Lead", "Supporting", "Original timescale", "Revised timescale",
         "RAG", "Themes"],
        ["SCR Child A", "1", "Audit the strategy meetings.", "SCC", "SH, SP", "March 2027",
         date(2027, 6, 30), "Amber", "Neglect; Voice of the child"],
    ])  # fmt: skip
    found = importer.plan(tracker, path, ImportOptions(create_agencies=True))
    (decision,) = found.decisions
    new = decision.new
    assert new is not None and decision.action == "create"
    assert (new.kind, new.rating, new.due_on, new.original_timescale, new.original_due_on) == (
        ItemKind.RECOMMENDATION,
        Rating.AMBER,
        date(2027, 6, 30),
        "March 2027",
        date(2027, 3, 31),
    )
    assert (new.lead_agency, new.supporting_agencies, new.themes) == (
        "SCC", ("SH", "SP"), ("Neglect", "Voice of the child"))  # fmt: skip
    import_write.apply(tracker, found)
    (item,) = details(tracker)
    assert (item.row.rating, item.row.due_on, item.original_due_on, item.supporting_agencies) == (
        Rating.AMBER, date(2027, 6, 30), date(2027, 3, 31), ("SH", "SP"))  # fmt: skip
    # The log kept on: the same row, now Red, revised again and supported by Surrey Police only.
    later = write_xlsx(tmp_path / "later.xlsx", [
        ["Review", "Ref", "Recommendation", "Lead", "Supporting", "Revised timescale", "RAG"],
        ["SCR Child A", "1", "Audit the strategy meetings.", "SCC", "SP", date(2027, 12, 31), "Red"],
    ])  # fmt: skip
    again = importer.plan(tracker, later, ImportOptions(create_agencies=True))
    (update,) = again.decisions
    assert update.action == "update" and update.changes == {
        "rating": Rating.RED, "timescale": "31/12/2027", "due_on": date(2027, 12, 31), "supporting_agencies": ("SP",)}  # fmt: skip
    assert isinstance(update.changes["rating"], Rating)  # (a Rating also equals its text)
    import_write.apply(tracker, again)
    (item,) = details(tracker)
    assert (item.row.rating, item.row.due_on, item.supporting_agencies) == (
        Rating.RED,
        date(2027, 12, 31),
        ("SP",),
    )
    recorded = {
        (h.field, h.new_value) for h in item.history if h.field in ("rating", "due_on", "supporting_agencies")
    }
    assert {("rating", "red"), ("due_on", "2027-12-31"), ("supporting_agencies", "SP")} <= recorded


# --- what the dry run says ----------------------------------------------------------------------
def test_a_parent_missing_from_the_review_is_refused(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Ref", "Parent ref", "Recommendation"],
        ["SCR Child A", "1", "", "The recommendation."],
        ["SCR Child A", "1.1", "1", "An action under it."],
        ["SCR Child A", "2.1", "2", "An action under nothing."]])  # fmt: skip
    found = importer.plan(tracker, path)
    assert [r.action.value for r in found.rows] == ["create", "create", "reject"]
    assert found.rows[2].reason == "Its parent, reference '2', is not in SCR Child A."


def test_the_dry_run_reports_each_row_and_writes_nothing(tracker, store, small, tmp_path) -> None:
    path = write_xlsx(tmp_path / "log.xlsx", [
        ["Review", "Year", "Ref", "Recommendation", "Lead agency", "Timescale", "RAG", "Progress"],
        ["SCR Child A", 2019, "1", "Recommendation overdue: agencies should strengthen practice.", "SCC",
         "31/10/2026", "Amber", "Update on overdue"],
        ["SCR Child A", 2019, "2", "Recommendation soon: agencies should strengthen practice.", "SP",
         "15/12/2026", "Amber", "Update on soon"],
        ["SCR Child A", 2019, "5", "A new recommendation.", "SP", "tbc", None, None],
        ["SCR Child A", 2019, "6", "Another.", "Surey Polce", "tbc", None, None],
        ["SCR Child A", 2019, "7", "And another.", "SP", None, "Purple", None],
        ["SCR Child A", 2019, "8", "Due when?", "SP", None, None, None],
    ])  # fmt: skip
    ws_book = openpyxl.load_workbook(path)
    ws_book.active.cell(row=7, column=6).value = None
    ws_book.active.cell(row=7, column=9).value = "31/02/2027"  # an extra, unheaded column
    ws_book.save(path)
    before = counts(store)
    found = importer.plan(tracker, path)
    rows = {r.row: r for r in found.rows}
    assert rows[2].action is RowAction.UPDATE and rows[2].changes == ("rating",)
    assert rows[3].action is RowAction.UNCHANGED
    assert rows[4].action is RowAction.CREATE and rows[4].reference == "5"
    assert rows[5].action is RowAction.REJECT and "no agency called 'Surey Polce'" in rows[5].reason
    assert "Did you mean 'Surrey Police'?" in rows[5].reason
    assert rows[6].action is RowAction.REJECT and "'Purple'" in rows[6].reason
    assert rows[7].action is RowAction.CREATE
    assert found.summary() == "Would create 2 items, update 1 and leave 1 unchanged; 2 rows rejected."
    assert counts(store) == before
    with pytest.raises(TransferError, match=r"^Row 5: There is no agency called 'Surey Polce'"):
        import_write.apply(tracker, found)
    assert counts(store) == before


def test_a_bad_row_late_in_the_file_leaves_the_tracker_unchanged(tracker, store, agencies, tmp_path) -> None:
    rows: list[list[Any]] = [["Review", "Ref", "Recommendation", "Lead agency", "Target date"]]
    rows += [
        ["SCR Child A", str(n), f"Recommendation {n}.", "SCC", f"{n % 28 + 1}/03/2022"] for n in range(1, 60)
    ]
    rows.append(["SCR Child A", "60", "The last one.", "SCC", "31/02/2022"])
    path = write_csv(tmp_path / "log.csv", rows)
    before = counts(store)
    found = importer.plan(tracker, path)
    assert [(r.row, r.reason) for r in found.rejected] == [
        (61, "The target date: '31/02/2022' is not a real date.")]  # fmt: skip
    with pytest.raises(TransferError, match=r"^Row 61: .*Nothing was imported"):
        import_write.apply(tracker, found)
    assert counts(store) == before


def test_a_failure_while_writing_rolls_everything_back(tracker, store, small, tmp_path, monkeypatch) -> None:
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Ref", "Recommendation", "RAG", "Lead agency"],
        ["SCR Child A", "9", "A new one.", "Red", "SCC"],
        ["SCR Child A", "1", "Recommendation overdue: agencies should strengthen practice.", "Amber", "SCC"],
        ["SCR Child A", "2", "Recommendation soon: agencies should strengthen practice.", "Red", "Nobody"],
    ])  # fmt: skip
    found = importer.plan(tracker, path, ImportOptions(create_agencies=True))
    assert found.ok
    before = counts(store)
    calls = {"n": 0}
    real = import_write.change_field

    def failing(*args: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise EditError("The disk is full.")
        return real(*args)

    monkeypatch.setattr(import_write, "change_field", failing)
    with pytest.raises(TransferError, match=r"The disk is full\. Nothing was imported\."):
        import_write.apply(tracker, found)
    assert counts(store) == before
    assert {a.short_name for a in tracker.agencies()} == {"SCC", "SP", "SH"}


# --- importing again ----------------------------------------------------------------------------
def test_importing_again_updates_in_place_and_records_each_change(tracker, store, agencies, tmp_path) -> None:
    header = ["Review", "Ref", "Recommendation", "Lead agency", "Timescale", "RAG", "Update"]
    first = write_csv(tmp_path / "log.csv", [header,
        ["SCR Child A", "1", "Hear the child.", "SCC", "Sept 21", "Amber", "Training planned"],
        ["SCR Child A", "2", "Share information.", "SP", "2021-22", "Red", "Protocol drafted"]])  # fmt: skip
    run(tracker, first)
    later = write_csv(tmp_path / "log v2.csv", [header,
        ["SCR Child A", "1", "Hear the child.", "SCC", "March 2022", "Green", "Training delivered"],
        ["SCR Child A", "2", "Share information.", "SP", "2021-22", "Red", "Protocol drafted"],
        ["SCR Child A", "3", "Audit the change.", "SCC", "tbc", None, None]])  # fmt: skip
    report = run(tracker, later)
    assert [(r.row, r.action.value, r.changes) for r in report.rows] == [
        (2, "update", ("rating", "timescale", "target date", "new progress update")),
        (3, "unchanged", ()), (4, "create", ())]  # fmt: skip
    items = by_ref(tracker)
    assert len(items) == 3
    one = items["SCR Child A 1"]
    assert (one.row.rating, one.row.timescale, one.row.due_on) == (
        Rating.GREEN,
        "March 2022",
        date(2022, 3, 31),
    )
    assert (one.original_timescale, one.original_due_on) == ("Sept 21", date(2021, 9, 30))
    assert [u.text for u in one.updates] == ["Training delivered", "Training planned"]
    assert one.row.last_update_on == one.updates[0].written_on == AS_OF  # as add_update leaves it
    assert one.updates[0].author == "Test Chair"
    changed = {h.field: h for h in one.history if h.batch == report.batch}
    assert set(changed) == {"rating", "timescale", "due_on", "progress update"}
    assert changed["progress update"].new_value == "Training delivered"
    rating = changed["rating"]
    assert (rating.old_value, rating.new_value, rating.source) == ("amber", "green", "import")
    assert rating.note == "Imported from log v2.csv row 2" and rating.author == "Test Chair"
    again = run(tracker, later)
    assert {r.action for r in again.rows} == {RowAction.UNCHANGED}
    assert len(by_ref(tracker)["SCR Child A 1"].updates) == 2


def test_an_item_without_a_reference_is_matched_by_its_text(tracker, store, small, tmp_path) -> None:
    text = "Recommendation later: agencies should strengthen practice."
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Rec no", "Recommendation", "RAG"],
        ["SCR Child A (2019)", "", text, "Red"],
        ["SCR Child A (2019)", "", "Something new.", ""],
    ])  # fmt: skip
    report = run(tracker, path)
    assert [(r.action.value, r.reference) for r in report.rows] == [("update", "10"), ("create", "5")]
    assert "numbered 5" in report.rows[1].reason
    assert tracker.item(small["later"]).row.rating is Rating.RED  # type: ignore[union-attr]


def test_imported_items_have_the_history_create_item_writes(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Ref", "Recommendation", "RAG", "Lead agency"],
        ["SCR Child A", "1", "Hear the child.", "Amber", "SCC"]])  # fmt: skip
    report = run(tracker, path)
    imported = tracker.item(report.rows[0].item_id or 0)
    assert imported is not None
    ctx = EditContext(author="Test Chair", note="made by hand", source="import")
    with store.write() as session:
        made = create_item(session, ctx, NewItem(kind=ItemKind.RECOMMENDATION, reference="2", text="By hand.",
                                                 review_id=imported.review_id, rating=Rating.AMBER))  # fmt: skip
        made_id = made.id
    by_hand = tracker.item(made_id)
    assert by_hand is not None

    def shape(detail: ItemDetail) -> list[tuple[str, str | None, str | None, str]]:
        return sorted((h.field, h.old_value, h.new_value, h.source) for h in detail.history)

    assert [s[0] for s in shape(imported)] == [s[0] for s in shape(by_hand)] == ["created", "rating"]
    assert shape(imported)[1] == shape(by_hand)[1] == ("rating", None, "amber", "import")
    assert shape(imported)[0][2] == "recommendation 1" and shape(by_hand)[0][2] == "recommendation 2"
    assert (imported.original_timescale, imported.created_on) == (
        by_hand.original_timescale,
        by_hand.created_on,
    )


# --- reviews and agencies the tracker does not know ---------------------------------------------
def test_unknown_reviews_and_agencies(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Review type", "Ref", "Recommendation", "Lead agency", "Supporting agencies"],
        ["Child Q", "", "1", "Kind unknown.", "SCC", ""],
        ["Family M", "Serious Case Review", "1", "Kind from the column.", "NSPCC", "Barnardo's; SP"],
        ["Rapid Review Baby X", "", "1", "Kind from the name.", "Surrey and Borders Partnership (SABP)", ""],
    ])  # fmt: skip
    found = importer.plan(tracker, path)
    assert [r.action for r in found.rows] == [RowAction.CREATE, RowAction.REJECT, RowAction.REJECT]
    assert "Child Q (type to confirm)" in found.new_reviews  # never rejected for its type alone
    assert "There is no agency called 'NSPCC'" in found.rows[1].reason
    found = importer.plan(tracker, path, ImportOptions(create_agencies=True))
    assert set(found.new_reviews) == {"Child Q (type to confirm)", "SCR Family M", "Rapid Review Baby X"}
    assert "would add 3 reviews (1 with its type to confirm) and 3 agencies" in found.summary()
    found = importer.plan(tracker, path, ImportOptions(create_agencies=True, review_kind=ReviewKind.LCSPR))
    assert found.ok
    assert set(found.new_reviews) == {"LCSPR Child Q", "SCR Family M", "Rapid Review Baby X"}
    assert set(found.new_agencies) == {"NSPCC (NSPCC)", "Barnardo's (Barnardo's)",
                                       "Surrey and Borders Partnership (SABP)"}  # fmt: skip
    import_write.apply(tracker, found)
    items = by_ref(tracker)
    assert items["SCR Family M 1"].supporting_agencies == ("Barnardo's", "SP")
    assert items["Rapid Review Baby X 1"].lead_agency_name == "Surrey and Borders Partnership"
    assert {a.kind for a in tracker.agencies() if a.short_name in ("NSPCC", "SABP")} == {AgencyKind.RELEVANT}


# --- bad input ----------------------------------------------------------------------------------
def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    blank = write_xlsx(tmp_path / "blank.xlsx", [])
    no_header = write_csv(tmp_path / "prose.csv", [["Minutes of the panel"], ["Attendees: the chair"]])
    no_text = write_csv(
        tmp_path / "notext.csv", [["Review", "Ref", "Lead agency", "RAG"], ["SCR A", "1", "SCC", "R"]]
    )
    no_review = write_csv(tmp_path / "noreview.csv", [["Ref", "Recommendation", "RAG"], ["1", "Do it.", "R"]])
    header_only = write_csv(tmp_path / "header.csv", [["Review", "Ref", "Recommendation"]])
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    protected = tmp_path / "protected.xlsx"
    protected.write_bytes(old.read_bytes())
    return {
        "corrupt": (corrupt, "corrupt.xlsx cannot be read as an Excel workbook"),
        "pdf": (pdf, "report.pdf is not a CSV or XLSX file."),
        "empty": (empty, "empty.csv is empty."),
        "blank": (blank, "blank.xlsx holds no rows."),
        "no header": (no_header, "No header row found in the first 50 rows of prose.csv"),
        "no text": (no_text, "notext.csv has no column for the text of the recommendations"),
        "no review": (no_review, "noreview.csv does not say which review its rows belong to"),
        "header only": (header_only, "header.csv has a header on row 1 but no rows below it."),
        "old xls": (old, "old.xls cannot be read as an Excel workbook (it may be damaged"),
        "password": (protected, "protected.xlsx is password-protected; save a copy without a password"),
        "missing": (tmp_path / "nowhere.csv", f"There is no file {tmp_path / 'nowhere.csv'}."),
    }


@pytest.mark.parametrize("case", ["corrupt", "pdf", "empty", "blank", "no header", "no text", "no review",
                                  "header only", "old xls", "password", "missing"])  # fmt: skip
def test_bad_input_gets_one_sentence_and_writes_nothing(tracker, store, agencies, tmp_path, case) -> None:
    path, message = _bad_files(tmp_path)[case]
    before = counts(store)
    with pytest.raises(TransferError) as raised:
        importer.plan(tracker, path)
    text = str(raised.value)
    assert text.startswith(message)
    assert "\n" not in text and text.endswith(".")
    assert counts(store) == before


def test_an_unknown_sheet_names_the_sheets_there_are(tracker, tmp_path) -> None:
    path = write_xlsx(tmp_path / "log.xlsx", [["Review", "Recommendation"]], sheet="Recs")
    with pytest.raises(TransferError, match=r"There is no sheet 'Actions' in log.xlsx \(it has Recs\)."):
        importer.plan(tracker, path, ImportOptions(sheet="Actions"))


def test_the_sheet_with_the_log_is_found_among_others(tracker, store, agencies, tmp_path) -> None:
    path = tmp_path / "pack.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Panel papers, May"])
    log = book.create_sheet("Recommendations")
    log.append(["Review", "Ref", "Recommendation", "Lead agency"])
    log.append(["SCR Child A", "1", "Do it.", "SCC"])
    book.save(path)
    assert "sheet 'Recommendations'" in importer.plan(tracker, path).description


def test_a_column_named_with_map(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "No.", "What we will do", "Agency responsible for delivery", "Comments"],
        ["SCR Child A", "1", "Do it.", "SCC", "kept out"]])  # fmt: skip
    options = ImportOptions(mapping=(("What we will do", "text"), ("agency responsible for delivery", "lead agency"),
                                     ("Comments", "")))  # fmt: skip
    found = importer.plan(tracker, path, options)
    assert "'Comments' (E): left out (--map)" in found.columns
    import_write.apply(tracker, found)
    (item,) = details(tracker)
    assert (item.row.text, item.row.lead_agency, item.updates) == ("Do it.", "SCC", ())


def test_progress_is_reported_while_reading_and_writing(tracker, store, agencies, tmp_path) -> None:
    rows = [["Review", "Ref", "Recommendation"]] + [
        ["SCR Child A", str(n), f"Item {n}."] for n in range(1200)
    ]
    path = write_csv(tmp_path / "log.csv", rows)
    seen: list[tuple[str, int, int]] = []
    found = importer.plan(tracker, path, progress=lambda *a: seen.append(a))
    import_write.apply(tracker, found, progress=lambda *a: seen.append(a))
    stages = [s for s, _d, _t in seen]
    assert stages[0] == "reading" and "checking" in stages and stages[-1] == "writing"
    assert seen[-1][1] == seen[-1][2] == 1200


# --- export, and back again ---------------------------------------------------------------------
def _enrich(tracker: Tracker, small: dict[str, int]) -> None:
    """Give the small partnership owners, evidence and a revised timescale to carry over."""
    tracker.update_item(
        small["later"], {"owner": "Head of Quality", "evidence_impact": "Audit of 30 cases"}, "x"
    )
    tracker.revise_timescale([small["soon"]], "Q4 2026-27", "Slipped", due_on=date(2027, 2, 28))
    tracker.add_update(small["overdue"], "Newest note, two lines\nsecond line", written_on=date(2026, 11, 20))
    review = tracker.item(small["later"])
    assert review is not None
    child = NewItem(kind=ItemKind.ACTION, reference="10.1", text="An illustrative action under 10.",
                    review_id=review.review_id, parent_id=small["later"], illustrative=True, lead_agency="SH")  # fmt: skip
    tracker.create_item(child)


def _comparable(detail: ItemDetail) -> tuple[Any, ...]:
    row = detail.row
    latest = (detail.updates[0].text, detail.updates[0].written_on) if detail.updates else None
    return (row.source, row.kind, row.reference, row.text, row.rating, row.timescale, row.due_on,
            row.lead_agency, detail.lead_agency_name, detail.supporting_agencies, row.themes, detail.owner,
            detail.evidence_completion, detail.evidence_impact, detail.original_timescale, detail.original_due_on,
            latest, row.last_update_on, detail.created_on, row.alerts, detail.parent_reference,
            detail.illustrative, tuple(c.reference for c in detail.children))  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_into_an_empty_tracker_gives_the_same_log(
    tracker, small, other, tmp_path, suffix
) -> None:
    _enrich(tracker, small)
    path = tmp_path / f"log{suffix}"
    written = exporter.export(tracker, path)
    assert written.rows == 9
    report = run(other, path, create_agencies=True)
    assert report.count(RowAction.CREATE) == 9
    assert [_comparable(d) for d in details(other)] == [_comparable(d) for d in details(tracker)]
    again = run(other, path)
    assert {r.action for r in again.rows} == {RowAction.UNCHANGED}


def test_export_writes_exactly_what_the_filter_selects(tracker, small, tmp_path) -> None:
    path = tmp_path / "red-or-amber.csv"
    f = ItemFilter(ratings=frozenset({Rating.RED, Rating.AMBER}), state=ItemState.ALL)
    exporter.export(tracker, path, f)
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["Ref"] for r in rows) == sorted(row.reference for row in tracker.rows(tracker.ids(f)))
    assert {r["RAG"] for r in rows} == {"Red", "Amber"}
    with pytest.raises(exporter.ExportExists):  # never replaced unasked
        exporter.export(tracker, path, EVERYTHING)
    exporter.export(
        tracker, path, EVERYTHING, alerts={AlertKind.OVERDUE, AlertKind.NO_TIMESCALE}, replace=True
    )
    with path.open(encoding="utf-8-sig") as handle:
        refs = sorted(r["Ref"] for r in csv.DictReader(handle))
    overdue = {r.reference for r in tracker.rows(tracker.ids(ItemFilter(alert=AlertKind.OVERDUE)))}
    untimed = {r.reference for r in tracker.rows(tracker.ids(ItemFilter(alert=AlertKind.NO_TIMESCALE)))}
    assert refs == sorted(overdue | untimed) and overdue and untimed


FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2 weeks"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_formula_text_stays_text_and_comes_back_exactly(tracker, small, other, tmp_path, suffix) -> None:
    markup = "[b]bold[/b] <script>alert(1)</script>"
    tracker.update_item(small["overdue"], {"text": FORMULAS[0], "owner": FORMULAS[1]}, "x")
    tracker.update_item(small["soon"], {"text": markup, "evidence_completion": FORMULAS[3]}, "x")
    tracker.add_update(small["overdue"], FORMULAS[2], written_on=date(2026, 11, 21))
    path = tmp_path / f"log{suffix}"
    exporter.export(tracker, path)
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not [c for c in cells if c.data_type == "f"]
        texts = {c.value for c in cells if c.data_type == "s"}
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            texts = {value for row in csv.reader(handle) for value in row}
    assert {"'" + f for f in FORMULAS} <= texts
    assert markup in texts
    run(other, path, create_agencies=True)
    assert [_comparable(d) for d in details(other)] == [_comparable(d) for d in details(tracker)]


EXACT = [
    "'Tis agreed",  # an apostrophe of the text's own
    "'=not a formula, as typed",  # an apostrophe before formula-like text
    "''=SUM(A1)",  # two of them
    "''", "'", "a\ttab inside", "two\nlines", "-", "=", "+44 1483 000000", "@team", "\tindented",
    "  spaced out  ",  # stored without the spaces around it, and so exported and imported
]  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_texts_come_back_exactly_as_stored(tracker, small, other, tmp_path, suffix) -> None:
    """Export then import returns every text exactly: apostrophes, tabs, line breaks, and
    text a spreadsheet would take for a formula."""
    items = [v for k, v in small.items() if not k.startswith("review")]
    for item_id, text in zip(items, EXACT, strict=False):
        tracker.update_item(item_id, {"text": f"{text} {item_id}", "owner": text}, "x")
    stored = {(d.row.reference, d.row.source): (d.row.text, d.owner) for d in details(tracker)}
    path = tmp_path / f"log{suffix}"
    exporter.export(tracker, path)
    run(other, path, create_agencies=True)
    back = {(d.row.reference, d.row.source): (d.row.text, d.owner) for d in details(other)}
    assert back == stored


def test_export_refuses_other_formats_and_missing_folders(tracker, small, tmp_path) -> None:
    with pytest.raises(TransferError, match=r"as .csv or .xlsx; 'log.pdf' is neither."):
        exporter.export(tracker, tmp_path / "log.pdf")
    with pytest.raises(TransferError, match="There is no folder"):
        exporter.export(tracker, tmp_path / "nowhere" / "log.csv")


def test_an_export_is_private_and_replaces_the_old_file_only_when_asked(tracker, small, tmp_path) -> None:
    path = tmp_path / "log.xlsx"
    path.write_text("old")
    with pytest.raises(exporter.ExportExists, match="already exists; nothing was written"):
        exporter.export(tracker, path)
    assert path.read_text() == "old"
    exporter.export(tracker, path, replace=True)
    assert path.stat().st_mode & 0o077 == 0
    assert openpyxl.load_workbook(path).active["A1"].value == "Review"
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_xlsx_export_is_a_filterable_sheet_with_real_dates(tracker, small, tmp_path) -> None:
    _enrich(tracker, small)
    tracker.add_update(small["soon"], "Odd\x01 control and a\r\nWindows line end", written_on=AS_OF)
    path = tmp_path / "log.xlsx"
    exporter.export(tracker, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Log"]
    assert (
        sheet.freeze_panes == "A2"
        and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}10"
    )
    header = [cell for cell in sheet[1]]
    assert all(cell.font.b for cell in header)
    named = [dict(zip([c.value for c in header], row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    rows = {row["Recommendation"].value: row for row in named}
    soon = tracker.item(small["soon"])
    assert soon is not None
    target = rows[soon.row.text]["Target date"]
    assert (
        target.is_date and target.value.date() == date(2027, 2, 28) and target.number_format == "dd/mm/yyyy"
    )
    assert rows[soon.row.text]["Latest update"].value == "Odd control and a\nWindows line end"
    assert tracker.settings.protective_marking in sheet.oddHeader.center.text


def test_a_text_longer_than_a_cell_is_refused_in_xlsx_and_comes_back_whole_through_csv(
    tracker, small, other, tmp_path
) -> None:
    long = "word " * 40_000  # 200,000 characters: past an Excel cell, and past csv's own limit
    tracker.update_item(small["soon"], {"text": long.strip()}, "Pasted the whole report")
    reference = tracker.rows([small["soon"]])[0].reference
    with pytest.raises(TransferError, match=f"The recommendation of .*{reference} is 199,999 characters"):
        exporter.export(tracker, tmp_path / "log.xlsx")
    assert not (tmp_path / "log.xlsx").exists()
    exporter.export(tracker, tmp_path / "log.csv")
    assert long.strip() in (tmp_path / "log.csv").read_text(encoding="utf-8-sig")
    found = importer.plan(other, tmp_path / "log.csv", importer.ImportOptions(create_agencies=True))
    import_write.apply(other, found)
    (back,) = [r for r in other.rows(other.ids(ItemFilter(state=ItemState.ALL))) if len(r.text) > 100_000]
    assert back.text == long.strip()


def test_priority_actions_are_exported_with_their_plan_and_matched_back(
    tracker, small, other, tmp_path
) -> None:
    from sscp_tui.db.models import Priority, StrategicPlan

    with tracker.store.write() as session:
        plan = StrategicPlan(title="Business plan 2021-24", period="2021-24")
        session.add(plan)
        session.flush()
        priority = Priority(plan_id=plan.id, number="2", position=2, title="Neglect", objective="")
        session.add(priority)
        session.flush()
        ctx = EditContext(author="Setup")
        item = create_item(session, ctx, NewItem(kind=ItemKind.ACTION, reference="2.1", text="Neglect toolkit.",
                                                 priority_id=priority.id, lead_agency="SCC"))  # fmt: skip
        add_update(session, ctx, item.id, "Toolkit launched", written_on=date(2026, 9, 1))
    path = tmp_path / "log.csv"
    exporter.export(tracker, path)
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    (action,) = [r for r in rows if r["Ref"] == "2.1"]
    assert (action["Plan"], action["Priority"], action["Review"], action["Kind"]) == (
        "Business plan 2021-24", "2", "", "Action")  # fmt: skip
    report = run(tracker, path)
    assert {r.action for r in report.rows} == {RowAction.UNCHANGED}
    into_empty = run(other, path, create_agencies=True)
    assert into_empty.new_priorities == ("Business plan 2021-24 › Priority 2 Neglect",)
    assert [_comparable(d) for d in details(other)] == [_comparable(d) for d in details(tracker)]
    (plan,) = other.plans()
    assert (plan.title, [(p.number, p.title) for p in plan.priorities]) == (
        "Business plan 2021-24",
        [("2", "Neglect")],
    )


# --- headings, and keeping the UI out -----------------------------------------------------------
@pytest.mark.parametrize(
    ("heading", "field"),
    [("Review", "review"), ("Name of review", "review"), ("Year", "year"), ("Rec no", "reference"),
     ("Ref", "reference"), ("Recommendation", "text"), ("Theme", "themes"), ("Area for improvement", "themes"),
     ("Lead agency", "lead_agency"), ("Key agency", "lead_agency"), ("Timescale", "timescale"),
     ("Target date", "due_on"), ("RAG", "rating"), ("Status", "rating"), ("Progress", "update"),
     ("Update", "update"), ("Owner", "owner"), ("Evidence", "evidence_completion"),
     ("REC. NO.", "reference"), ("Key / lead agency", "lead_agency"), ("RAG rating (B/G/A/R)", "rating"),
     ("Timescale for implementation", "timescale"), ("Progress to 17 July 2013", "update")],
)  # fmt: skip
def test_the_headings_real_logs_use_are_recognised(heading: str, field: str) -> None:
    from sscp_tui.services.imports.headings import match_heading

    found = match_heading(heading)
    assert found is not None and found.field == field


def test_a_dated_progress_heading_dates_the_updates(tracker, store, agencies, tmp_path) -> None:
    path = write_csv(tmp_path / "plan.csv", [
        ["Ref", "Action", "Lead", "Progress to 17 July 2013", "RAG"],
        ["1.1.a", "Publish the threshold document.", "SCC", "Published in May.", "green/complete"]])  # fmt: skip
    report = run(
        tracker, path, review="Business plan review 2012-13", review_kind=ReviewKind.MULTI_AGENCY_AUDIT
    )
    (item,) = details(tracker)
    assert item.row.kind is ItemKind.ACTION and item.row.rating is Rating.GREEN
    assert (item.updates[0].text, item.updates[0].written_on) == ("Published in May.", date(2013, 7, 17))
    assert report.new_reviews == ("Multi-agency audit Business plan review 2012-13",)


def test_every_exported_heading_is_one_the_importer_reads() -> None:
    from sscp_tui.services.imports.headings import match_heading

    read = [heading for heading, _width in exporter.COLUMNS if heading not in exporter.DERIVED]
    fields = [match_heading(heading) for heading in read]
    assert None not in fields
    assert len({f.field for f in fields if f}) == len(read)
    # A column worked out for the reader ("Days overdue") is ignored, never read as another.
    assert all(match_heading(heading) is None for heading in exporter.DERIVED)


@pytest.mark.parametrize(
    "module", ["sscp_tui.services.imports.write", "sscp_tui.services.exporter", "sscp_tui.cli_transfer"]
)
def test_import_and_export_do_not_load_textual(module: str) -> None:
    import subprocess
    import sys

    code = f"import importlib, sys; importlib.import_module({module!r}); print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_imported_items_are_searchable_and_their_evidence_counts(tracker, store, agencies, tmp_path) -> None:
    """New items are written in bulk; they must still be found by free text, and a Blue item
    with evidence must not be flagged as Blue without evidence."""
    path = write_csv(tmp_path / "log.csv", [
        ["Review", "Rec no", "Recommendation", "Lead agency", "Timescale", "RAG", "Evidence"],
        ["SCR Child A", "1", "Practitioners should use the xylophone chronology tool.", "SCC", "tbc", "Blue",
         "Audit of 20 cases"],
        ["SCR Child A", "2", "Agencies should record the child's words verbatim.", "SCC", "tbc", "Blue", ""],
    ])  # fmt: skip
    run(tracker, path)
    found = tracker.page(ItemFilter(text="XYLOPHONE", state=ItemState.ALL)).rows
    assert [row.reference for row in found] == ["1"]
    assert tracker.page(ItemFilter(text="child a", state=ItemState.ALL)).total == 2  # the review's title
    flagged = tracker.page(ItemFilter(alert=AlertKind.INCONSISTENT, state=ItemState.ALL)).rows
    assert [row.reference for row in flagged] == ["2"]
    # The bulk write set the full-text index's trigger aside; a later edit is indexed again.
    tracker.update_item(found[0].id, {"text": "Use the marimba chronology tool."}, "reworded")
    assert [r.reference for r in tracker.page(ItemFilter(text="marimba", state=ItemState.ALL)).rows] == ["1"]
    assert not tracker.page(ItemFilter(text="xylophone", state=ItemState.ALL)).rows


def test_the_export_guard_reads_cells_as_printed() -> None:
    """The export's word guard is the pack's: a soft hyphen, a zero-width space or a line
    break inside a listed name does not hide it."""
    from sscp_tui.services.exporter import flagged_cells

    headings = ["Review", "Ref", "Recommendation"]
    rows = [["SCR Child A (2019)", "1", "Met Mrs Smi\u00adthson"], ["SCR Child A (2019)", "2", "Jane\nSmith"],
            ["SCR Child A (2019)", "3", "Smith\u200bson"], ["SCR Child A (2019)", "4", "Smiths on"]]  # fmt: skip
    found = flagged_cells(headings, rows, ["Smithson", "Jane Smith"])
    assert found == [
        "'Smithson' in SCR Child A (2019) 1 (Recommendation)",
        "'Jane Smith' in SCR Child A (2019) 2 (Recommendation)",
        "'Smithson' in SCR Child A (2019) 3 (Recommendation)",
    ]
