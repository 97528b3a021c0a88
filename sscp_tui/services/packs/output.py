"""Writing a pack file safely, and the text helpers every renderer shares."""

from __future__ import annotations

import gc
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sscp_tui.services.packs.model import PackError

# Characters XML 1.0 forbids (Word and Excel files are XML): C0 controls but tab and newline.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text fit for any format: line endings made "\\n", characters XML forbids removed."""
    if text.isprintable():  # the usual case, and much the quickest test
        return text
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a pack is built or written.

    A pack for a large log makes hundreds of thousands of small objects, none of them in
    cycles; each automatic collection would walk them all again, which more than doubled
    the time taken. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A new file readable only by its owner, put in place only once completely written.

    The temporary file lives in the same folder, so the final rename is atomic; on any
    failure it is removed and the error carries on to the caller.
    """
    folder = path.parent
    if not folder.is_dir():
        raise PackError(f"Cannot write {path}: the folder {folder} does not exist.")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise PackError(f"Cannot write in {folder}: {exc.strerror or exc}.") from exc
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


def write_bytes(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Run ``write`` against a private temporary file, then move it to ``path``."""
    try:
        with atomic_file(path) as handle:
            write(handle)
    except OSError as exc:
        raise PackError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def write_text(path: Path, text: str) -> None:
    write_bytes(path, lambda handle: handle.write(text.encode("utf-8")))
