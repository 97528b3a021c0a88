"""Meeting packs: what they say, that a past meeting's pack ignores later edits, every format read back."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from sqlalchemy import select

from sscp_tui.config import Settings
from sscp_tui.db.models import Rating, TrackedItem
from sscp_tui.db.store import Store
from sscp_tui.errors import EditError
from sscp_tui.services.edits import EditContext, change_field
from sscp_tui.services.packs import (
    GroupBy,
    Pack,
    PackFlagged,
    PackFormat,
    PackSpec,
    build_pack,
    generate,
    guard,
    suggested_file_name,
    write_pack,
)
from sscp_tui.services.packs.model import (
    ILLUSTRATIVE_LABEL,
    ILLUSTRATIVE_NOTE,
    RATING_COLOURS,
    ExceptionKind,
    PackItem,
)
from sscp_tui.services.packs.xlsx_writer import Sheet, Styled, Value, save
from sscp_tui.services.records import ItemFilter, ItemState, rating_label
from sscp_tui.services.spreadsheet_safety import neutralise
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF
from tests.pack_log import (
    EXCEPTIONS_AT_MEETING,
    FORMULA,
    GROUP,
    LATE_TEXT,
    LATE_UPDATE,
    MARKUP,
    MEETING,
    PREVIOUS,
    build_log,
    edit_after_meeting,
)

GENERATED = datetime(2026, 11, 25, 12, 0)


@pytest.fixture
def log(store: Store) -> dict[str, int]:
    return build_log(store)


@pytest.fixture
def panel(tracker: Tracker, log: dict[str, int]) -> Tracker:
    """The log with both panel meetings recorded."""
    tracker.record_meeting(GROUP, PREVIOUS)
    tracker.record_meeting(GROUP, MEETING)
    return tracker


def spec(day: date = MEETING, **changes: object) -> PackSpec:
    return replace(PackSpec(GROUP, day, generated_at=GENERATED), **changes)


def by_key(pack: Pack, ids: dict[str, int]) -> dict[str, PackItem]:
    names = {v: k for k, v in ids.items() if not k.startswith("review")}
    return {names[item.id]: item for item in pack.items}


def test_the_summary_counts_are_the_service_layers(panel: Tracker, log: dict[str, int]) -> None:
    pack = build_pack(panel, spec(AS_OF))
    counts = panel.rating_counts(ItemFilter(state=ItemState.ALL))
    assert {c.rating: c.now for c in pack.summary.counts if c.now} == counts
    assert pack.summary.total_now == sum(counts.values()) == pack.cover.item_count
    scc = panel.find_agency("SCC").id
    scoped = build_pack(panel, spec(AS_OF, agency_ids=(scc,)))
    led = panel.rating_counts(ItemFilter(agency_id=scc, lead_only=True, state=ItemState.ALL))
    assert {c.rating: c.now for c in scoped.summary.counts if c.now} == led
    assert {i.lead_agency for i in scoped.items} == {"SCC"}


def test_a_pack_for_today_shows_each_item_as_the_log_does(demo: Tracker) -> None:
    demo.record_meeting(GROUP, AS_OF)
    pack = build_pack(demo, spec(AS_OF))
    rows = {row.id: row for row in demo.rows(demo.ids(ItemFilter(state=ItemState.ALL)))}
    assert {item.id for item in pack.items} == set(rows)
    assert all(item.illustrative for item in pack.items) and ILLUSTRATIVE_NOTE in pack.cover.notes
    for item in pack.items:
        row = rows[item.id]
        shown = (item.rating, item.due_on, item.timescale, item.lead_agency, item.text, item.alerts)
        assert shown == (row.rating, row.due_on, row.timescale, row.lead_agency, row.text, row.alerts)
        assert item.last_update_on == row.last_update_on
    assert {c.rating: c.now for c in pack.summary.counts if c.now} == demo.rating_counts(
        ItemFilter(state=ItemState.ALL)
    )
    # Edits dated the next day send the pack through the history, which must give the same log.
    tomorrow = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time()).replace(hour=9)
    with demo.store.write() as session:
        ctx = EditContext(author="Chair", note="The next day", source="test", now=tomorrow)
        for item in session.scalars(select(TrackedItem).where(TrackedItem.id % 7 == 0)):
            change_field(session, ctx, item, "rating", "red" if item.rating is not Rating.RED else "amber")
            change_field(session, ctx, item, "text", "Reworded the next day.")
    assert build_pack(demo, spec(AS_OF)) == pack


def test_an_item_dated_after_the_day_it_was_entered_is_in_the_log_as_entered(demo: Tracker) -> None:
    """An import can date an item ("Date added") later than the day it was entered; the pack
    goes by the record of its entry, as before the history read was narrowed."""
    from sscp_tui.db.models import ItemKind
    from sscp_tui.services.edits import NewItem, create_item

    review = demo.reviews(with_counts=False)[0].id
    entered = datetime.combine(AS_OF - timedelta(days=3), time(9))
    with demo.store.write() as session:
        ctx = EditContext(author="Import", note="", source="import", now=entered)
        dated_later = NewItem(
            ItemKind.ACTION, "X1", "Dated ahead", review_id=review, created_on=AS_OF + timedelta(days=17)
        )
        item_id = create_item(session, ctx, dated_later).id
    pack = build_pack(demo, spec(AS_OF))
    assert item_id in {item.id for item in pack.items}
    assert item_id in demo.ids(ItemFilter(state=ItemState.ALL))


def test_a_rating_change_between_meetings_is_a_movement(panel: Tracker, log: dict[str, int]) -> None:
    pack = build_pack(panel, spec())
    summary = pack.summary
    assert summary.previous_meeting == PREVIOUS
    moves = {(m.before, m.after): m.count for m in summary.movements}
    assert moves == {(Rating.AMBER, Rating.RED): 1, (Rating.GREEN, Rating.BLUE): 1}
    items = by_key(pack, log)
    assert items["worsened"].movement == "Worse: was Amber"
    assert items["completed"].movement == "Better: was Green"
    assert items["tbc"].movement == "No change"
    before = build_pack(panel, spec(PREVIOUS))
    assert [c.previous for c in summary.counts] == [c.now for c in before.summary.counts]


def test_a_past_meetings_pack_ignores_later_edits(panel: Tracker, store: Store, log: dict[str, int]) -> None:
    on_the_day = build_pack(panel, spec())
    edit_after_meeting(store, log)
    regenerated = build_pack(panel, spec())
    assert regenerated == on_the_day
    items = by_key(regenerated, log)
    assert items["tbc"].rating is Rating.GREEN
    assert items["worsened"].text != LATE_TEXT
    latest = items["worsened"].latest_update
    assert latest is not None and latest.text != LATE_UPDATE
    assert "deleted_later" in items and "created_later" not in items
    today = by_key(build_pack(panel, spec(AS_OF)), log)
    assert today["tbc"].rating is Rating.RED and today["worsened"].text == LATE_TEXT
    assert "deleted_later" not in today and "created_later" in today


def test_exceptions_are_exactly_the_right_items(panel: Tracker, log: dict[str, int]) -> None:
    pack = build_pack(panel, spec())
    names = {v: k for k, v in log.items()}
    found = {e.kind.value: {names[entry.item.id] for entry in e.entries} for e in pack.exceptions}
    assert found == EXCEPTIONS_AT_MEETING
    details = {e.kind: [entry.detail for entry in e.entries] for e in pack.exceptions}
    assert details[ExceptionKind.WORSENED] == ["Amber → Red"]
    assert details[ExceptionKind.REVISED] == [
        "From '31/12/2026' (due 31 Dec 2026) to 'March 2027' (due 31 Mar 2027)"
    ]
    lists = {e.kind: e for e in pack.exceptions}
    overdue = [entry.item.days_overdue for entry in lists[ExceptionKind.OVERDUE].entries]
    assert overdue == sorted(overdue, key=lambda d: -(d or 0)) and all(overdue)
    # Put forward for closure: the evidence the board is asked to accept, both kinds.
    (closure,) = details[ExceptionKind.CLOSURE]
    assert closure.startswith("Green → Blue. Evidence of completion: Strategy published; audit report.")
    assert "Evidence of impact: " in closure


def test_without_an_earlier_meeting_there_are_no_movements(tracker: Tracker, log: dict[str, int]) -> None:
    pack = build_pack(tracker, spec())
    assert pack.summary.previous_meeting is None and pack.summary.movements == ()
    assert "No earlier meeting" in pack.summary.comparison
    assert all(c.previous is None for c in pack.summary.counts)
    assert all(item.movement == "" for item in pack.items)
    assert not pack.cover.meeting_recorded
    assert any("is recorded" in note and "all the same" in note for note in pack.cover.notes)


def test_open_only_leaves_out_what_was_already_complete(panel: Tracker, log: dict[str, int]) -> None:
    items = by_key(build_pack(panel, spec(open_only=True)), log)
    assert "blue_no_evidence" not in items and "completed" in items  # Blue before; Blue since
    assert build_pack(panel, spec(open_only=True)).summary.total_now == len(
        by_key(build_pack(panel, spec()), log)
    )


def test_the_log_grouped_by_agency(panel: Tracker, log: dict[str, int]) -> None:
    pack = build_pack(panel, spec(by=GroupBy.AGENCY))
    assert [s.title for s in pack.sections] == [
        "Surrey County Council (SCC)",
        "Surrey Heartlands (SH)",
        "Surrey Police (SP)",
    ]
    assert [a.short_name for a in pack.appendix] == ["SCC", "SH", "SP"]
    assert sum(len(a.items) for a in pack.appendix) == len(pack.items)


def test_progress_is_reported_in_order(panel: Tracker, log: dict[str, int], tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    pack = generate(
        panel, spec(), PackFormat.DOCX, tmp_path / "p.docx", progress=lambda s, d: seen.append((s, d))
    )
    fractions = [done for _stage, done in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(stage and stage[0].isupper() for stage, _done in seen)
    assert suggested_file_name(pack, PackFormat.DOCX) == f"case-review-panel-{MEETING.isoformat()}-pack.docx"


# --- the pseudonym guard --------------------------------------------------------------------
def test_listed_words_are_found_with_where_and_block_writing(
    store: Store, log: dict[str, int], tmp_path: Path
) -> None:
    words = ("strengthen", "CHILD A", "Smithson")
    tracker = Tracker(store, Settings(author="Chair", forbidden_words=words), AS_OF)
    pack = build_pack(tracker, spec())
    where = {(f.word.lower(), f.where) for f in pack.findings}
    assert ("strengthen", "SCR Child A (2019) recommendation 1: its text") in where
    assert ("child a", "the name of 'SCR Child A (2019)'") in where
    assert not any(word == "smithson" for word, _ in where)
    folder = tmp_path / "papers"
    folder.mkdir()
    target = folder / "pack.html"
    with pytest.raises(PackFlagged) as refused:
        write_pack(pack, PackFormat.HTML, target)
    assert "SCR Child A (2019) recommendation 1: its text" in str(refused.value)
    assert list(folder.iterdir()) == []
    write_pack(pack, PackFormat.HTML, target, allow_flagged=True)
    assert "written only because that was explicitly allowed" in target.read_text()


@pytest.mark.parametrize(
    ("stored", "listed"),
    [
        ("Met Mrs Smi\u00adthson at school", "Smithson"),  # a soft hyphen
        ("Met Mrs Smith\u200bson at school", "Smithson"),  # a zero-width space
        ("Met Mrs\u00a0Jane  Smithson at school", "Jane Smithson"),  # non-breaking and doubled
        ("Met Mrs Jane\nSmithson at school", "Jane Smithson"),  # a line break
        ("Met Mrs JANE\t\u202fSMITHSON at school", "jane smithson"),  # case, tab, narrow space
        ("Met Mrs Jane Smithson at school", "Jane\u00a0Smithson"),  # the list typed oddly
    ],
)
def test_the_guard_reads_text_as_printed(store: Store, panel: Tracker, stored: str, listed: str) -> None:
    """Characters that print as nothing, and any run of spaces or line breaks, do not hide a
    listed word: a name typed "Smi­thson" prints, and is found, as "Smithson"."""
    with store.write() as session:
        ctx = EditContext(author="Chair", note="", source="test", now=datetime.combine(AS_OF, time(9)))
        item = session.get(TrackedItem, panel.ids(ItemFilter())[0])
        change_field(session, ctx, item, "text", stored)
    flagged = Tracker(store, Settings(author="Chair", forbidden_words=(listed,)), AS_OF)
    pack = build_pack(flagged, spec(AS_OF))
    assert [f.where for f in pack.findings if f.where.endswith("its text")], pack.findings


def test_the_cover_is_checked_and_names_no_folder(store: Store, tmp_path: Path) -> None:
    """The cover's every line is checked (its title too), and it names the tracker by its
    file's name alone: a local path would say whose machine and folder the paper came from."""
    from sqlalchemy import make_url

    pack = build_pack(Tracker(store, Settings(author="Chair"), AS_OF), spec())
    if store.engine.dialect.name == "sqlite":
        where, name = str(Path(store.location).parent), Path(store.location).name
    else:  # a server: no host, port or user on paper
        url = make_url(store.url)
        where, name = f"{url.host}:{url.port}", f"{url.database} (PostgreSQL)"
    assert pack.cover.database == name
    markdown = tmp_path / "pack.md"
    write_pack(pack, PackFormat.MARKDOWN, markdown)
    text = re.sub(r"\\(.)", r"\1", markdown.read_text())  # Markdown's escapes undone
    assert where not in text, [line for line in text.splitlines() if where in line]
    assert name in text
    words = (pack.cover.title.split()[0], name.split()[0].split(".")[0])
    flagged = build_pack(Tracker(store, Settings(author="Chair", forbidden_words=words), AS_OF), spec())
    places = {f.where for f in flagged.findings}
    assert {"the cover (title)", "the cover (tracker)"} <= places


