"""The benchmark harness: `make bench`. Numbers, not pass/fail; not part of `make test`.

Builds synthetic trackers of 1,000, 10,000 and 100,000 items (cached in bench/.data), then
measures each figure over several runs (median, min, max) together with its floor, and
prints a Markdown table (also written to bench/results/latest.md). Ratios to the floors are
what to compare over time: this machine is noisy. Last, twelve writer processes save 500
ratings each on one tracker, on SQLite and on PostgreSQL (bench/writers.py): what a save costs
under that load, and whether any update was lost or any history chain broken.

    python bench/run.py [--sizes 1000,10000,100000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import compileall
import csv
import functools
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
AS_OF = date(2026, 11, 28)
PY = sys.executable
sys.path.insert(0, str(HERE.parent))


@dataclass
class Figure:
    name: str
    unit: str
    samples: list[float]
    floor: str = ""
    floor_value: float | None = None
    target: str = ""

    def cell(self, value: float) -> str:
        return f"{value:,.1f}" if self.unit != "MiB" else f"{value:,.0f}"

    def row(self) -> str:
        med = statistics.median(self.samples)
        ratio = f"{med / self.floor_value:.2f}×" if self.floor_value else ""
        return (
            f"| {self.name} | {self.cell(med)} | {self.cell(min(self.samples))} | {self.cell(max(self.samples))} "
            f"| {self.unit} | {self.floor} | {ratio} | {self.target} |"
        )


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(
            f"  {figure.name}: median {statistics.median(figure.samples):,.1f} {figure.unit}", file=sys.stderr
        )
        return figure

    def markdown(self, header: str) -> str:
        lines = [header, "", "| figure | median | min | max | unit | floor | ratio to floor | target |",
                 "|---|---:|---:|---:|---|---|---:|---|"]  # fmt: skip
        lines += [f.row() for f in self.figures]
        if self.notes:
            lines += ["", *[f"- {n}" for n in self.notes]]
        return "\n".join(lines) + "\n"


def paired(fn: Callable[[], Any], floor: Callable[[], Any], runs: int) -> tuple[list[float], list[float]]:
    """A figure and its floor measured in turns (figure, floor, figure, floor …), so that
    both medians come from the same moments of a noisy machine and their ratio is fair."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        mine += timed(fn, 1)
        theirs += timed(floor, 1)
    return mine, theirs


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


# --- databases ------------------------------------------------------------------------------
def database(size: int) -> Path:
    from bench.synth import build

    DATA.mkdir(exist_ok=True)
    path = DATA / f"synthetic-{size}.sqlite3"
    marker = path.with_suffix(".built")
    if not (path.exists() and marker.exists()):
        print(f"building {size:,} items…", file=sys.stderr)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(size, path, today=AS_OF)
        marker.write_text("ok")
    # A database cached by an older version is brought up to this version's schema once,
    # here, rather than in every timed run.
    from sscp_tui.db.store import open_store

    open_store(path, create=False).close()
    # Fold any write-ahead log into the file first: a reader would otherwise hold the whole
    # log in memory, which is an artefact of building, not of using, the tracker.
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def fresh_copy(path: Path, folder: Path) -> Path:
    target = folder / path.name
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


# --- start-up: a new process per run -----------------------------------------------------------
def home(work: Path, name: str) -> str:
    """A folder of the app's own (settings, views, backups) for one part of the run, inside the
    run's folder, which is removed as the run ends. The day's first opening of a tracker backs
    it up there (257 MB at 100,000 items): a new folder for every start copied it again on
    every start, and left it behind, some 5 GB a run still being written out as the keys were
    timed."""
    folder = work / f"home-{name}"
    folder.mkdir(exist_ok=True)
    return str(folder)


