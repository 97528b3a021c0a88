"""Build a synthetic tracker of N items with realistic shapes, fast (bulk inserts).

    python bench/synth.py 100000 /tmp/big.sqlite3

Hundreds of reviews, dozens of agencies, texts of 100-600 characters, several progress
updates and history rows per item. Dates spread around today so every alert occurs.
"""

from __future__ import annotations

import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from sscp_tui.db.models import (
    Agency,
    HistoryEntry,
    ItemSearch,
    ProgressUpdate,
    Review,
    Theme,
    TrackedItem,
    item_supporting_agencies,
    item_themes,
)
from sscp_tui.db.store import open_store
from sscp_tui.services.edits import compose_search_words, reference_key

WORDS = (
    "agencies should strengthen the quality of assessment and planning so that the voice of the "
    "child is heard in every review and decisions about thresholds are recorded with reasons "
    "practitioners will receive training on professional curiosity disguised compliance and the "
    "impact of domestic abuse neglect and parental mental health on children escalation routes "
    "must be understood and used information sharing between health police and children's "
    "services will be audited quarterly and findings reported to the partnership"
).split()
KINDS = ["SCR", "LCSPR", "Rapid Review", "Thematic Review", "DHR", "Inspection", "Section 11 audit",
         "Multi-agency audit"]  # fmt: skip
THEMES = ["voice of the child", "assessment and planning", "information sharing", "think family",
          "escalation and professional disagreement", "professional curiosity", "neglect",
          "domestic abuse", "parental mental health", "thresholds and early help"]  # fmt: skip
RATINGS = ["red", "amber", "green", "blue", None]


def sentence(rng: random.Random) -> str:
    length = rng.randint(100, 600)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return (" ".join(words))[:length].capitalize() + "."


def build(count: int, path: Path, seed: int = 7, today: date | None = None) -> None:
    rng = random.Random(seed)
    today = today or date.today()
    now = datetime.combine(today, datetime.min.time())
    store = open_store(path)
    n_agencies, n_reviews = 40, max(10, min(800, count // 120))
    with store.write() as s:
        s.execute(insert(Agency), [
            {"id": i, "name": f"Agency number {i}", "short_name": f"AG{i:02d}",
             "kind": "statutory partner" if i < 4 else "relevant agency", "active": True}
            for i in range(1, n_agencies + 1)
        ])  # fmt: skip
        s.execute(insert(Theme), [{"id": i, "name": t} for i, t in enumerate(THEMES, start=1)])
        s.execute(insert(Review), [
            {"id": i, "kind": rng.choice(KINDS), "title": f"Child {i}", "year": 2010 + i % 16,
             "status": "published", "notes": ""}
            for i in range(1, n_reviews + 1)
        ])  # fmt: skip
        titles = {i: f"Child {i}" for i in range(1, n_reviews + 1)}
        items, themes, support, updates, history, words = [], [], [], [], [], []
        counters: dict[int, int] = {}
        for i in range(1, count + 1):
            rating = rng.choices(RATINGS, weights=[15, 25, 25, 25, 10])[0]
            due = today + timedelta(days=rng.randint(-400, 500)) if rng.random() > 0.08 else None
            last = today - timedelta(days=rng.randint(0, 200))
            review_id = rng.randint(1, n_reviews)
            counters[review_id] = position = counters.get(review_id, 0) + 1
            ref = f"{(position - 1) // 9 + 1}.{(position - 1) % 9 + 1}"  # unique within its review
            items.append({
                "id": i, "kind": "recommendation" if i % 3 else "action",
                "review_id": review_id, "reference": ref,
                "reference_key": reference_key(ref), "text": sentence(rng),
                "lead_agency_id": rng.randint(1, n_agencies),
                "timescale": due.strftime("%d/%m/%Y") if due else "tbc", "due_on": due,
                "original_timescale": "", "original_due_on": due, "rating": rating, "owner": "",
                "evidence_completion": (evidence := "Audit evidence" if rating == "blue" and rng.random() > 0.05 else ""),
                "evidenced": bool(evidence),
                "evidence_impact": "", "illustrative": False, "last_update_on": last,
                "created_on": last - timedelta(days=300),
            })  # fmt: skip
            last_item = items[-1]
            words.append(
                {
                    "item_id": i,
                    "words": compose_search_words(ref, last_item["text"], "", titles[last_item["review_id"]]),
                }
            )
            themes.append({"item_id": i, "theme_id": rng.randint(1, len(THEMES))})
            if rng.random() < 0.4:
                support.append({"item_id": i, "agency_id": rng.randint(1, n_agencies)})
            for k in range(3):
                updates.append({"item_id": i, "written_on": last - timedelta(days=60 * k), "author": "Lead",
                                "text": sentence(rng)[:200], "proposed_rating": None, "created_at": now})  # fmt: skip
            for k in range(2):
                history.append({"entity": "item", "entity_id": i, "field": "rating", "old_value": None,
                                "new_value": rating, "note": "Rated at panel", "author": "Chair",
                                "changed_at": now - timedelta(days=100 * (2 - k)), "source": "bench",
                                "batch": ""})  # fmt: skip
            if len(items) >= 5000:
                _flush(s, items, themes, support, updates, history, words)
        _flush(s, items, themes, support, updates, history, words)
    store.refresh_statistics()  # as a large import does
    store.close()


def _flush(s, items, themes, support, updates, history, words) -> None:  # type: ignore[no-untyped-def]
    if items:
        s.execute(insert(TrackedItem.__table__), items)
    for table, rows in ((item_themes, themes), (item_supporting_agencies, support)):
        if rows:
            s.execute(insert(table), rows)
    if updates:
        s.execute(insert(ProgressUpdate), updates)
    if history:
        s.execute(insert(HistoryEntry), history)
    if words:
        s.execute(insert(ItemSearch), words)
    for rows in (items, themes, support, updates, history, words):
        rows.clear()


if __name__ == "__main__":
    target = Path(sys.argv[2])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    build(int(sys.argv[1]), target)
    print(f"built {sys.argv[1]} items in {target}")
