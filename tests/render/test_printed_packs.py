"""The meeting pack as a board member receives it, printed for real: the Word and spreadsheet
packs turned into PDF by LibreOffice, the web page printed to PDF by Chromium, and each PDF's
text read back with pdftotext (Debian's poppler-utils), page by page.

``make test-render`` installs the three (and the Arial- and Calibri-metric fonts a board
member's machine has) and runs these; they are not part of ``make test``. A missing program
fails them: they never skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sscp_tui.config import Settings
from sscp_tui.db.store import open_store
from sscp_tui.services.packs import PackFormat, PackSpec, build_pack, write_pack
from sscp_tui.services.packs.model import Pack
from sscp_tui.services.tracker import Tracker
from tests.conftest import AS_OF

GROUP = "Case Review Panel"
MARKING = "OFFICIAL-SENSITIVE"
LOG_HEADINGS = ("Ref", "Recommendation or action", "Lead agency", "Timescale", "Due", "Rating",
                "Since last meeting", "Latest progress")  # fmt: skip
_PAGE_OF = re.compile(r"Page (\d+) of (\d+)")
_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `make test-render` installs it (it never skips).")
    return found


@dataclass(frozen=True)
class Printed:
    pack: Pack
    pages: dict[str, list[str]]  # format → the text of each printed page


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _office_pdf(source: Path, folder: Path) -> Path:
    out = folder / source.suffix.lstrip(".")
    out.mkdir()
    profile = (folder / "office-profile").as_uri()
    subprocess.run(
        [_tool("soffice"), f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out / f"{source.stem}.pdf"


def _browser_pdf(source: Path, folder: Path) -> Path:
    """Printed as a user would from the browser: the browser's own header and footer are not
    switched off here, so the page itself must keep them out."""
    pdf = folder / "web.pdf"
    subprocess.run(
        [_tool("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={folder / 'browser-profile'}", f"--print-to-pdf={pdf}", source.as_uri()],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return pdf


@pytest.fixture(scope="module")
def printed(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Printed]:
    folder = tmp_path_factory.mktemp("printed")
    copy = folder / "tracker.sqlite3"
    shutil.copy(demo_template, copy)
    store = open_store(copy)
    try:
        tracker = Tracker(store, Settings(author="Business team"), AS_OF)
        pack = build_pack(tracker, PackSpec(group=GROUP, meeting_on=AS_OF))
        pages = {}
        for fmt, render in ((PackFormat.DOCX, _office_pdf), (PackFormat.XLSX, _office_pdf),
                            (PackFormat.HTML, _browser_pdf)):  # fmt: skip
            source = folder / f"pack.{fmt.value}"
            write_pack(pack, fmt, source, allow_flagged=True)
            pages[fmt.value] = _pdf_pages(render(source, folder))
        yield Printed(pack, pages)
    finally:
        store.close()


def _log_pages(printed: Printed, fmt: str) -> list[str]:
    """The pages of the log: from its heading to the page before the appendix's, which starts
    a page of its own (the spreadsheet's log sheet says so in its footer)."""
    pages = printed.pages[fmt]
    if fmt == "xlsx":
        return [page for page in pages if ": the log" in page]
    start = next(n for n, page in enumerate(pages) if re.search(r"^\s*The log, by review\s*$", page, re.M))
    end = next(
        n for n, page in enumerate(pages) if re.search(r"^\s*Appendix: by lead agency\s*$", page, re.M)
    )
    assert start < end
    return pages[start:end]


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_every_printed_page_carries_the_marking_and_its_number(printed: Printed, fmt: str) -> None:
    pages = printed.pages[fmt]
    assert len(pages) > 3
    for number, page in enumerate(pages, 1):
        assert MARKING in page, f"page {number} of the {fmt} pack has no protective marking"
        found = _PAGE_OF.findall(page)
        assert found, f"page {number} of the {fmt} pack has no page number"
        assert (str(number), str(len(pages))) in found, (number, found)


def test_the_printed_web_page_has_no_browser_header_or_local_path(printed: Printed, tmp_path: Path) -> None:
    text = "\f".join(printed.pages["html"])
    assert "file://" not in text and "/tmp" not in text and "pack.html" not in text


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_every_log_page_says_which_review_it_is_on(printed: Printed, fmt: str) -> None:
    titles = {section.title for section in printed.pack.sections}
    if fmt == "xlsx":  # a review's name wraps in its column: its first words begin a row
        titles = {" ".join(title.split()[:2]) for title in titles}
    pages = _log_pages(printed, fmt)
    assert len(pages) > 3
    for number, page in enumerate(pages, 1):
        flat = " ".join(page.split())
        assert any(title in flat for title in titles), f"log page {number} of the {fmt} pack names no review"


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_no_heading_is_left_alone_at_the_foot_of_a_page(printed: Printed, fmt: str) -> None:
    heading = re.compile(r"\(\d+ items?\)$")  # a log section's heading: "SCR Child A (2019) (6 items)"
    for number, page in enumerate(printed.pages[fmt], 1):
        body = [line for line in _lines(page) if MARKING not in line and not _PAGE_OF.search(line)]
        assert body and not heading.search(body[-1]), (
            f"page {number} of the {fmt} pack ends with {body[-1]!r}"
        )


def test_no_word_or_date_in_the_word_log_is_broken_across_lines(printed: Printed) -> None:
    """The log's headings, each date and "(illustrative)" print whole in the Word pack: a
    column too narrow for a word breaks it ("Timesc" / "ale", "31/03/2" / "014")."""
    pages = _log_pages(printed, "docx")
    words = {word for page in pages for line in _lines(page) for word in line.split()}
    for heading in LOG_HEADINGS:
        assert set(heading.split()) <= words, heading
    dates = {date for item in printed.pack.items for date in _DATE.findall(item.timescale)}
    assert dates and dates <= words, sorted(dates - words)
    if any(item.illustrative for item in printed.pack.items):
        assert "(illustrative)" in words


def test_the_spreadsheet_log_prints_whole_and_legibly(printed: Printed) -> None:
    """Landscape, one page wide, text wrapped: every item's reference text starts on the
    page, the headings print whole, and the log runs to several pages rather than being
    shrunk onto one or two."""
    pages = _log_pages(printed, "xlsx")
    assert len(pages) >= len(printed.pack.items) // 20
    text = " ".join(" ".join(page.split()) for page in pages)
    for heading in ("Recommendation or action", "Timescale", "Illustrative", "Latest progress update"):
        assert heading in text, heading
    for item in printed.pack.items:
        assert " ".join(item.text.split()[:3]) in text, item.label


def test_the_spreadsheet_summary_shows_changes_with_their_sign(printed: Printed) -> None:
    summary = printed.pages["xlsx"][0]
    changes = [count.change for count in printed.pack.summary.counts if count.change not in ("", "0")]
    assert changes
    rows = [line.split() for line in _lines(summary)]
    shown = {row[-1] for row in rows if row}
    for change in changes:
        assert change.replace("-", "\u2212") in shown, change
