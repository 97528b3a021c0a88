"""The log of unexpected errors: each with its traceback, in the platform's log folder
(``sscp-tui paths`` shows it), readable only by its owner, capped at 1 MB and three older
files. What the user sees is one sentence naming this file; never the traceback."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from sscp_tui.paths import app_paths, ensure_private_dir

MAX_BYTES = 1_000_000
KEEP = 3
_installed: tuple[Path, logging.Handler] | None = None


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files (the first and each new one) are made 0600."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, self.mode.replace("w", "a"), encoding=self.encoding, errors=self.errors)


def install() -> Path | None:
    """Send warnings and errors of every sscp-tui module to the log file (once); the file, or
    None where the folder cannot be made (then nothing is logged, and messages say so)."""
    global _installed
    path = app_paths().log_file
    root = logging.getLogger("sscp_tui")
    if _installed is not None:
        if _installed[0] == path:
            return path
        root.removeHandler(_installed[1])  # the folders moved (SSCP_TUI_HOME): follow them
        _installed[1].close()
        _installed = None
    try:
        ensure_private_dir(path.parent)
        # Opened now (not at the first error), so a log that cannot be written is known here.
        handler = _PrivateRotatingHandler(path, maxBytes=MAX_BYTES, backupCount=KEEP, encoding="utf-8")
    except OSError:
        return None  # the messages then say that no log could be written
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    _installed = (path, handler)
    return path


def record(error: BaseException, what: str = "Unexpected error") -> str:
    """Write ``error`` with its traceback to the log; the words that name the log for a user."""
    path = install()
    logging.getLogger("sscp_tui.errors").error(what, exc_info=(type(error), error, error.__traceback__))
    return f"the details are in {path}" if path else "no log could be written"