def test_whole_words_only(store: Store, log: dict[str, int]) -> None:
    tracker = Tracker(store, Settings(author="Chair", forbidden_words=("strength", "polic")), AS_OF)
    pack = build_pack(tracker, spec())
    assert pack.findings == ()
    assert "none of the 2 listed words appears" in pack.check_note


def test_the_quick_test_misses_nothing_the_full_check_would_find(panel: Tracker, store: Store) -> None:
    with store.write() as session:  # text outside ASCII, changed on the day
        ctx = EditContext(author="Chair", note="", source="test", now=datetime.combine(AS_OF, time(9)))
        item = session.get(TrackedItem, panel.ids(ItemFilter())[0])
        change_field(session, ctx, item, "text", "Met Zoë’s school — İstanbul office")
    pack = build_pack(panel, spec(AS_OF))
    plain, others = guard._all_text(pack)
    pieces = [text for _where, text in guard._texts(pack) if text]
    assert others and all(text.lower() in plain or text in others for text in pieces)
    for listed, seen in (
        ("ZOË", {"Zoë"}),
        ("istanbul", {"İstanbul"}),
        ("Zoe", set()),
        ("school", {"school"}),
    ):
        flagged = Tracker(store, Settings(author="Chair", forbidden_words=(listed,)), AS_OF)
        assert {f.word for f in build_pack(flagged, spec(AS_OF)).findings} == seen, listed