def probe(mode: str, db: Path | None, runs: int, work: Path) -> tuple[list[float], list[float]]:
    times, rss = [], []
    env = {**os.environ, "SSCP_TUI_HOME": home(work, f"start-{db.stem if db else 'empty'}")}
    for _ in range(runs):
        args = [PY, str(HERE / "probe.py"), mode, str(db or ""), AS_OF.isoformat()]
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = (time.perf_counter() - start) * 1000
        settled = proc.stdout.readline()  # the peak RSS, once the store is open behind it
        proc.wait()
        if not line.startswith("PAINTED") or not settled.startswith("SETTLED"):
            raise SystemExit(f"probe {mode} failed: {proc.stderr.read() if proc.stderr else ''}")
        times.append(elapsed)
        rss.append(int(settled.split()[1]) / 1024)
    return times, rss


def command(args: list[str], runs: int) -> list[float]:
    def run() -> None:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

    return timed(run, runs)


# --- interaction inside one running app --------------------------------------------------------
class Marks:
    """Times at which the screen had repainted after a watched step, read by the harness.

    The harness posts a key with ``App.simulate_key`` (no test-harness waits), then waits for
    the first mark after it: a mark is taken in ``call_after_refresh`` of the step that shows
    the result, i.e. once the compositor has painted it."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def mark(self, app: Any) -> None:
        app.call_after_refresh(lambda: self.times.append(time.perf_counter()))

    async def after(self, app: Any, key: str, *, timeout: float = 30.0) -> float:
        seen = len(self.times)
        start = time.perf_counter()
        app.simulate_key(key)
        while len(self.times) == seen:
            if time.perf_counter() - start > timeout:
                raise SystemExit(f"no repaint after {key!r}")
            await asyncio.sleep(0.0005)
        return (self.times[seen] - start) * 1000


async def interactions(db: Path | str, runs: int, work: Path) -> dict[str, list[float]]:
    from textual.worker import WorkerCancelled

    from sscp_tui.app import SSCPApp
    from sscp_tui.config import Settings
    from sscp_tui.db.models import Rating
    from sscp_tui.db.store import open_store
    from sscp_tui.screens import log as log_module
    from sscp_tui.screens.log import LogScreen, LogTable
    from sscp_tui.services.tracker import Tracker
    from sscp_tui.views import SavedView

    os.environ["SSCP_TUI_HOME"] = home(work, f"interactions-{Path(db).stem}")  # (the commands' after it too)
    # Enter is what is timed, so the search must not already have run on a pause in typing.
    log_module.SEARCH_PAUSE = 600.0
    store = open_store(db)
    tracker = Tracker(store, Settings(author="Bench"), AS_OF)
    app = SSCPApp(tracker, start="log")
    marks = Marks()
    found: dict[str, list[float]] = {"filter": [], "search": [], "rate": [], "cursor": []}
    shown, saved, moved = LogScreen.show_page, LogScreen.after_edit, LogTable.watch_cursor_row

    def show_page(self: Any, *args: Any, **kwargs: Any) -> None:
        shown(self, *args, **kwargs)
        marks.mark(self.app)

    def after_edit(self: Any, *args: Any) -> None:
        marks.mark(self.app)  # committed: the screen now says it is saved
        saved(self, *args)

    def cursor_moved(self: Any, old: Any, new: Any) -> None:
        moved(self, old, new)
        marks.mark(self.app)

    LogScreen.show_page, LogScreen.after_edit = show_page, after_edit  # type: ignore[method-assign]
    LogTable.watch_cursor_row = cursor_moved  # type: ignore[method-assign]

    async def settled(pilot: Any) -> None:
        # A newer page request cancels an older one; a cancelled worker is not a failure here.
        while True:
            try:
                await app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                continue
        await pilot.pause()

    agencies = [a.short_name for a in tracker.agencies()]
    words = ["curiosity", "neglect", "escalation", "thresholds", "family"]
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        screen = app.screen
        table = screen.query_one("#log-table")
        for run in range(runs):
            # A filter change: a saved view is one key.
            app.views.state.views = [SavedView(name="bench", agency=agencies[run % len(agencies)])]
            found["filter"].append(await marks.after(app, "1"))
            await settled(pilot)
            await pilot.press("x")
            await settled(pilot)
            # A free-text search: the words typed, then Enter to the repainted page.
            await pilot.press("slash", *words[run % len(words)])
            found["search"].append(await marks.after(app, "enter"))
            await settled(pilot)
            await pilot.press("x")
            await settled(pilot)
            # A rating change: the note typed, then Enter to committed and saying so.
            item_id = int(table.cursor_key)
            key = "g" if tracker.rows([item_id])[0].rating is not Rating.GREEN else "a"
            await pilot.press(key, "o", "k")
            found["rate"].append(await marks.after(app, "enter"))
            await settled(pilot)
            # Moving the cursor one row.
            for _ in range(3):
                found["cursor"].append(await marks.after(app, "down"))
                await settled(pilot)
    LogScreen.show_page, LogScreen.after_edit = shown, saved  # type: ignore[method-assign]
    LogTable.watch_cursor_row = moved  # type: ignore[method-assign]
    store.close()
    return found


# --- the floors ---------------------------------------------------------------------------------
def queries_and_floors(db: Path, runs: int) -> dict[str, list[float]]:
    """The log's page and count queries through the app, each in turns with the same query
    compiled from the app's own SQLAlchemy statement and run with the stdlib sqlite3 module."""
    from sscp_tui.config import Settings
    from sscp_tui.db.store import open_store
    from sscp_tui.services.records import ItemFilter
    from sscp_tui.services.tracker import Tracker

    raw_page, raw_count, close = raw_queries(db)
    store = open_store(db)
    tracker = Tracker(store, Settings(), AS_OF)
    for _ in range(2):  # warm both: caches, compiled statements
        tracker.page(ItemFilter(), with_total=False)
        raw_page()
    page, floor_page = paired(lambda: tracker.page(ItemFilter(), with_total=False), raw_page, runs)
    count, floor_count = paired(lambda: tracker.count(ItemFilter()), raw_count, runs)
    store.close()
    close()
    return {"page": page, "floor_page": floor_page, "count": count, "floor_count": floor_count}


