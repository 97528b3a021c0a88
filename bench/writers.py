"""Many writers on one tracker: twelve processes, one per agency, each saving 500 ratings, mixed
over items every agency shares and items of its own, each save made on what its writer last
read (as a screen would show it). Run on SQLite and on PostgreSQL.

    .venv/bin/python bench/writers.py                      # SQLite, and PostgreSQL if it can start one
    .venv/bin/python bench/writers.py --writers 4 --edits 100 --no-postgres

It checks what must never happen and reports what it costs:
- no lost update: no save was laid over another writer's change made after its writer read
  (every saved change's history row has no other writer's change to that item between the
  read and it);
- no broken history chain: for every field of every item, each history row's old value is
  the value the row before it left;
- no traceback from any writer;
and the p50/p95 of a save, and how many saves were refused as conflicts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SHARED = 24  # items every writer edits
OWN = 40  # items each writer edits alone


def prepare(url: str, writers: int) -> dict[str, Any]:
    """A tracker with the writers' agencies, a review and its items; returns who edits what."""
    from sscp_tui.config import Settings
    from sscp_tui.db.models import Agency, AgencyKind, ItemKind, Review, ReviewKind, ReviewStatus
    from sscp_tui.db.store import open_store
    from sscp_tui.services.edits import NewItem
    from sscp_tui.services.tracker import Tracker

    store = open_store(url)
    with store.write() as session:
        for n in range(writers):
            session.add(Agency(name=f"Agency {n}", short_name=f"AG{n}", kind=AgencyKind.STATUTORY, active=True))
        session.add(Review(kind=ReviewKind.SCR, title="Load", year=2026, status=ReviewStatus.PUBLISHED, notes=""))
    tracker = Tracker(store, Settings(author="Setup"))
    review_id = tracker.reviews()[0].id
    count = SHARED + OWN * writers
    new = [NewItem(kind=ItemKind.RECOMMENDATION, reference=str(n + 1), text=f"Recommendation {n + 1}",
                   review_id=review_id, lead_agency=f"AG{n % writers}") for n in range(count)]  # fmt: skip
    tracker.create_items(new, "Set up for the load test")
    ids = [row.id for row in tracker.rows(tracker.ids(_everything()))]
    store.close()
    ids.sort()
    return {"shared": ids[:SHARED], "own": {str(w): ids[SHARED + w * OWN : SHARED + (w + 1) * OWN]
                                            for w in range(writers)}}  # fmt: skip


def _everything() -> Any:
    from sscp_tui.services.records import ItemFilter, ItemState

    return ItemFilter(state=ItemState.ALL)


def writer(url: str, number: int, edits: int, plan: dict[str, Any], out: Path) -> None:
    """One agency's officer: read an item as a screen shows it, think, rate it."""
    from sscp_tui.config import Settings
    from sscp_tui.db.models import Rating
    from sscp_tui.db.store import open_store
    from sscp_tui.errors import ChangedSince, TrackerBusy
    from sscp_tui.services.tracker import Tracker

    rng = random.Random(number)
    store = open_store(url)
    tracker = Tracker(store, Settings(author=f"Writer {number}"))
    own, shared = plan["own"][str(number)], plan["shared"]
    saves: list[dict[str, Any]] = []
    refused = busy = 0
    for _ in range(edits):
        item = rng.choice(shared) if rng.random() < 0.5 else rng.choice(own)
        seen = tracker.changes_since(None)[0]  # the screen as it was read
        current = tracker.rows([item])[0].rating
        time.sleep(rng.uniform(0, 0.004))  # the key pressed a moment later
        rating = rng.choice([r for r in (Rating.RED, Rating.AMBER, Rating.GREEN) if r is not current])
        start = time.perf_counter()
        try:
            result = tracker.set_rating([item], rating, "Load test", seen=seen)
        except ChangedSince:
            refused += 1
            continue
        except TrackerBusy:
            busy += 1
            continue
        finally:
            elapsed = (time.perf_counter() - start) * 1000
        saves.append({"item": item, "seen": seen, "batch": result.batch, "ms": elapsed})
    store.close()
    out.write_text(json.dumps({"saves": saves, "refused": refused, "busy": busy}))


def check(url: str) -> tuple[int, int]:
    """Broken chains and lost updates, read from history after the run."""
    from sqlalchemy import select

    from sscp_tui.db.models import HistoryEntry
    from sscp_tui.db.store import open_store

    store = open_store(url)
    with store.read() as session:
        rows = session.execute(
            select(HistoryEntry.id, HistoryEntry.entity_id, HistoryEntry.field, HistoryEntry.old_value,
                   HistoryEntry.new_value, HistoryEntry.batch)
            .where(HistoryEntry.entity == "item").order_by(HistoryEntry.id)
        ).all()  # fmt: skip
    store.close()
    broken = 0
    last: dict[tuple[int, str], str | None] = {}
    for row in rows:
        key = (row.entity_id, row.field)
        if row.field == "rating" and key in last and last[key] != row.old_value:
            broken += 1
        last[key] = row.new_value
    return broken, len(rows)