# --- every format, read back ------------------------------------------------------------------
@pytest.fixture
def pack(panel: Tracker, log: dict[str, int]) -> Pack:
    return build_pack(panel, spec())


def written(pack: Pack, fmt: PackFormat, tmp_path: Path) -> Path:
    folder = tmp_path / fmt.value
    folder.mkdir()
    path = folder / f"pack{fmt.suffix}"
    write_pack(pack, fmt, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left behind
    return path


def test_docx_navigates_numbers_pages_and_shades_ratings(pack: Pack, tmp_path: Path) -> None:
    doc = Document(str(written(pack, PackFormat.DOCX, tmp_path)))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Summary") in headings and ("Heading 1", "Exceptions") in headings
    assert ("Heading 2", "SCR Child A (2019) (5 items)") in headings
    footer = doc.sections[0].footer._element.xml
    assert 'w:instr=" PAGE "' in footer and "NUMPAGES" in footer
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert any(s.orientation == WD_ORIENT.LANDSCAPE and s.page_width > s.page_height for s in doc.sections)
    assert pack.cover.protective_marking in doc.sections[0].header.paragraphs[0].text
    shaded = {}
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                shd = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
                if shd is not None and cell.text in {rating_label(r) for r in RATING_COLOURS}:
                    shaded[cell.text] = shd.get(qn("w:fill"))
    assert shaded == {rating_label(r): fill for r, (fill, _ink) in RATING_COLOURS.items()}
    texts = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    assert MARKUP in texts
    assert any(text.endswith(FORMULA) for text in texts)


def test_xlsx_has_a_summary_and_a_filterable_log(pack: Pack, tmp_path: Path) -> None:
    book = load_workbook(written(pack, PackFormat.XLSX, tmp_path))
    assert book.sheetnames == ["Summary", "Log"]
    log = book["Log"]
    assert log.freeze_panes == "A2"
    assert log.auto_filter.ref == f"A1:{log.cell(1, log.max_column).column_letter}{len(pack.items) + 1}"
    header = [c.value for c in log[1]]
    rows = [dict(zip(header, (c for c in row), strict=True)) for row in log.iter_rows(min_row=2)]
    assert [r["Ref"].value for r in rows] == [i.reference for i in pack.items]
    for row, item in zip(rows, pack.items, strict=True):
        cell = row["Rating"]
        assert cell.value == item.rating_label
        assert cell.fill.fgColor.rgb == "FF" + RATING_COLOURS[item.rating][0]
        assert (row["Due"].value.date() if row["Due"].value else None) == item.due_on
    markup = next(r for r in rows if r["Recommendation or action"].value == MARKUP)
    update = markup["Latest progress update"]
    assert update.data_type == "s" and update.value == neutralise(FORMULA)
    summary = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(summary) if row[0] == "Rating") + 1
    counts = summary[start : start + len(pack.summary.counts)]
    assert {row[0]: row[1] for row in counts} == {c.label: c.now for c in pack.summary.counts}
    assert all(isinstance(row[3], int) for row in counts)


