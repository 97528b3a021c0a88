"""Trackers at an older schema revision, for the tests of upgrades: made by the migrations up
to that revision, then filled with the demo's rows through plain SQL (the models describe only
the newest schema)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sscp_tui.db import migrate
from sscp_tui.db.store import open_store

TABLES = ["agencies", "themes", "reviews", "strategic_plans", "priorities", "items", "item_themes",
          "item_supporting_agencies", "progress_updates", "history", "meetings"]  # fmt: skip


def demo_at(demo_template: Path, path: Path, revision: str) -> dict[str, int]:
    """``path`` made at ``revision`` and holding the demo's rows (the columns that revision
    has; item_search too, where it has one); the number of rows in each table."""
    store = open_store(path, migrate=False)
    migrate.upgrade(store.engine, revision)
    store.close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("ATTACH DATABASE ? AS demo", (str(demo_template),))
        present = {row[0] for row in raw.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")}
        tables = [*TABLES, *(["item_search"] if "item_search" in present else [])]
        for table in tables:
            columns = ", ".join(f'"{row[1]}"' for row in raw.execute(f"PRAGMA main.table_info({table})"))
            raw.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM demo.{table}")
        counts = {t: raw.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0] for t in tables}
        raw.commit()
        raw.execute("DETACH DATABASE demo")
    return counts
