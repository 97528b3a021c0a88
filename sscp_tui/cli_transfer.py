"""The `import` and `export` commands: a recommendation log in and out as CSV or XLSX.

:func:`register` adds them to the main group; ``cli.py`` calls it at its end. The commands
are assembled there rather than when this module is imported, because they take cli.py's
--db and --as-of options and this module must not import cli.py at import time (cli.py
imports it). Heavy modules are imported inside the commands, as in ``cli.py``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from sscp_tui.paths import app_paths

NAMES_SHOWN = 12  # new reviews, agencies and themes named in full; beyond that, counted
RATINGS = ("blue", "green", "amber", "red", "unrated")
ALERTS = ("overdue", "due-soon", "no-timescale", "stale", "inconsistent")
FIELDS_HELP = (
    "review, review_kind, year, plan, priority, priority_title, reference, parent, parent_text, "
    "illustrative, kind, text, themes, lead_agency, supporting_agencies, timescale, due_on, "
    "original_timescale, original_due_on, rating, owner, evidence_completion, evidence_impact, "
    "update, created_on, update_on, or ignore"
)


def _echo(message: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo for everything these commands print: a file's own words (headings, sheet
    names, cells) are shown, never written raw to the terminal (see text_safety)."""
    from sscp_tui.text_safety import shown

    click.echo(shown(message) if isinstance(message, str) else message, err=err, nl=nl)


def register(group: click.Group) -> None:
    """Add `import` and `export` to ``group``, with cli.py's --db and --as-of options."""
    from sscp_tui.cli import as_of_option, db_option

    file = click.argument("file", type=click.Path(path_type=Path))
    group.add_command(
        click.command("import")(_stacked(import_log, file, db_option, as_of_option, *IMPORT_OPTIONS))
    )
    group.add_command(
        click.command("export")(_stacked(export_log, file, db_option, as_of_option, *EXPORT_OPTIONS))
    )


def _stacked(func: Any, *decorators: Any) -> Any:
    """``func`` with ``decorators`` applied as if written above it, the first one on top."""
    for decorate in reversed(decorators):
        func = decorate(func)
    return func