def _workbook(path: Path, fill: Callable[[Sheet], None]) -> Path:
    sheet = Sheet("Log", freeze_header=True, autofilter=True)
    fill(sheet)
    with path.open("wb") as handle:
        save(handle, [sheet], "A test")
    return path


_CELLS: list[Value] = [
    " led by a space",
    "ends in a line break\n",
    "two\nlines",
    "a & b <c> = d",
    "=1+1",
    "x\x01y\r\nz",
    date(2026, 11, 29),
    Styled("Red", "rating-red"),
    Styled(None, "header"),
    42,
    None,
    "",
]


def test_the_workbook_writer_keeps_every_text_exactly(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "cells.xlsx", lambda sheet: [sheet.append(_CELLS) for _ in range(2)])
    rows = list(load_workbook(path)["Log"].iter_rows(values_only=True))
    expected = [" led by a space", "ends in a line break\n", "two\nlines", "a & b <c> = d", "=1+1", "xy\nz",
                datetime(2026, 11, 29), "Red", None, 42]  # fmt: skip
    assert rows == [tuple(expected)] * 2  # the empty cells at the end are not written
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    # Only texts that start or end with a space or a line break are marked to keep them.
    assert xml.count('xml:space="preserve"') == 4 and "<f>" not in xml
    assert '<c r="B2" t="inlineStr"><is><t xml:space="preserve">ends in a line break' in xml


