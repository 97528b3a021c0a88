"""The 10,000-item figures: meeting packs in each format, export to CSV and XLSX, import of
an XLSX, and the CSV-export floor done with sqlite3 and csv alone."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any


def measure(
    report: Any,
    figure: Callable[..., Any],
    db: Path,
    work: Path,
    runs: int,
    timed: Callable[[Callable[[], Any], int], list[float]],
    raw_csv_export: Callable[[Path, Path], None],
    as_of: date,
) -> None:
    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services import exporter
    from sscp_tui.services.imports import plan as importer
    from sscp_tui.services.imports import write as import_write
    from sscp_tui.services.packs import PackFormat, PackSpec, build_pack, write_pack
    from sscp_tui.services.tracker import Tracker

    store = open_store(db)
    tracker = Tracker(store, Settings(author="Bench"), as_of)
    group = "Case Review Panel"
    for days in (35, 0):
        held = as_of - timedelta(days=days)
        if not any(m.held_on == held for m in tracker.meetings(group)):
            tracker.record_meeting(group, held)
    spec = PackSpec(group=group, meeting_on=as_of)

    report.add(figure("10,000: meeting pack, built (shared by every format)", "ms",
                      timed(lambda: build_pack(tracker, spec), runs)))  # fmt: skip
    pack = build_pack(tracker, spec)
    for fmt, target in ((PackFormat.HTML, "<1 s"), (PackFormat.MARKDOWN, "<1 s"),
                        (PackFormat.XLSX, "<1 s"), (PackFormat.DOCX, "<10 s")):  # fmt: skip
        out = work / f"pack.{fmt.value}"
        samples = timed(lambda fmt=fmt, out=out: write_pack(build_pack(tracker, spec), fmt, out,  # type: ignore[misc]
                                                            allow_flagged=True, replace=True), runs)  # fmt: skip
        report.add(figure(f"10,000: meeting pack as {fmt.label}, built and written", "ms", samples,
                          target=target))  # fmt: skip
    del pack

    floor_csv = work / "floor.csv"
    csv_out, xlsx_out = work / "export.csv", work / "export.xlsx"
    # In turns, so that the ratio compares runs made at the same moments.
    mine, floor = [], []
    for _ in range(runs):
        mine += timed(lambda: exporter.export(tracker, csv_out, replace=True), 1)
        floor += timed(lambda: raw_csv_export(db, floor_csv), 1)
    report.add(figure("Floor: 10,000 items to CSV with sqlite3 and csv", "ms", floor))
    report.add(figure("10,000: export to CSV", "ms", mine,
                      "sqlite3 + csv (in turns)", statistics.median(floor), "≤3× the floor"))  # fmt: skip
    report.add(
        figure(
            "10,000: export to XLSX",
            "ms",
            timed(lambda: exporter.export(tracker, xlsx_out, replace=True), runs),
        )
    )
    store.close()

    def empty_tracker(name: str) -> Path:
        target = work / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        open_store(target).close()
        return target

    def import_into_empty() -> None:  # the tracker made by the import's own opening, as ever
        target = work / "import-target.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        fresh = open_store(target)
        into = Tracker(fresh, Settings(author="Bench"), as_of)
        options = importer.ImportOptions(create_agencies=True)
        import_write.apply(into, importer.plan(into, xlsx_out, options))
        fresh.close()

    def calamine_floor() -> None:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(xlsx_out))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()

    sent = _import_statements(empty_tracker("import-recorded.sqlite3"), xlsx_out, as_of)

    # In turns, so that the ratio compares runs made at the same moments. The replay's empty
    # tracker is made before its timing starts: the floor is the writing alone.
    mine, floor, writes = [], [], []
    for _ in range(max(1, min(runs, 3))):
        mine += timed(import_into_empty, 1)
        floor += timed(calamine_floor, 1)
        replayed = empty_tracker("import-replayed.sqlite3")
        writes += timed(lambda replayed=replayed: _replay(replayed, sent), 1)
    report.add(figure("Floor: the same XLSX's values read with python-calamine alone", "ms", floor))
    report.add(figure("Floor: the import's own statements replayed with sqlite3 alone (write floor)", "ms",
                      writes))  # fmt: skip
    report.add(figure("10,000: import of an XLSX into an empty tracker (dry run and real run)", "ms", mine,
                      "calamine (in turns)", statistics.median(floor), "≤1.5 s; ≤3× calamine"))  # fmt: skip
    both = [read + write for read, write in zip(floor, writes, strict=True)]
    report.add(figure("Floor: calamine's read and the replayed write together", "ms", both))


def _import_statements(target: Path, xlsx: Path, as_of: date) -> list[tuple[str, Any, bool]]:
    """Every statement the real run of an import into the empty tracker ``target`` sent to
    SQLite, with its parameters (and each commit), as the floor of its writing."""
    from sqlalchemy import event

    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services.imports import plan as importer
    from sscp_tui.services.imports import write as import_write
    from sscp_tui.services.tracker import Tracker

    store = open_store(target)
    into = Tracker(store, Settings(author="Bench"), as_of)
    found = importer.plan(into, xlsx, importer.ImportOptions(create_agencies=True))
    sent: list[tuple[str, Any, bool]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        sent.append((statement, parameters, many))

    def committed(_conn: Any) -> None:
        sent.append(("COMMIT", (), False))

    event.listen(store.engine, "before_cursor_execute", keep)
    event.listen(store.engine, "commit", committed)
    try:
        import_write.apply(into, found)
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
        event.remove(store.engine, "commit", committed)
        store.close()
    return sent


def _replay(target: Path, sent: list[tuple[str, Any, bool]]) -> None:
    """The statements, as sent, through sqlite3 on a connection with the store's pragmas (the
    import's own larger page cache is among the statements sent)."""
    import sqlite3

    connection = sqlite3.connect(target, isolation_level=None)
    for pragma in ("foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    try:
        for statement, parameters, many in sent:
            if statement == "COMMIT":
                if connection.in_transaction:
                    connection.execute("COMMIT")
            elif many and isinstance(parameters, list):  # (a batch of insertmanyvalues is one row)
                connection.executemany(statement, parameters)
            else:
                connection.execute(statement, parameters)
    finally:
        connection.close()
