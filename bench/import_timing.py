"""Time importing and exporting large recommendation logs (not run by the tests).

    .venv/bin/python bench/import_timing.py            # 10,000 and 50,000 rows
    .venv/bin/python bench/import_timing.py 2000       # any sizes

For each size and format (XLSX, CSV) it writes a log under a title row, then times: the dry
run (plan), the import into an empty tracker, importing the same file again (nothing
changes), a later version (a tenth of the rows with a new rating and a new progress note),
and exporting the result.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sscp_tui.config import Settings
from sscp_tui.db.models import Agency, AgencyKind
from sscp_tui.db.store import open_store
from sscp_tui.services import exporter
from sscp_tui.services.imports import plan as importer
from sscp_tui.services.imports import write as import_write
from sscp_tui.services.records import ItemFilter, ItemState
from sscp_tui.services.tracker import Tracker

AS_OF = date(2026, 11, 28)
HEADINGS = ["Name of review", "Year", "Rec no", "Recommendation", "Theme", "Key agency",
            "Supporting agencies", "Timescale", "Target date", "RAG", "Owner", "Progress",
            "Update date"]  # fmt: skip
AGENCIES = [("Surrey County Council", "SCC"), ("Surrey Police", "SP"), ("Surrey Heartlands", "SH"),
            ("Surrey and Borders Partnership", "SABP"), ("Probation Service", "PS"),
            ("Education Safeguarding", "EDU")]  # fmt: skip
KINDS = ["SCR", "LCSPR", "Rapid Review", "DHR"]
THEMES = ["neglect", "voice of the child", "information sharing", "domestic abuse", "think family"]
TIMESCALES = ["Sept 21", "Q3 2021-22", "2021-22", "31/03/2022", "tbc", "ongoing", "end of March 2022"]
RATINGS = ["R", "Amber", "A/G", "Green - complete", "Blue", ""]


def log_rows(count: int, seed: int, changed: float = 0.0) -> list[list[Any]]:
    rng = random.Random(seed)
    changes = random.Random(seed + 1)
    rows = []
    for n in range(count):
        review = n // 25
        rating = rng.choice(RATINGS)
        progress = f"Progress note {n}: training delivered to {rng.randint(5, 90)} staff."
        if changed and changes.random() < changed:
            rating, progress = "Red", f"Revised note {n}: slippage reported at panel."
        rows.append([
            f"{KINDS[review % 4]} Child {review}", 2015 + review % 10, str(n % 25 + 1),
            f"Recommendation {n}: agencies should strengthen practice in case {review}.",
            rng.choice(THEMES), rng.choice(AGENCIES)[0], rng.choice(AGENCIES)[1],
            rng.choice(TIMESCALES), date(2022, 3, 31) + timedelta(days=n % 400), rating,
            f"Officer {n % 97}", progress, date(2026, 10, 1),
        ])  # fmt: skip
    return rows


def write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Log")
    sheet.append(["Recommendation log (synthetic, for timing)"])
    sheet.append([])
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(path: Path, rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Recommendation log (synthetic, for timing)"])
        writer.writerow(HEADINGS)
        for row in rows:
            writer.writerow([f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row])


def timed(what: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    print(f"  {what:<42} {time.perf_counter() - start:6.1f} s")
    return result


def run(count: int, fmt: str, folder: Path) -> None:
    print(f"{count:,} rows, {fmt}:")
    write = write_xlsx if fmt == "XLSX" else write_csv
    first, later = folder / f"log{count}.{fmt.lower()}", folder / f"later{count}.{fmt.lower()}"
    write(first, log_rows(count, 7))
    write(later, log_rows(count, 7, changed=0.1))
    store = open_store(folder / f"t{count}{fmt}.sqlite3")
    with store.write() as session:
        for name, short in AGENCIES:
            session.add(Agency(name=name, short_name=short, kind=AgencyKind.STATUTORY, active=True))
    tracker = Tracker(store, Settings(author="Bench"), AS_OF)
    options = importer.ImportOptions()
    found = timed("dry run (read and plan)", lambda: importer.plan(tracker, first, options))
    timed("import into an empty tracker", lambda: import_write.apply(tracker, found))
    again = timed("dry run of the same file again", lambda: importer.plan(tracker, first, options))
    timed("import of the same file again (no change)", lambda: import_write.apply(tracker, again))
    changed = importer.plan(tracker, later, options)
    report = timed("import of a later version (10% changed)", lambda: import_write.apply(tracker, changed))
    print(f"    ({report.summary()})")
    everything = ItemFilter(state=ItemState.ALL)
    timed(
        f"export to {fmt}", lambda: exporter.export(tracker, folder / f"out{count}.{fmt.lower()}", everything)
    )
    store.close()


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [10_000, 50_000]
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            for fmt in ("XLSX", "CSV"):
                run(count, fmt, Path(tmp))


if __name__ == "__main__":
    main()