def test_rows_streamed_as_the_file_is_written_are_the_rows_appended(tmp_path: Path) -> None:
    rows = [
        [f"row {n}", n, date(2026, 1, 1) + timedelta(days=n), Styled("Amber", "rating-amber")]
        for n in range(50)
    ]
    appended = _workbook(tmp_path / "appended.xlsx", lambda sheet: [sheet.append(row) for row in rows])

    def stream(sheet: Sheet) -> None:
        sheet.append(rows[0])
        sheet.stream(iter(rows[1:]), len(rows) - 1, 4)

    streamed = _workbook(tmp_path / "streamed.xlsx", stream)
    with zipfile.ZipFile(appended) as one, zipfile.ZipFile(streamed) as other:
        assert one.read("xl/worksheets/sheet1.xml") == other.read("xl/worksheets/sheet1.xml")
        assert '<dimension ref="A1:D50"/>' in one.read("xl/worksheets/sheet1.xml").decode()

    def miscounted(sheet: Sheet) -> None:
        sheet.stream(iter(rows), len(rows) + 1, 4)

    with pytest.raises(ValueError, match="50 rows were written, not the 51 declared"):
        _workbook(tmp_path / "miscounted.xlsx", miscounted)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def test_html_is_self_contained_prints_well_and_keeps_text_literal(pack: Pack, tmp_path: Path) -> None:
    page = _Page()
    page.feed(written(pack, PackFormat.HTML, tmp_path).read_text(encoding="utf-8"))
    names = [tag for tag, _attrs in page.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    for _tag, attrs in page.tags:
        for attribute in ("src", "href"):
            assert not (attrs.get(attribute) or "").startswith(("http:", "https:", "//"))
    assert "@media print" in page.style and "@import" not in page.style and "url(" not in page.style
    text = "".join(page.text)
    assert MARKUP in text and FORMULA in text
    cells = [(attrs.get("class") or "") for tag, attrs in page.tags if tag == "td"]
    assert "rating rating-red" in cells and "rating rating-amber" in cells
    for fill, _ink in RATING_COLOURS.values():
        assert f"#{fill}" in page.style
    assert pack.cover.protective_marking in text


def test_markdown_renders_recorded_text_literally(pack: Pack, tmp_path: Path) -> None:
    source = written(pack, PackFormat.MARKDOWN, tmp_path).read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").enable("table").render(source)
    assert "<script>" not in html and "<strong>x</strong>" not in html
    assert "[bold]x[/] &lt;script&gt;alert(1)&lt;/script&gt; **x** | a_b" in html
    assert "<table>" in html and "<h2>The log, by review</h2>" in html
    row = next(line for line in source.splitlines() if "alert(1)" in line and line.startswith("| 4 "))
    assert row.count(" | ") == 7  # the | inside the text does not split the row


def test_formula_like_text_is_not_a_formula_anywhere(pack: Pack, tmp_path: Path) -> None:
    book = load_workbook(written(pack, PackFormat.XLSX, tmp_path))
    with zipfile.ZipFile(tmp_path / "xlsx" / "pack.xlsx") as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in sheet for sheet in sheets)
    values = [c.value for row in book["Log"].iter_rows() for c in row if isinstance(c.value, str)]
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in values)


