"""What is known of a tracker's file without loading SQLAlchemy or Alembic, so the first look
(plain sqlite3) and the store agree on it."""

from __future__ import annotations

from pathlib import Path

# The newest migration this version knows. A test checks it against the migration scripts,
# so opening an up-to-date database need not load Alembic at all.
HEAD_REVISION = "0015"
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another writer before giving up
SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's page cache per connection, in KiB (its default is 2,000). The reads walk narrow
# indexes, and pages not cached come back from the operating system's cache in microseconds;
# the default cost each of the app's few connections 2 MiB of memory on a large log.
CACHE_KIB = 512


def parts(path: Path) -> tuple[Path, Path, Path]:
    """The tracker file and the two SQLite keeps beside it while it is open (-wal, -shm)."""
    return path, Path(f"{path}-wal"), Path(f"{path}-shm")


def others_may_read(part: Path) -> bool:
    """Whether a file of the tracker exists and users other than its owner may read it (the
    store makes every one its owner's alone on opening). Raises OSError as stat does."""
    return part.exists() and bool(part.stat().st_mode & 0o077)
