"""Backups of a tracker file, and the check that finds a damaged one.

A backup is a whole tracker, copied consistently by SQLite's online backup API while others
may be using it: it opens with ``--db`` like any other, and restoring is copying it back.

- The first time a tracker is opened on a day, a copy goes to the backups folder
  (``sscp-tui paths`` shows it), named after the tracker and the day. The last 14 daily
  copies are kept, and the newest of each of the last 8 weeks; older ones are removed.
- Before a schema upgrade, a copy is taken and kept (it is never rotated out).
- A tracker that fails its check is never copied over a good backup, and nothing is
  rotated out while it is damaged.

Plain sqlite3 only: this runs before SQLAlchemy is loaded, and on files SQLAlchemy may not
be able to open.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sscp_tui import views
from sscp_tui.paths import app_paths, ensure_private_dir

KEEP_DAILY = 14
KEEP_WEEKLY = 8
# A quick check reads every page: cheap for the trackers most partnerships keep, and a file
# past this size is checked by the daily backup only (see README "If the tracker is damaged").
CHECK_ON_OPEN_BYTES = 32 * 1024 * 1024
SUFFIX = ".sqlite3"
_DAILY = re.compile(r"-(\d{4}-\d{2}-\d{2})\.sqlite3$")


class BackupError(Exception):
    """A backup could not be taken; the message is one sentence for the user."""


@dataclass(frozen=True)
class Backup:
    path: Path
    items: int
    history: int


def folder() -> Path:
    return app_paths().data_dir / "backups"


def prefix(source: Path) -> str:
    """The start of every backup name of ``source``: its name and a short mark of where it is,
    so two trackers of the same name in different folders never share backups."""
    where = hashlib.sha256(str(source.expanduser().resolve()).encode()).hexdigest()[:6]
    return f"{source.stem}-{where}"


def check(path: Path) -> str | None:
    """Why ``path`` is damaged (SQLite's own words), or None when its quick check passes."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        # Only SQLite's words for damage count: a folder the user cannot write, or a file
        # busy with another program, is for the open itself to say.
        return str(exc) if is_damage(exc) else None
    problems = [str(row[0]) for row in rows if row and row[0] != "ok"]
    return "; ".join(problems[:2]) if problems else None


def take(source: Path, dest: Path) -> Backup:
    """Copy the tracker ``source`` to ``dest`` (which must not exist), readable only by its
    owner; the copy is checked before it is put in place."""
    if dest.exists():
        raise BackupError(f"{dest} already exists; give a new file name (nothing was written).")
    if not source.is_file():
        raise BackupError(f"There is no tracker database at {source}.")
    ensure_private_dir(dest.parent)
    fd, temporary = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        os.chmod(temporary, 0o600)
        try:
            origin = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            copy = sqlite3.connect(temporary)
            try:
                origin.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one file, whole by itself
                items = copy.execute("SELECT count(*) FROM items").fetchone()[0]
                history = copy.execute("SELECT count(*) FROM history").fetchone()[0]
            finally:
                copy.close()
                origin.close()
        except sqlite3.Error as exc:
            raise BackupError(f"{source} could not be backed up: {exc}.") from exc
        damage = check(Path(temporary))
        if damage:
            raise BackupError(f"{source} could not be backed up: the copy fails its check ({damage}).")
        os.replace(temporary, dest)
    finally:
        Path(temporary).unlink(missing_ok=True)
    # The saved log views live beside the tracker (views.json), keyed by its location: the
    # backup, opened with --db or copied back, has them too.
    views.carry(str(source.resolve()), str(dest.resolve()))
    return Backup(dest, items, history)


def _daily_path(source: Path, day: date, where: Path | None = None) -> Path:
    return (where or folder()) / f"{prefix(source)}-{day.isoformat()}{SUFFIX}"


def taken(source: Path, today: date) -> bool:
    """Whether today's backup of ``source`` has been taken (so opening it takes none)."""
    return _daily_path(source, today).exists()


def daily(source: Path, today: date, where: Path | None = None) -> Backup | None:
    """Today's backup of ``source``, unless there is one already (None). A damaged tracker is
    refused (BackupError) before anything is copied or rotated out."""
    where = where or folder()
    dest = _daily_path(source, today, where)
    if dest.exists():
        return None
    damage = check(source)
    if damage:
        raise BackupError(f"{source} fails its check ({damage}); no backup was taken and none was removed.")
    made = take(source, dest)
    rotate(source, where)
    return made


def before_upgrade(source: Path, revision: str, today: date, where: Path | None = None) -> Backup:
    """A copy taken before the schema is upgraded from ``revision``; never rotated out."""
    where = where or folder()
    name = f"{prefix(source)}-before-upgrade-from-{revision}-{today.isoformat()}"
    dest, number = where / f"{name}{SUFFIX}", 2
    while dest.exists():
        dest, number = where / f"{name}-{number}{SUFFIX}", number + 1
    return take(source, dest)


def dailies(source: Path, where: Path | None = None) -> list[tuple[date, Path]]:
    """The daily backups of ``source``, newest first."""
    where = where or folder()
    found = []
    start = prefix(source) + "-"
    for path in where.glob(f"{glob.escape(start)}*{SUFFIX}") if where.is_dir() else ():
        rest = path.name[len(start) :]
        match = _DAILY.fullmatch("-" + rest)
        if match:
            try:
                found.append((date.fromisoformat(match[1]), path))
            except ValueError:
                continue  # not a name this module wrote
    return sorted(found, reverse=True)


def rotate(source: Path, where: Path | None = None) -> list[Path]:
    """Remove the daily backups past the last 14 days' and the newest of each of the last 8
    weeks; return what was removed."""
    kept: set[Path] = set()
    weeks: dict[tuple[int, int], Path] = {}
    every = dailies(source, where)
    for _day, path in every[:KEEP_DAILY]:
        kept.add(path)
    for day, path in every:
        week = day.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks[week] = path
    kept.update(weeks.values())
    removed = [path for _day, path in every if path not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    views.forget([str(path.resolve()) for path in removed])
    return removed


def last_good(source: Path, where: Path | None = None) -> tuple[date, Path] | None:
    """The newest daily backup of ``source`` (each was checked when it was taken)."""
    every = dailies(source, where)
    return every[0] if every else None


DAMAGE_WORDS = ("malformed", "not a database", "disk image", "file is encrypted", "database corrupt")


def is_damage(error: BaseException) -> bool:
    """Whether a database error says the file is damaged (SQLite's words for it)."""
    text = str(getattr(error, "orig", None) or error).lower()
    return isinstance(error, sqlite3.DatabaseError | _sqlalchemy_database_error()) and any(
        word in text for word in DAMAGE_WORDS
    )


def _sqlalchemy_database_error() -> type[BaseException]:
    import sys

    exc = sys.modules.get("sqlalchemy.exc")  # only if SQLAlchemy is loaded already
    return exc.DatabaseError if exc is not None else sqlite3.DatabaseError


def damaged_message(source: Path, reason: str) -> str:
    """The one sentence a damaged tracker gets, naming its last good backup."""
    found = last_good(source)
    backup = (
        f"your last good backup is {found[1]} from {found[0]:%d %b %Y}"
        if found
        else "there is no backup of it in the backups folder"
    )
    reason = " ".join(reason.split()).rstrip(".")
    reason = reason if len(reason) <= 120 else reason[:119].rstrip() + "…"
    return (
        f"The tracker file {source} is damaged ({reason}); {backup}. Nothing was written; "
        "see the README, 'If the tracker is damaged'."
    )
