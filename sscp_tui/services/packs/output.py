"""Writing a pack file safely, and the text helpers every renderer shares."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sscp_tui.paths import atomic_private_file
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

    Afterwards every object the collector tracks, in the whole process (the pack's, and any
    the interface made meanwhile in its own thread), is moved to its oldest generation
    without being walked. Otherwise the first collection after the pause would walk each one
    of them at once (70 ms for a pack of 10,000 items). Any garbage in cycles among them is
    found at the collector's next full collection rather than its next young one: a bounded
    delay, as the pack's own objects hold no cycles. Nothing else here freezes objects, so
    ``unfreeze`` undoes nobody's ``freeze``.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()  # every tracked object out of the generations...
            gc.unfreeze()  # ...and back, into the oldest
            gc.enable()


def write_bytes(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Run ``write`` against a private temporary file, then move it to ``path``."""
    if not path.parent.is_dir():
        raise PackError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    try:
        with atomic_private_file(path) as handle:
            write(handle)
    except OSError as exc:
        raise PackError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def write_text(path: Path, text: str) -> None:
    write_bytes(path, lambda handle: handle.write(text.encode("utf-8")))


def write_pieces(path: Path, pieces: Iterable[str], sep: str = "") -> None:
    """Write ``sep.join(pieces)`` as UTF-8, a megabyte or so at a time (see :func:`batches`)."""

    def write(handle: BinaryIO) -> None:
        for batch in batches(pieces, sep):
            handle.write(batch.encode("utf-8"))

    write_bytes(path, write)


def batches(pieces: Iterable[str], sep: str = "") -> Iterator[str]:
    """``sep.join(pieces)`` in parts of about a megabyte, in order.

    A large pack's text is tens of megabytes, and joined whole then encoded it was held twice
    over: writing a pack of 10,000 items peaked at 121 MiB as a spreadsheet, 112 as a web
    page and 104 as Markdown, against 94, 101 and 91 written a megabyte at a time.
    """
    batch: list[str] = []
    size = 0
    first = True
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH_CHARS:
            yield ("" if first else sep) + sep.join(batch)
            batch, size, first = [], 0, False
    if batch or first:
        yield ("" if first else sep) + sep.join(batch)


_BATCH_CHARS = 1 << 20
