"""The one place that asks platformdirs where things live.

Environment overrides: ``SSCP_TUI_DB`` (a path or SQLAlchemy URL for the tracker) and
``SSCP_TUI_CONFIG`` (the settings file). ``SSCP_TUI_HOME`` puts every directory under one
folder, which the tests use so that a developer's own files never leak into a run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

APP_NAME = "sscp-tui"
DB_FILENAME = "tracker.sqlite3"
DEMO_FILENAME = "demo.sqlite3"
CONFIG_FILENAME = "config.toml"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    state_dir: Path
    documents_dir: Path  # where meeting packs and exports are offered to go
    log_dir: Path  # the log of unexpected errors, with their tracebacks

    @property
    def config_file(self) -> Path:
        override = os.environ.get("SSCP_TUI_CONFIG")
        return Path(override).expanduser() if override else self.config_dir / CONFIG_FILENAME

    @property
    def database(self) -> str:
        """The user's tracker: a file path or a SQLAlchemy URL."""
        return os.environ.get("SSCP_TUI_DB") or str(self.data_dir / DB_FILENAME)

    @property
    def demo_database(self) -> Path:
        return self.data_dir / DEMO_FILENAME

    @property
    def log_file(self) -> Path:
        return self.log_dir / "sscp-tui.log"

    @property
    def views_file(self) -> Path:
        """Saved log views and the remembered agency (written by the app)."""
        return self.state_dir / "views.json"


def app_paths() -> AppPaths:
    home = os.environ.get("SSCP_TUI_HOME")
    if home:
        root = Path(home).expanduser()
        return AppPaths(root / "data", root / "config", root / "state", root / "documents", root / "log")
    import platformdirs

    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_documents_dir()) / APP_NAME,
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )


def ensure_private_dir(path: Path) -> Path:
    """Create ``path``, and every missing folder above it, readable only by its owner (mkdir's
    own ``parents`` would make those with the umask's looser mode). Existing folders are left
    as they are."""
    missing = []
    here = path
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass  # made meanwhile by another process: fine
        else:
            os.chmod(folder, 0o700)  # whatever the umask
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    return path


@contextmanager
def atomic_private_file(path: Path) -> Iterator[BinaryIO]:
    """A new file readable only by its owner, put in place only once completely written.

    The one way this project writes a file (packs, exports, state). The temporary file lives
    in the same folder, so the final rename is atomic; on any failure it is removed and the
    error (an OSError, say) carries on to the caller, who puts it in a sentence."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private_text(path: Path, text: str) -> None:
    """Write a file atomically, readable and writable only by its owner."""
    ensure_private_dir(path.parent)
    with atomic_private_file(path) as handle:
        handle.write(text.encode("utf-8"))