def raw_queries(db: Path) -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], None]]:
    """The log's page and count queries, compiled from the app's own SQLAlchemy statements and
    run with the stdlib sqlite3 module on the same database."""
    from sqlalchemy import func, select
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from sscp_tui.db import search_index
    from sscp_tui.db.models import TrackedItem
    from sscp_tui.services import queries
    from sscp_tui.services.alerts import AlertRules
    from sscp_tui.services.records import ItemFilter

    rules = AlertRules(AS_OF)
    f = ItemFilter()
    # The open log sorted by alerts is read a class of alert at a time, each stopping at a
    # page (queries._walked_ids): the floor runs the same statements in the same way.
    flavour = search_index.flavour("sqlite")
    classes = queries._alert_classes(f, rules, flavour)
    count = select(func.count()).select_from(TrackedItem).where(*queries.filter_conditions(f, rules, flavour))

    def sql(statement: Any) -> str:
        return str(
            statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
        )

    class_sql, count_sql = [sql(c) + " LIMIT ?" for c in classes], sql(count)
    # Then the page's rows with their review, agency and plan, and their themes: the app's
    # own statements, for 100 ids.
    rows_sql, themes_sql = (
        str(s.compile(dialect=sqlite_dialect.dialect()))
        for s in (queries._rows_by_id_select("sqlite"), queries._themes_select("sqlite"))
    )
    conn = sqlite3.connect(db)

    def raw_page() -> None:
        ids: list[int] = []
        for statement in class_sql:
            if len(ids) >= 100:
                break
            ids += [r[0] for r in conn.execute(statement, (100 - len(ids),))]
        marks = "(" + ",".join("?" * len(ids)) + ")"
        conn.execute(rows_sql.replace("(__[POSTCOMPILE_ids])", marks), ids).fetchall()
        conn.execute(themes_sql.replace("(__[POSTCOMPILE_ids])", marks), ids).fetchall()

    return raw_page, lambda: conn.execute(count_sql).fetchall(), conn.close


