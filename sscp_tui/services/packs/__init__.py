"""Meeting packs: the papers for a panel or board meeting, in one call.

For a screen or a command::

    groups = meeting_groups(tracker)                  # for a picker; resolve_group() for typing
    spec = PackSpec(group="Case Review Panel", meeting_on=date(2026, 12, 10))
    pack = build_pack(tracker, spec, progress)        # reads the tracker once, checks the words
    pack.cover, pack.summary, pack.findings           # what to tell the user before writing
    write_pack(pack, PackFormat.DOCX, path, progress=progress)  # refuses if findings
    suggested_file_name(pack, PackFormat.DOCX)        # "case-review-panel-2026-12-10-pack.docx"

or :func:`generate` for both steps. ``progress(stage, fraction)`` is optional; it is called
from the thread doing the work (run both calls in a worker: a large log takes a second or
two). Every failure is a :class:`PackError` whose message is one sentence for the user;
:class:`PackFlagged` (a PackError) carries the findings. Files are written atomically and
readable only by their owner.

Nothing here imports Textual, and the renderers (python-docx for Word) load only when a pack
is written in their format.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from sscp_tui.services.packs.builder import PackSpec, build_pack, meeting_groups, resolve_group
from sscp_tui.services.packs.guard import describe
from sscp_tui.services.packs.model import (
    Finding,
    GroupBy,
    Pack,
    PackError,
    PackFormat,
    Progress,
)
from sscp_tui.services.packs.output import gc_paused
from sscp_tui.services.tracker import Tracker

_RENDERERS = {
    PackFormat.DOCX: "sscp_tui.services.packs.to_docx",
    PackFormat.HTML: "sscp_tui.services.packs.to_html",
    PackFormat.MARKDOWN: "sscp_tui.services.packs.to_markdown",
    PackFormat.XLSX: "sscp_tui.services.packs.to_xlsx",
}


class PackExists(PackError):
    """The file chosen for the pack exists already, and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path} already exists; nothing was written.")


class PackFlagged(PackError):
    """Listed words appear in the pack, so it was not written."""

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        times = "once" if len(findings) == 1 else f"{len(findings)} times"
        super().__init__(
            f"The pack was not written: words on the list of words to exclude appear {times} — "
            f"{describe(findings)}."
        )
        self.findings = findings


def format_for(path: Path) -> PackFormat | None:
    """The format a file name implies (.docx, .html/.htm, .md/.markdown, .xlsx), if any."""
    suffix = path.suffix.lower()
    aliases = {".htm": PackFormat.HTML, ".markdown": PackFormat.MARKDOWN}
    if suffix in aliases:
        return aliases[suffix]
    return next((f for f in PackFormat if f.suffix == suffix), None)


def suggested_file_name(pack: Pack, fmt: PackFormat) -> str:
    """A file name for the pack: the group and the meeting's date, in plain characters."""
    group = re.sub(r"[^a-z0-9]+", "-", pack.cover.group.casefold()).strip("-") or "meeting"
    return f"{group}-{pack.cover.meeting_on.isoformat()}-pack{fmt.suffix}"


def write_pack(
    pack: Pack,
    fmt: PackFormat,
    path: Path,
    *,
    allow_flagged: bool = False,
    progress: Progress | None = None,
    replace: bool = False,
) -> None:
    """Write ``pack`` to ``path`` (atomically, mode 0600) unless listed words appear in it, or
    the file exists and ``replace`` was not asked for (PackExists)."""
    if pack.findings and not allow_flagged:
        raise PackFlagged(pack.findings)
    if path.exists() and not replace:
        raise PackExists(path)
    if progress:
        progress(f"Writing the {fmt.label}", 0.65)
    module = importlib.import_module(_RENDERERS[fmt])
    with gc_paused():
        module.render(pack, path, progress)


def generate(
    tracker: Tracker,
    spec: PackSpec,
    fmt: PackFormat,
    path: Path,
    *,
    allow_flagged: bool = False,
    progress: Progress | None = None,
) -> Pack:
    """Build the pack and write it; returns the pack (its cover and findings, for a message)."""
    pack = build_pack(tracker, spec, progress)
    write_pack(pack, fmt, path, allow_flagged=allow_flagged, progress=progress)
    return pack


__all__ = [
    "Finding",
    "GroupBy",
    "Pack",
    "PackError",
    "PackExists",
    "PackFlagged",
    "PackFormat",
    "PackSpec",
    "Progress",
    "build_pack",
    "format_for",
    "generate",
    "meeting_groups",
    "resolve_group",
    "suggested_file_name",
    "write_pack",
]