def test_each_format_says_the_same_things(pack: Pack, tmp_path: Path) -> None:
    md = written(pack, PackFormat.MARKDOWN, tmp_path)
    html = written(pack, PackFormat.HTML, tmp_path)
    plain_md = re.sub(r"\\(.)", r"\1", md.read_text(encoding="utf-8"))
    plain_html = html.read_text(encoding="utf-8")
    for heading in ("Summary", "Exceptions", "The log, by review", "Appendix: by lead agency"):
        assert heading in plain_md and heading in plain_html
    for exceptions in pack.exceptions:
        assert f"{exceptions.title} ({len(exceptions.entries)})" in plain_md
    assert pack.cover.database in plain_md and pack.cover.database in plain_html


def test_an_illustrative_item_is_marked_in_every_format(
    panel: Tracker, store: Store, log: dict[str, int], tmp_path: Path
) -> None:
    plain = build_pack(panel, spec())
    assert ILLUSTRATIVE_NOTE not in plain.cover.notes and not any(i.illustrative for i in plain.items)
    with store.write() as session:
        session.get(TrackedItem, log["worsened"]).illustrative = True
    pack = build_pack(panel, spec())
    assert [i.id for i in pack.items if i.illustrative] == [log["worsened"]]
    assert ILLUSTRATIVE_NOTE in pack.cover.notes
    reference = next(i.reference for i in pack.items if i.illustrative)
    marked = f"{reference} {ILLUSTRATIVE_LABEL}"
    md = re.sub(r"\\(.)", r"\1", written(pack, PackFormat.MARKDOWN, tmp_path).read_text(encoding="utf-8"))
    html = unescape(written(pack, PackFormat.HTML, tmp_path).read_text(encoding="utf-8"))
    doc = Document(str(written(pack, PackFormat.DOCX, tmp_path)))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    paragraphs = [p.text for p in doc.paragraphs]
    # in the log, the exceptions (it worsened) and the appendix; and the cover says what the mark means
    assert md.count(f"| {marked} |") >= 2 and md.count(marked) >= 3 and html.count(marked) >= 3
    assert sum(marked in cell for cell in cells) >= 3
    assert ILLUSTRATIVE_NOTE in md and ILLUSTRATIVE_NOTE in html and ILLUSTRATIVE_NOTE in paragraphs
    assert (
        md.count(ILLUSTRATIVE_LABEL) == html.count(ILLUSTRATIVE_LABEL) == sum(marked in c for c in cells) + 1
    )
    book = load_workbook(written(pack, PackFormat.XLSX, tmp_path))
    header = [c.value for c in book["Log"][1]]
    rows = [dict(zip(header, row, strict=True)) for row in book["Log"].iter_rows(min_row=2, values_only=True)]
    assert {r["Ref"] for r in rows if r["Illustrative"] == "Yes"} == {reference}
    assert all(r["Illustrative"] in ("Yes", None) for r in rows)
    assert ILLUSTRATIVE_NOTE in [v for row in book["Summary"].iter_rows(values_only=True) for v in row]


