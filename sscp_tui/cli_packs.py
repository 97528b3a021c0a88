"""Meeting commands: record and list meetings, and make the pack for one.

    sscp-tui meeting add --group "Case Review Panel" --date 2026-12-10
    sscp-tui meeting list [--group "Case Review Panel"]
    sscp-tui pack --meeting "Case Review Panel" [--date 2026-12-10] -o pack.docx

cli.py calls :func:`register` as its last act. The commands are declared inside it so that
this module never imports cli.py while cli.py is still loading; the work is done by the
plain functions below, which load the services only when a command runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

PACK_FORMATS = ("docx", "html", "md", "xlsx")


def register(main: click.Group) -> None:
    """Add the `meeting` group and the `pack` command to the command line."""
    from sscp_tui.cli import as_of_option, db_option

    @main.group()
    def meeting() -> None:
        """Record the meetings that packs are made for, and list them."""

    @meeting.command("add")
    @db_option
    @click.option(
        "--group",
        required=True,
        metavar="GROUP",
        help='The meeting group, such as "Case Review Panel", "Business Group" or "Executive".',
    )
    @click.option("--date", "held_on", required=True, metavar="YYYY-MM-DD", help="The day of the meeting.")
    @click.option("--new-group", is_flag=True,
                  help="Allow a group not yet known (otherwise a misspelt name is refused).")  # fmt: skip
    def meeting_add(db: str | None, group: str, held_on: str, new_group: bool) -> None:
        """Record a meeting, so packs can compare with it and say it is recorded."""
        add_meeting(db, group, held_on, new_group)

    @meeting.command("list")
    @db_option
    @as_of_option
    @click.option("--group", metavar="GROUP", help="Only this group's meetings.")
    def meeting_list(db: str | None, as_of: str | None, group: str | None) -> None:
        """List the recorded meetings, oldest first; those still to come are marked."""
        list_meetings(db, as_of, group)

    @main.command("pack")
    @db_option
    @as_of_option
    @click.option(
        "--meeting",
        "group",
        required=True,
        metavar="GROUP",
        help='The meeting group, such as "Case Review Panel".',
    )
    @click.option(
        "--date",
        "meeting_on",
        metavar="YYYY-MM-DD",
        help="The meeting's day. Default: the group's next recorded meeting.",
    )
    @click.option(
        "--agency",
        "agencies",
        multiple=True,
        metavar="NAME",
        help="Only items this agency leads (name or short name); repeat for several.",
    )
    @click.option(
        "--review",
        "reviews",
        multiple=True,
        metavar="NAME",
        help="Only this review's items; repeat for several.",
    )
    @click.option(
        "--by",
        type=click.Choice(["review", "agency"]),
        default="review",
        show_default=True,
        help="Group the log by review or by lead agency.",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(PACK_FORMATS, case_sensitive=False),
        help="docx (Word), html (a printable web page), md (Markdown) or xlsx. Default: from the file name.",
    )
    @click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="The file to write (an existing one is replaced only with --force).",
    )
    @click.option("--force", is_flag=True, help="Replace the output file if it exists.")
    @click.option(
        "--all",
        "every_item",
        is_flag=True,
        help="Include in the log the items already closed (Blue) at the previous meeting; by default "
        "the log holds open items only, and the cover says how many were left out.",
    )
    @click.option("--open-only", is_flag=True, hidden=True)  # the default now; kept for old scripts
    @click.option("--allow-flagged", is_flag=True,
                  help="Write the pack even though words on the exclusion list appear in it.")  # fmt: skip
    def pack(db: str | None, as_of: str | None, group: str, meeting_on: str | None,
             agencies: tuple[str, ...], reviews: tuple[str, ...], by: str, fmt: str | None,
             output: Path, force: bool, every_item: bool, open_only: bool,
             allow_flagged: bool) -> None:  # fmt: skip
        """Make the pack for a meeting: cover, summary, exceptions, the log and an appendix per agency.

        The pack shows the log as it stood at the end of the meeting day (or today, for a
        meeting still to come) and compares it with the group's previous recorded meeting.
        A meeting that is not recorded still gets its pack; the cover says so. The pack is
        refused when words on the exclusion list ([packs] forbidden_words in the settings)
        appear in it, unless --allow-flagged is given. The log holds open items only (and
        those closed since the previous meeting) unless --all is given.
        """
        options = PackOptions(group, meeting_on, agencies, reviews, by, fmt, output, not every_item,
                              allow_flagged, force)  # fmt: skip
        make_pack(db, as_of, options)


def _day(option: str, value: str) -> date:
    from sscp_tui.cli import fail
    from sscp_tui.services.timescales import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def _group(tracker: Any, name: str, hint: str = "") -> str:
    from sscp_tui.cli import fail
    from sscp_tui.services.packs import PackError, resolve_group

    try:
        return resolve_group(tracker, name)
    except PackError as exc:
        fail(f"{exc}{hint}")


def add_meeting(db: str | None, group: str, held_on: str, new_group: bool) -> None:
    from sscp_tui.cli import _tracker, fail
    from sscp_tui.services.catalog import squash
    from sscp_tui.services.edits import EditError
    from sscp_tui.services.packs import meeting_groups
    from sscp_tui.services.packs.model import long_date

    day = _day("--date", held_on)
    tracker = _tracker(db, None)
    try:
        if new_group:
            known = {squash(g): g for g in meeting_groups(tracker)}
            name = known.get(squash(group), " ".join(group.split()))
        else:
            name = _group(tracker, group, " Give --new-group to record a meeting of a new group.")
        tracker.record_meeting(name, day)
    except EditError as exc:
        fail(str(exc))
    finally:
        tracker.store.close()
    click.echo(f"Recorded the {name} meeting on {long_date(day)}.")


def list_meetings(db: str | None, as_of: str | None, group: str | None) -> None:
    from sscp_tui.cli import _tracker
    from sscp_tui.services.packs.model import long_date

    tracker = _tracker(db, as_of)
    try:
        name = _group(tracker, group) if group else None
        meetings = tracker.meetings(name)
    finally:
        tracker.store.close()
    if not meetings:
        which = f"{name} meetings are" if name else "meetings are"
        click.echo(
            f"No {which} recorded yet; record one with "
            '`sscp-tui meeting add --group "Case Review Panel" --date YYYY-MM-DD`.'
        )
        return
    click.echo(f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''} recorded:")
    for meeting in meetings:
        to_come = "  (to come)" if meeting.held_on >= tracker.as_of else ""
        click.echo(f"  {meeting.held_on.isoformat()}  {meeting.held_on:%a} {long_date(meeting.held_on):<12}"
                   f"  {meeting.group}{to_come}")  # fmt: skip


@dataclass(frozen=True, slots=True)
class PackOptions:
    """The pack command's choices, as typed."""

    group: str
    meeting_on: str | None
    agencies: tuple[str, ...]
    reviews: tuple[str, ...]
    by: str
    fmt: str | None
    output: Path
    open_only: bool
    allow_flagged: bool
    force: bool = False