def raw_csv_export(db: Path, out: Path) -> None:
    """The same content as the app's export (review, item, agencies, themes, timescale, rating,
    owner, evidence, latest update), with one SQL query and the csv module."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        """
        SELECT r.title, r.kind, r.year, i.reference, i.kind, i.text,
          (SELECT group_concat(t.name, '; ') FROM item_themes it JOIN themes t ON t.id = it.theme_id
            WHERE it.item_id = i.id),
          a.name,
          (SELECT group_concat(s.name, '; ') FROM item_supporting_agencies sa
            JOIN agencies s ON s.id = sa.agency_id WHERE sa.item_id = i.id),
          i.timescale, i.due_on, i.original_timescale, i.original_due_on, i.rating, i.owner,
          i.evidence_completion, i.evidence_impact,
          (SELECT u.text FROM progress_updates u WHERE u.item_id = i.id
            ORDER BY u.written_on DESC, u.id DESC LIMIT 1),
          i.last_update_on, i.created_on
        FROM items i LEFT JOIN reviews r ON r.id = i.review_id
        LEFT JOIN agencies a ON a.id = i.lead_agency_id WHERE i.deleted_at IS NULL
        """
    )
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Review", "Review type", "Year", "Ref", "Kind", "Recommendation", "Themes",
                         "Lead agency", "Supporting agencies", "Timescale", "Target date",
                         "Original timescale", "Original target date", "RAG", "Owner",
                         "Evidence of completion", "Evidence of impact", "Latest update", "Update date",
                         "Date added"])  # fmt: skip
        writer.writerows(rows)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true", help="Leave out the PostgreSQL figures.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = max(args.runs, 1)
    report = Report()
    work = Path(tempfile.mkdtemp(prefix="sscp-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # however the run ends
    # The app's own modules compiled to bytecode first, as a user's second and later starts
    # find them (Python caches it on the first), and as Textual's and SQLAlchemy's already are
    # in the environment. Without this, where PYTHONDONTWRITEBYTECODE is set, every measured
    # start compiled the app from source: ~100 ms the empty app's floor never pays.
    compileall.compile_dir(HERE.parent / "sscp_tui", quiet=1)

    print("floors…", file=sys.stderr)
    empty, empty_rss = probe("empty", None, runs, work)
    report.add(Figure("Floor: empty Textual app, start to first paint", "ms", empty))
    report.add(Figure("Floor: empty Textual app, peak RSS", "MiB", empty_rss))
    imports = command([PY, "-c", "import textual.app, sqlalchemy.orm"], runs)
    report.add(Figure("Floor: python -c 'import textual.app, sqlalchemy.orm'", "ms", imports))
    floor_rss = statistics.median(empty_rss)

    # Starts are the noisiest figures here (a run of five moved the flatness ratio by a tenth
    # from one run to the next), so each is taken over at least ten.
    start_runs = max(runs, 10)
    flat: list[str] = []
    for size in sizes:
        db = database(size)
        print(f"{size:,} items…", file=sys.stderr)
        # The empty app is started again in turns with these, and is their floor: the
        # machine's speed drifts over a long run. At the largest size the smallest log is
        # started in turns too, so that flatness compares starts made at the same moments.
        smallest = database(min(sizes)) if size == max(sizes) and len(sizes) > 1 else None
        starts = [("empty", None), ("dashboard", db), ("log", db)]
        if smallest is not None:
            starts += [("dashboard", smallest), ("log", smallest)]
        started: dict[tuple[str, Path | None], tuple[list[float], list[float]]] = {
            s: ([], []) for s in starts
        }
        for path in {path for _, path in starts if path is not None}:
            probe("dashboard", path, 1, work)  # (untimed: the day's first opening backs the tracker up)
        for _ in range(start_runs):
            for mode, path in starts:
                times, rss = probe(mode, path, 1, work)
                started[(mode, path)][0].extend(times)
                started[(mode, path)][1].extend(rss)
        size_paint = statistics.median(started[("empty", None)][0])
        for mode in ("dashboard", "log"):
            times, rss = started[(mode, db)]
            report.add(Figure(f"{size:,}: start to first paint of the {mode}", "ms", times,
                              "empty app (in turns)", size_paint,
                              "≤1.8× empty; ≤1.1× the 1,000 figure"))  # fmt: skip
            if mode == "log":
                report.add(Figure(f"{size:,}: peak RSS (log open)", "MiB", rss, "empty app", floor_rss,
                                  "≤2× empty"))  # fmt: skip
            if smallest is not None:
                small = started[(mode, smallest)][0]
                report.add(Figure(f"{min(sizes):,} again, in turns with {size:,}: start to first paint of "
                                  f"the {mode}", "ms", small))  # fmt: skip
                flat.append(f"{mode}: {statistics.median(times) / statistics.median(small):.2f}× the "
                            f"{min(sizes):,} figure started in turns with it")  # fmt: skip
        q = queries_and_floors(db, runs)
        report.add(Figure(f"{size:,}: log page query (app)", "ms", q["page"], "sqlite3 (in turns)",
                          statistics.median(q["floor_page"]), "≤5× sqlite3"))  # fmt: skip
        report.add(Figure(f"{size:,}: log count query (app)", "ms", q["count"], "sqlite3 (in turns)",
                          statistics.median(q["floor_count"]), "≤5× sqlite3"))  # fmt: skip
        copy = fresh_copy(db, work)
        found = asyncio.run(interactions(copy, runs, work))
        report.add(
            Figure(f"{size:,}: filter change, key to repaint", "ms", found["filter"], target="<120 ms")
        )
        report.add(Figure(f"{size:,}: free-text search, Enter to repaint", "ms", found["search"],
                          target="<120 ms"))  # fmt: skip
        report.add(Figure(f"{size:,}: rating change, Enter to committed and repainted", "ms", found["rate"],
                          target="<50 ms"))  # fmt: skip
        report.add(Figure(f"{size:,}: cursor one row", "ms", found["cursor"], target="<16 ms"))
        # Today's alerts (the log as it is): --as-of a past day replays the history to that day.
        sscp = [PY, "-m", "sscp_tui", "alerts", "--db", str(db), "--format", "json"]
        command(sscp, 1)  # the day's first opening backs the tracker up: a daily cost, not the command's
        report.add(Figure(f"{size:,}: alerts command (JSON), today", "ms", command(sscp, runs),
                          "python imports", statistics.median(imports), "≤1.5× the imports"))  # fmt: skip
        if size == max(sizes):
            past = [*sscp, "--as-of", AS_OF.isoformat()]
            report.add(Figure(f"{size:,}: alerts command (JSON) as of {AS_OF:%d %b %Y}, the log as it stood",
                              "ms", command(past, runs), "python imports", statistics.median(imports)))  # fmt: skip
        if size == 10_000:
            transfer_and_packs(report, copy, work, runs)
        if size == max(sizes):
            every_key(report, fresh_copy(db, work), max(1, min(runs, 3)), home(work, "keys"))
            backups_and_check(report, db, work, runs)
            visidata(report, db, work, runs)
            if not args.no_postgres:
                postgres(report, db, runs, work)

    print("writers…", file=sys.stderr)
    from bench.writers import measure as writers_measure

    writers_measure(report, Figure, postgres=not args.no_postgres)

    if flat:
        report.notes.append("Start-up flatness at the largest size — " + "; ".join(flat) + ".")
    header = (
        f"# sscp-tui benchmark\n\nRun on {time.strftime('%Y-%m-%d %H:%M')} · {platform.platform()} · "
        f"Python {platform.python_version()} · {os.cpu_count()} cores · {runs} runs per figure "
        f"(starts of the app, {max(runs, 10)}). "
        f"Times in ms, memory in MiB; the ratio is the median over its floor's median."
    )
    text = report.markdown(header)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.md").write_text(text, encoding="utf-8")
    print(text)


def postgres(report: Report, db: Path, runs: int, work: Path) -> None:
    """The largest tracker again on a throwaway PostgreSQL server (bench/postgres.py)."""
    from bench.postgres import measure

    print("PostgreSQL…", file=sys.stderr)
    measure(report, Figure, db, runs, paired, functools.partial(interactions, work=work), AS_OF)


def every_key(report: Report, db: Path, runs: int, home: str) -> None:
    """Every key of every screen (bench/keys.py): each one's first press and later ones, the
    slowest five named in the notes."""
    from bench.keys import measure

    print("every key…", file=sys.stderr)
    found = asyncio.run(measure(str(db), runs, home=home))
    for key in found:  # (a press that showed nothing is named in the notes, not timed)
        if key.first is not None:
            report.add(Figure(f"key {key.key} on {key.screen} ({key.description}), first press", "ms",
                              [key.first], target="<100 ms"))  # fmt: skip
        if later := [ms for ms in key.later if ms is not None]:
            report.add(Figure(f"key {key.key} on {key.screen}, later presses", "ms", later, target="<100 ms"))
    slowest = sorted(found, key=lambda k: -k.worst)[:5]
    over = sum(1 for k in found if k.worst > 100)
    report.notes.append(
        f"Every key of every screen ({len(found)} keys): {over} over 100 ms at their worst; the slowest five — "
        + "; ".join(f"{k.screen} {k.key} ({k.description}) {k.worst:.0f} ms" for k in slowest)
        + "."
    )
    nothing = [f"{k.screen} {k.key}" for k in found if k.did_nothing]
    if nothing:
        report.notes.append("Keys that showed nothing (not timed): " + ", ".join(nothing) + ".")


def transfer_and_packs(report: Report, db: Path, work: Path, runs: int) -> None:
    from bench.transfer import measure

    measure(report, Figure, db, work, runs, timed, raw_csv_export, AS_OF)


def backups_and_check(report: Report, db: Path, work: Path, runs: int) -> None:
    """What the damage check and a backup cost at the largest size (the check runs on open
    only for files up to backups.CHECK_ON_OPEN_BYTES; both run in the day's first backup)."""
    from sscp_tui.db import backups

    size_mb = db.stat().st_size / 1024 / 1024
    report.add(Figure(f"{size_mb:,.0f} MB tracker: quick check (SQLite PRAGMA quick_check)", "ms",
                      timed(lambda: backups.check(db), runs)))  # fmt: skip
    copies = iter(range(10_000))

    def one_backup() -> None:
        target = work / f"backup-{next(copies)}.sqlite3"
        backups.take(db, target)
        target.unlink()

    report.add(Figure(f"{size_mb:,.0f} MB tracker: backup (online backup API, then checked)", "ms",
                      timed(one_backup, runs)))  # fmt: skip
    report.notes.append(
        f"The quick check runs on open for trackers up to {backups.CHECK_ON_OPEN_BYTES // 1024 // 1024} MB "
        f"(the largest here is {size_mb:,.0f} MB) and in every day's first backup."
    )


def visidata(report: Report, db: Path, work: Path, runs: int) -> None:
    """A peer: VisiData opening the same log exported as CSV (batch mode, load then quit)."""
    vd = shutil.which("vd", path=str(Path(PY).parent))
    out = work / "log.csv"
    raw_csv_export(db, out)
    if vd is None:
        report.notes.append("VisiData is not installed in this environment; its figure was skipped.")
        return
    samples = command([vd, "-b", str(out)], runs)
    report.add(Figure("Peer: VisiData loads the largest log as CSV and prints it (vd -b)", "ms", samples))


if __name__ == "__main__":
    main()