def test_packs_never_load_textual_and_load_renderers_only_when_asked() -> None:
    modules = ["sscp_tui.services.packs"] + [f"sscp_tui.services.packs.to_{f}" for f in ("docx", "html",
               "markdown", "xlsx")]  # fmt: skip
    code = (
        "import sys, importlib; importlib.import_module('sscp_tui.services.packs'); "
        "first = sorted(m for m in ('docx', 'openpyxl') if m in sys.modules); "
        f"[importlib.import_module(m) for m in {modules!r}]; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'); print(first, bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] []"


@pytest.mark.parametrize("sep", ["", "\n"])
def test_text_written_in_parts_is_the_text_joined(monkeypatch: pytest.MonkeyPatch, sep: str) -> None:
    from sscp_tui.services.packs import output

    monkeypatch.setattr(output, "_BATCH_CHARS", 5)
    for pieces in ([], [""], ["abcde"], ["ab", "cde", "", "fghij", "k"], ["abcdef", "g"], ["é" * 7, "ü"]):
        parts = list(output.batches(pieces, sep))
        assert "".join(parts) == sep.join(pieces), pieces
        assert len(parts) <= max(1, len(pieces))


def test_the_pack_lists_revised_often_awaiting_impact_and_closed_with_open_actions(demo: Tracker) -> None:
    """The three closure exceptions, on the demo: a timescale revised twice, an item delivered
    and waiting for evidence of impact, a recommendation closed while its action was open."""

    demo = Tracker(demo.store, demo.settings, date.today())  # the edits below are made today
    rows = demo.page(ItemFilter(state=ItemState.OPEN), limit=500).rows
    parent = next(
        r for r in rows
        if (d := demo.item(r.id)) is not None and any(c.rating is not Rating.BLUE for c in d.children)
    )  # fmt: skip
    revised, delivered = [r.id for r in rows if r.id != parent.id][:2]
    demo.revise_timescale([revised], "March 2027", "Slipped")
    demo.revise_timescale([revised], "June 2027", "Slipped again")
    demo.mark_delivered(delivered, "New guidance issued to every team", "Delivered at panel")
    with pytest.raises(EditError, match="still has open action"):
        demo.mark_complete(parent.id, "Done", "Re-audit held", "Closed at panel")
    demo.mark_complete(parent.id, "Done", "Re-audit held", "Closed at panel", with_open_actions=True)

    pack = build_pack(demo, PackSpec("Case Review Panel", demo.as_of, generated_at=GENERATED))
    lists = {e.kind: {entry.item.id: entry.detail for entry in e.entries} for e in pack.exceptions}
    assert "Revised 2 times" in lists[ExceptionKind.REVISED_OFTEN][revised]
    assert "Delivered 0 days ago" in lists[ExceptionKind.AWAITING_IMPACT][delivered]
    assert "still open" in lists[ExceptionKind.CLOSED_OPEN][parent.id]
    assert demo.rows([revised])[0].revisions == 2
    assert demo.rows([delivered])[0].awaiting_days == 0
    # The log can be narrowed to them, and sorted by them.
    assert {r.id for r in demo.page(ItemFilter(revised_at_least=2), limit=50).rows} == {revised}
    assert delivered in {r.id for r in demo.page(ItemFilter(awaiting_impact=True), limit=500).rows}


# --- what a board expects -----------------------------------------------------------------
def test_the_cover_seeks_decisions_and_lists_the_contents(panel: Tracker, tmp_path: Path) -> None:
    md = written(build_pack(panel, spec()), PackFormat.MARKDOWN, tmp_path).read_text(encoding="utf-8")
    cover = md.split("## Summary")[0]
    assert "### Decisions sought" in cover and "### Contents" in cover
    assert "| Accept the evidence of completion and of impact, and close each item | 1 |" in cover
    assert "| Agree what is to be done about each item rated Red | 1 |" in cover
    assert "| Agree a revised timescale, or what is to be done, for each overdue item | 2 |" in cover
    assert "| Confirm or correct each rating at odds with the facts | 2 |" in cover
    for part in ("Summary", "Exceptions", "The log", "Appendix"):
        assert f"| {part} |" in cover


def test_the_summary_gives_the_key_to_the_ratings(panel: Tracker, tmp_path: Path) -> None:
    md = written(build_pack(panel, spec()), PackFormat.MARKDOWN, tmp_path).read_text(encoding="utf-8")
    summary = md.split("## Summary")[1].split("## Exceptions")[0]
    assert "### What the ratings mean" in summary
    for label, meaning in (("Red", "Off track"), ("Amber", "slippage"), ("Green", "On track"),
                           ("Blue", "Complete, with the evidence accepted"), ("Unrated", "not yet rated")):  # fmt: skip
        assert re.search(rf"\| \*\*{label}\*\* \| [^|]*{meaning}", summary), label


def test_each_exception_says_what_the_item_is(panel: Tracker, log: dict[str, int], tmp_path: Path) -> None:
    """A row carries the item's text (shortened where long), its lead and its latest progress;
    the items put forward for closure and those improved are listed by item."""
    pack = build_pack(panel, spec())
    md = written(pack, PackFormat.MARKDOWN, tmp_path).read_text(encoding="utf-8")
    exceptions = md.split("## Exceptions")[1].split("## The log")[0]
    assert "| Item | What it says | Lead | Rating | Why it is listed | Latest progress |" in exceptions
    assert "### Put forward for closure (moved to Blue since the last meeting) (1)" in exceptions
    assert "### Rating improved since the last meeting (0)" in exceptions
    row = next(
        line for line in exceptions.splitlines() if "Family B (2021) 2 |" in line and "overdue" in line
    )
    assert "Train officers in professional curiosity." in row and "| SP |" in row
    assert "10 Nov 2026, Business team: Sessions booked." in row


def test_a_long_text_is_shortened_at_a_word() -> None:
    from sscp_tui.services.packs.model import shortened

    text = "Agencies should " + "strengthen the assessment of risk and " * 10
    short = shortened(text, 60)
    assert len(short) <= 60 and short.endswith("…") and text.startswith(short[:-1])
    assert shortened("Two\nlines  here.") == "Two lines here."


def test_each_agency_appendix_starts_a_page_with_latest_progress(panel: Tracker, tmp_path: Path) -> None:
    pack = build_pack(panel, spec())
    doc = Document(str(written(pack, PackFormat.DOCX, tmp_path)))
    titles = [appendix.title for appendix in pack.appendix]
    breaks = [p.text for p in doc.paragraphs if p.paragraph_format.page_break_before]
    assert len(titles) > 1 and breaks == titles[1:]  # the first follows the part's own new page
    appendix_tables = [t for t in doc.tables if t.rows[0].cells[-1].text == "Latest progress"
                       and t.rows[0].cells[0].text == "Review or plan"]  # fmt: skip
    assert len(appendix_tables) == len(titles)
    html = written(pack, PackFormat.HTML, tmp_path).read_text(encoding="utf-8")
    assert html.count('<h2 class="new-page">') == len(titles) - 1


def test_a_listed_word_of_invisible_characters_alone_matches_nothing(panel: Tracker) -> None:
    """A stray zero-width space or byte-order mark in the list is no word: it must not match
    everywhere and refuse every pack."""
    flagged = Tracker(panel.store, Settings(author="Chair", forbidden_words=("\u200b", "\ufeff ", "")), AS_OF)
    assert build_pack(flagged, spec()).findings == ()


def test_a_wrapped_rows_height_counts_every_line_and_stays_within_a_spreadsheets_limit() -> None:
    from sscp_tui.services.packs.xlsx_writer import MOST_HEIGHT_PT

    sheet = Sheet("Log", widths=(20, 20), wrap=True)
    five_lines = "1. a\n2. b\n3. c\n4. d\n5. e"  # short, but five lines
    assert sheet._lines([five_lines, "x" * 30]) == 5
    assert sheet._lines(["word " * 2000, ""]) > 100
    sheet.append(["word " * 2000, "y"])
    heights = re.findall(r'<row r="1" ht="([\d.]+)"', "".join(sheet.xml_parts()))
    assert heights and float(heights[0]) == MOST_HEIGHT_PT