def lost(url: str, saves: list[dict[str, Any]]) -> int:
    """Saves laid over another writer's change made after their writer read the item."""
    from sqlalchemy import select

    from sscp_tui.db.models import HistoryEntry
    from sscp_tui.db.store import open_store

    store = open_store(url)
    with store.read() as session:
        rows = session.execute(
            select(HistoryEntry.id, HistoryEntry.entity_id, HistoryEntry.batch)
            .where(HistoryEntry.entity == "item", HistoryEntry.field == "rating")
        ).all()  # fmt: skip
    store.close()
    by_item: dict[int, list[tuple[int, str]]] = defaultdict(list)
    where: dict[str, int] = {}
    for row in rows:
        by_item[row.entity_id].append((row.id, row.batch))
        where[row.batch] = row.id
    count = 0
    for save in saves:
        mine = where.get(save["batch"])
        if mine is None:
            count += 1  # said saved, not in history
            continue
        if any(save["seen"] < other < mine and batch != save["batch"] for other, batch in by_item[save["item"]]):
            count += 1
    return count


def run(url: str, label: str, writers: int, edits: int) -> dict[str, Any]:
    plan = prepare(url, writers)
    folder = Path(tempfile.mkdtemp(prefix="sscp-writers-"))
    (folder / "plan.json").write_text(json.dumps(plan))
    start = time.perf_counter()
    procs = []
    for number in range(writers):
        out = folder / f"writer{number}.json"
        args = [sys.executable, str(Path(__file__)), "--worker", url, str(number), str(edits),
                str(folder / "plan.json"), str(out)]  # fmt: skip
        procs.append((subprocess.Popen(args, stderr=subprocess.PIPE, text=True), out))
    tracebacks = 0
    saves: list[dict[str, Any]] = []
    refused = busy = 0
    for proc, out in procs:
        _, err = proc.communicate()
        if proc.returncode != 0 or "Traceback" in err:
            tracebacks += 1
            print(err, file=sys.stderr)
            continue
        found = json.loads(out.read_text())
        saves += found["saves"]
        refused += found["refused"]
        busy += found["busy"]
    elapsed = time.perf_counter() - start
    shutil.rmtree(folder, ignore_errors=True)  # (the plan and each writer's saves, read)
    broken, history = check(url)
    times = sorted(save["ms"] for save in saves)
    result = {
        "store": label, "writers": writers, "edits": writers * edits, "saved": len(saves), "refused": refused,
        "busy": busy, "lost": lost(url, saves), "broken": broken, "tracebacks": tracebacks,
        "p50": statistics.median(times) if times else 0.0,
        "p95": times[int(len(times) * 0.95) - 1] if times else 0.0, "seconds": elapsed, "history": history,
        "times": times,
    }  # fmt: skip
    result["summary"] = (
        f"{label}: {writers} writers × {edits} saves in {elapsed:.1f} s — saved {len(saves)}, refused as "
        f"conflicts {refused}, busy {busy}; lost updates {result['lost']}, broken chains {broken}, "
        f"tracebacks {tracebacks}; a save p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms"
    )
    print(result["summary"], file=sys.stderr)
    return result


def all_stores(writers: int, edits: int, postgres: bool) -> list[dict[str, Any]]:
    """The run on a SQLite file, and on a throwaway PostgreSQL server."""
    os.environ.setdefault("SSCP_TUI_HOME", tempfile.mkdtemp())
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run(str(Path(tmp) / "load.sqlite3"), "SQLite", writers, edits))
    if postgres:
        from sqlalchemy import create_engine, text

        from tests.pg_server import throwaway_server

        with throwaway_server() as server:
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text("CREATE DATABASE writers"))
            admin.dispose()
            results.append(run(server.rsplit("/", 1)[0] + "/writers", "PostgreSQL", writers, edits))
    return results


def measure(report: Any, figure: Any, postgres: bool, writers: int = 12, edits: int = 500) -> None:
    """For bench/run.py: a save's time under the load, per store, and the run's account."""
    for result in all_stores(writers, edits, postgres):
        sound = not (result["lost"] or result["broken"] or result["tracebacks"])
        report.add(figure(f"{writers} writers × {edits} saves on {result['store']}: a save", "ms",
                          result["times"] or [0.0], target="0 lost, 0 broken chains, 0 tracebacks"))  # fmt: skip
        report.notes.append(result["summary"] + ("" if sound else " — FAILED"))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, number, edits, plan, out = sys.argv[2:7]
        writer(url, int(number), int(edits), json.loads(Path(plan).read_text()), Path(out))
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=12)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results = all_stores(args.writers, args.edits, not args.no_postgres)
    bad = [r for r in results if r["lost"] or r["broken"] or r["tracebacks"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