def _next_meeting(tracker: Any, group: str) -> date:
    from sscp_tui.cli import fail
    from sscp_tui.services.packs.model import long_date

    upcoming: list[date] = [m.held_on for m in tracker.meetings(group) if m.held_on >= tracker.as_of]
    if not upcoming:
        fail(
            f"No {group} meeting is recorded on or after {long_date(tracker.as_of)}; give the "
            "meeting's day with --date, or record it first with "
            f'`sscp-tui meeting add --group "{group}" --date YYYY-MM-DD`.'
        )
    return min(upcoming)


def make_pack(db: str | None, as_of: str | None, options: PackOptions) -> None:
    from sscp_tui.cli import _tracker, fail
    from sscp_tui.services.catalog import UnknownName
    from sscp_tui.services.packs import (
        GroupBy,
        PackError,
        PackExists,
        PackFlagged,
        PackFormat,
        PackSpec,
        build_pack,
        format_for,
        write_pack,
    )
    from sscp_tui.services.packs.guard import describe
    from sscp_tui.services.packs.model import long_date

    fmt = PackFormat(options.fmt.lower()) if options.fmt else format_for(options.output)
    if fmt is None:
        fail(
            f"Say which format to write: give --format docx, html, md or xlsx, or end the file "
            f"name with .docx, .html, .md or .xlsx (not '{options.output.name}')."
        )
    day = _day("--date", options.meeting_on) if options.meeting_on else None
    tracker = _tracker(db, as_of)
    try:
        group = _group(tracker, options.group)
        try:
            agency_ids = tuple(tracker.find_agency(a).id for a in options.agencies)
            review_ids = tuple(tracker.find_review(r).id for r in options.reviews)
        except UnknownName as exc:
            fail(str(exc))
        day = day or _next_meeting(tracker, group)
        spec = PackSpec(group, day, agency_ids, review_ids, GroupBy(options.by), options.open_only)
        try:
            pack = build_pack(tracker, spec)
            write_pack(pack, fmt, options.output, allow_flagged=options.allow_flagged, replace=options.force)
        except PackExists as exc:
            fail(f"{exc} Give --force to replace it.")
        except PackFlagged as exc:
            times = "once" if len(exc.findings) == 1 else f"{len(exc.findings)} times"
            places = "\n".join(f"  '{f.word}' in {f.where}" for f in exc.findings)
            fail(
                f"The pack was not written: words on the list of words to exclude appear {times}. "
                f"Correct the record, or give --allow-flagged to write the pack anyway. "
                f"Where they appear:\n{places}"
            )
        except PackError as exc:
            fail(str(exc))
    finally:
        tracker.store.close()
    cover = pack.cover
    click.echo(
        f"Wrote the {group} pack for {long_date(day)} to {options.output} "
        f"({fmt.label}, {cover.item_count} item{'s' if cover.item_count != 1 else ''}, "
        f"position at the end of {long_date(cover.as_of)})."
    )
    for note in cover.notes:
        click.echo(f"Note: {note}")
    if pack.findings:
        click.echo(
            "Warning: words on the exclusion list appear in the pack — "
            f"{describe(pack.findings, limit=None)}.",
            err=True,
        )
