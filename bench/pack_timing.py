"""Time a meeting pack for a large log in every format (not run by the tests).

    .venv/bin/python bench/pack_timing.py [ITEMS] [FOLDER]

Builds a synthetic tracker of ITEMS items (10,000 by default) with bench/synth.py's bulk
inserts, records two Case Review Panel meetings, edits a few hundred items between them so
the summary has movements, then times building the pack and writing each format.
Targets: building plus HTML, Markdown or XLSX under 1 s each; DOCX under 10 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import build

from sscp_tui.config import Settings
from sscp_tui.db.models import Rating, TrackedItem
from sscp_tui.db.store import open_store
from sscp_tui.services.edits import EditContext, change_field
from sscp_tui.services.packs import PackFormat, PackSpec, build_pack, write_pack
from sscp_tui.services.tracker import Tracker

GROUP = "Case Review Panel"


def prepare(count: int, folder: Path, today: date) -> Path:
    target = folder / f"pack-bench-{count}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    build(count, target, today=today)
    store = open_store(target)
    tracker = Tracker(store, Settings(author="Bench"), today)
    tracker.record_meeting(GROUP, today - timedelta(days=35))
    tracker.record_meeting(GROUP, today)
    ratings = [Rating.RED, Rating.AMBER, Rating.GREEN]
    with store.write() as session:
        ctx = EditContext(author="Chair", note="Rated at panel", source="bench",
                          now=datetime.combine(today - timedelta(days=10), datetime.min.time()))  # fmt: skip
        for index, item in enumerate(session.query(TrackedItem).filter(TrackedItem.id % 25 == 0)):
            change_field(session, ctx, item, "rating", ratings[index % 3].value)
    store.close()
    return target


def best(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """The best wall-clock and CPU times of several runs: other work on the machine only adds
    time, and CPU time is what an otherwise idle machine would take (less disk waits)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def show(seconds: tuple[float, float]) -> str:
    return f"{seconds[0]:5.2f}s ({seconds[1]:.2f}s CPU)"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    today = date.today()
    started = time.perf_counter()
    target = prepare(count, folder, today)
    print(f"built a tracker of {count:,} items in {time.perf_counter() - started:.1f} s at {target}")

    store = open_store(target)
    words = ("Smith", "Jones", "Oakwood Primary")  # a realistic exclusion list: checked, not found
    tracker = Tracker(store, Settings(author="Bench", forbidden_words=words), today)
    spec = PackSpec(GROUP, today)
    pack = build_pack(tracker, spec)
    print(f"build_pack (the log today and at the previous meeting, summary, exceptions, word check), "
          f"{len(pack.items):,} items: {show(best(runs, lambda: build_pack(tracker, spec)))}")  # fmt: skip
    past = PackSpec(GROUP, today - timedelta(days=35))
    earlier = best(runs, lambda: build_pack(tracker, past))
    print(f"build_pack for the earlier meeting, from history: {show(earlier)}")
    print(f"{'format':>14}  {'write only':>20}  {'build and write':>20}  size")
    for fmt in PackFormat:
        path = folder / f"pack{fmt.suffix}"
        took = best(runs, lambda fmt=fmt, path=path: write_pack(pack, fmt, path, replace=True))
        whole = best(
            runs, lambda fmt=fmt, path=path: write_pack(build_pack(tracker, spec), fmt, path, replace=True)
        )
        size = path.stat().st_size / 1_000_000
        print(f"{fmt.label:>14}  {show(took):>20}  {show(whole):>20}  {size:.1f} MB")
    store.close()


if __name__ == "__main__":
    main()