def _progress() -> Any:
    """A progress line on a terminal; nothing when output goes to a file or a test."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        of = f"/{total:,}" if total else ""
        click.echo(f"\r{stage} {done:,}{of} rows…".ljust(40), nl=False, err=True)

    return show


def _end_progress(progress: Any) -> None:
    if progress is not None:
        click.echo("\r" + " " * 40 + "\r", nl=False, err=True)


IMPORT_OPTIONS = (
    click.option("--dry-run", is_flag=True,
                 help="Say what would be created, updated and rejected, row by row; write nothing."),
    click.option("--sheet", metavar="NAME",
                 help="Read only this sheet (default: every sheet that holds a log)."),
    click.option("--map", "mappings", metavar='"Heading=field"', multiple=True,
                 help=f"Read a column as a field (repeatable). Fields: {FIELDS_HELP}."),
    click.option("--create-agencies", is_flag=True,
                 help="Add agencies the tracker does not know, instead of rejecting their rows."),
    click.option("--review", metavar="NAME",
                 help="The review of rows that name none (a sheet for one review)."),
    click.option("--review-kind", metavar="TYPE",
                 help="The type of new reviews whose type is not written (e.g. LCSPR)."),
    click.option("--skip-rejected", is_flag=True,
                 help="Import the rows that can be imported, in one step, and write the rejected ones, "
                      "with the reason for each, to a CSV beside FILE to put right and import again."),
    click.option("--summary", is_flag=True, help="Print the totals only, not each row."),
)  # fmt: skip


def import_log(file: Path, db: str | None, as_of: str | None, dry_run: bool, sheet: str | None,
            mappings: tuple[str, ...], create_agencies: bool, review: str | None, review_kind: str | None,
            skip_rejected: bool, summary: bool) -> None:  # fmt: skip
    """Import a recommendation log from an XLSX, XLS, ODS or CSV FILE.

    Headings are recognised in the forms real logs use ("Review", "Rec no", "Recommendation",
    "Key agency", "Timescale", "RAG", "Progress" …), wherever the header row is. Rows that
    match an item (same review and reference, else same review and text) update it, with
    each change in its history; the rest create items. All or nothing: if any row is
    rejected, nothing is written, unless --skip-rejected is given. Try --dry-run first.
    """
    from sscp_tui.cli import fail
    from sscp_tui.services.imports.cells import review_kind_of
    from sscp_tui.services.imports.headings import parse_mapping
    from sscp_tui.services.imports.plan import ImportOptions, TransferError, plan
    from sscp_tui.services.imports.write import apply

    try:
        mapping = parse_mapping(mappings)
    except ValueError as exc:
        fail(str(exc))
    kind = review_kind_of(review_kind) if review_kind else None
    if review_kind and kind is None:
        fail(f"--review-kind: '{review_kind}' is not a review type (such as SCR, LCSPR, Rapid Review, DHR).")
    options = ImportOptions(sheet, mapping, create_agencies, review or "", kind, skip_rejected)
    progress = _progress()
    with _import_tracker(db, as_of, dry_run) as tracker:
        try:
            found = plan(tracker, file, options, progress)
        except TransferError as exc:
            _end_progress(progress)
            fail(str(exc))
        _end_progress(progress)
        _echo(f"Read {found.description}.")
        for skipped in found.skipped:
            _echo(f"Skipped sheet {skipped}.")
        for sheet, columns in found.sheet_columns:
            _columns(columns, sheet if len(found.sheet_columns) > 1 else "")
        if dry_run:
            if not summary:
                _rows(found.rows, lambda row: True)
            _news(found.new_reviews, found.new_priorities, found.new_agencies, found.new_themes, would=True)
            _echo(found.summary())
            _echo("Dry run: nothing was written.")
            return
        if not found.ok and not skip_rejected:
            rows = "1 row" if len(found.rejected) == 1 else f"{len(found.rejected)} rows"
            _echo(f"{rows} cannot be imported:", err=True)
            _rows(found.rejected, lambda row: True, err=True)
            first = found.rejected[0]
            also = (f" --skip-rejected imports the other {found.good:,} and writes the rejected to a file "
                    "to put right.") if found.good else ""  # fmt: skip
            if len(found.rejected) == 1:
                fail(f"Row {first.row}: {first.reason} Nothing was written.{also}")
            fail(f"{len(found.rejected)} rows cannot be imported (listed above); nothing was written.{also}")
        try:
            report = apply(tracker, found, progress)
        except TransferError as exc:
            _end_progress(progress)
            fail(str(exc))
        _end_progress(progress)
        if not summary:
            _rows(report.rows, lambda row: row.action.value in ("create", "update"))
        _news(report.new_reviews, report.new_priorities, report.new_agencies, (), would=False)
        _echo(report.summary())
        if report.rejected_files:
            rows = "row" if len(found.rejected) == 1 else "rows"
            files = " and ".join(str(path) for path in report.rejected_files)
            _echo(f"The {len(found.rejected):,} rejected {rows}, each with its reason, are in "
                       f"{files}: put them right there and import that file.")  # fmt: skip


@contextmanager
def _import_tracker(db: str | None, as_of: str | None, dry_run: bool) -> Iterator[Any]:
    """The tracker to import into. A dry run against a tracker that does not exist yet
    compares with an empty one, and creates nothing."""
    from sscp_tui.cli import _as_of, _open, _settings, _tracker

    target = db or app_paths().database
    if dry_run and "://" not in str(target) and not Path(target).expanduser().exists():
        from sscp_tui.services.tracker import Tracker

        _echo(f"There is no tracker at {target} yet; comparing with an empty one.")
        with tempfile.TemporaryDirectory(prefix="sscp-tui-") as tmp:
            store = _open(str(Path(tmp) / "empty.sqlite3"), create=True)
            try:
                yield Tracker(store, _settings(), _as_of(as_of))
            finally:
                store.close()
        return
    tracker = _tracker(db, as_of, create=True)
    if tracker.store.created:
        _echo(f"Created a new, empty tracker at {tracker.store.location}.", err=True)
    try:
        yield tracker
    finally:
        tracker.store.close()


def _columns(columns: tuple[str, ...], sheet: str) -> None:
    used = [c for c in columns if "→" in c]
    unused = [c for c in columns if "→" not in c]
    of = f" of '{sheet}'" if sheet else ""
    _echo(f"Columns{of}: " + "; ".join(used) + ".")
    if unused:
        _echo(f"Not imported{of}: " + "; ".join(unused) + ".")


def _rows(rows: Any, keep: Any, *, err: bool = False) -> None:
    chosen = [row for row in rows if keep(row)]
    if not chosen:
        return
    sheets = any(row.sheet for row in chosen)
    places = [f"{row.sheet}!{row.row}" if sheets else str(row.row) for row in chosen]
    place_width = min(24, max(6, *(len(place) for place in places)))
    source_width = min(30, max(len(row.source) for row in chosen))
    ref_width = min(10, max(3, *(len(row.reference) for row in chosen)))
    _echo(
        f"{'Row':>{place_width}}  {'Outcome':<9}  {'Review':<{source_width}}  {'Ref':<{ref_width}}  Detail",
        err=err,
    )
    for row, place in zip(chosen, places, strict=True):
        shown = place if len(place) <= place_width else "…" + place[-(place_width - 1) :]
        source = row.source if len(row.source) <= source_width else row.source[: source_width - 1] + "…"
        reference = row.reference[:ref_width]
        line = f"{shown:>{place_width}}  {row.action.value:<9}  {source:<{source_width}}  "
        line += f"{reference:<{ref_width}}"
        if row.detail:
            line += f"  {row.detail}"
        _echo(line.rstrip(), err=err)


def _news(
    reviews: tuple[str, ...],
    priorities: tuple[str, ...],
    agencies: tuple[str, ...],
    themes: tuple[str, ...],
    *,
    would: bool,
) -> None:
    verb = "Would add" if would else "Added"
    listed = (("reviews", reviews), ("priorities", priorities), ("agencies", agencies), ("themes", themes))
    for what, names in listed:
        if names:
            more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
            _echo(f"{verb} {what}: {', '.join(names[:NAMES_SHOWN])}{more}.")


EXPORT_OPTIONS = (
    click.option("--agency", metavar="NAME",
                 help="Only items this agency leads or supports (name or short name)."),
    click.option("--lead-only", is_flag=True, help="With --agency: only the items it leads."),
    click.option("--rating", "ratings", multiple=True, type=click.Choice(RATINGS, case_sensitive=False),
                 help="Only items with this rating (repeatable)."),
    click.option("--review", metavar="NAME", help="Only the items of this review."),
    click.option("--alert", "alerts", multiple=True, type=click.Choice(ALERTS, case_sensitive=False),
                 help="Only items with this alert (repeatable: any of them)."),
    click.option("--kind", type=click.Choice(("recommendation", "action"), case_sensitive=False),
                 help="Only recommendations, or only actions."),
    click.option("--state", type=click.Choice(("open", "closed", "all"), case_sensitive=False), default="all",
                 show_default=True, help="Open (not Blue), closed (Blue) or all items."),
    click.option("--search", metavar="WORDS", default="",
                 help="Only items whose words hold every one of WORDS, as the log's / finds them."),
    click.option("--allow-flagged", is_flag=True,
                 help="Write the export even where words on the forbidden list appear in it."),
    click.option("--force", is_flag=True, help="Replace FILE if it exists."),
)  # fmt: skip


def export_log(file: Path, db: str | None, as_of: str | None, agency: str | None, lead_only: bool,
           ratings: tuple[str, ...], review: str | None, alerts: tuple[str, ...], kind: str | None,
           state: str, search: str, allow_flagged: bool, force: bool) -> None:  # fmt: skip
    """Write the log — or what the filters select — to FILE, as CSV or XLSX by its extension.

    The columns are headings `sscp-tui import` reads, so the file can be edited and imported
    again, or imported into another tracker. Formula-like text is written so that no
    spreadsheet runs it. As a pack is, the export is refused when words on the exclusion
    list ([packs] forbidden_words in the settings) appear in it, unless --allow-flagged.
    """
    from sscp_tui.cli import _tracker, fail
    from sscp_tui.db.models import ItemKind, Rating
    from sscp_tui.services.catalog import UnknownName
    from sscp_tui.services.exporter import ExportExists, ExportFlagged
    from sscp_tui.services.exporter import export as write_log
    from sscp_tui.services.records import AlertKind, ItemFilter, ItemState
    from sscp_tui.services.transfer import TransferError
    from sscp_tui.text_safety import clean

    tracker = _tracker(db, as_of)
    try:
        agency_id = tracker.find_agency(agency).id if agency else None
        review_id = tracker.find_review(review).id if review else None
    except UnknownName as exc:
        tracker.store.close()
        fail(str(exc))
    if lead_only and agency_id is None:
        tracker.store.close()
        fail("--lead-only needs --agency.")
    chosen = frozenset(None if r.lower() == "unrated" else Rating(r.lower()) for r in ratings)
    wanted = frozenset(AlertKind(a.lower().replace("-", " ")) for a in alerts)
    f = ItemFilter(
        agency_id=agency_id,
        lead_only=lead_only,
        ratings=chosen,
        review_id=review_id,
        kind=ItemKind(kind.lower()) if kind else None,
        state=ItemState(state.lower()),
        text=" ".join(clean(search).split()),
    )
    progress = _progress()
    try:
        report = write_log(tracker, file, f, wanted, progress, allow_flagged=allow_flagged, replace=force)
    except ExportExists as exc:
        fail(f"{exc} Give --force to replace it.")
    except ExportFlagged as exc:
        places = "\n".join(f"  {place}" for place in exc.found)
        times = "once" if len(exc.found) == 1 else f"{len(exc.found)} times"
        fail(
            f"The export would name words on the forbidden list {times}. Nothing was written; "
            f"correct the record, or export anyway (--allow-flagged). Where they appear:\n{places}"
        )
    except TransferError as exc:
        fail(str(exc))
    finally:
        _end_progress(progress)
        tracker.store.close()
    items = "item" if report.rows == 1 else "items"
    _echo(f"Wrote {report.rows} {items} to {report.path} ({report.format}). {report.flag_note}".strip())
