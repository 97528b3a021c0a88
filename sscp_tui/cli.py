"""The command line. With no command, it opens the tracker in the terminal UI."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from sscp_tui.config import ConfigError, Settings, load_settings
from sscp_tui.db import tracker_file
from sscp_tui.paths import app_paths, ensure_private_dir, write_private_text

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """One sentence for the user, exit status 1, never a traceback."""

    def show(self, file: Any = None) -> None:
        from sscp_tui.text_safety import shown

        prefix = "" if self.message.startswith("sscp-tui ") else "sscp-tui: "
        click.echo(shown(f"{prefix}{self.message}"), err=True)  # a file's words may be in it


def fail(message: str) -> NoReturn:
    raise UserError(message)


class Commands(click.Group):
    """The command group. A broken installation, found by whichever command first needs a
    shipped file, is one sentence and exit status 1 here, for every command and the TUI."""

    def invoke(self, ctx: click.Context) -> Any:
        from sscp_tui.errors import EditError, InstallationError

        try:
            return super().invoke(ctx)
        except (InstallationError, EditError) as exc:  # one sentence of their own
            raise UserError(str(exc)) from exc
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise  # `sscp-tui alerts | head`: the reader has gone, which is no error of ours
        except Exception as exc:  # the last line: one sentence, and the traceback in the log
            raise UserError(_unexpected(exc)) from exc


def _unexpected(error: BaseException) -> str:
    """The sentence for an error no command expected: a damaged tracker named as such; else
    what went wrong in a word, and where its details were written."""
    from sscp_tui import logfile
    from sscp_tui.db import backups, failures

    where = logfile.record(error)
    if failures.classify(error) is not failures.Failure.OTHER:  # a server gone, a lock, a role
        return failures.sentence(error, _current_location or "the tracker")
    if backups.is_damage(error):
        target = _current_tracker or Path(str(app_paths().database))
        return backups.damaged_message(target, str(getattr(error, "orig", None) or error))
    return f"Something went wrong ({type(error).__name__}); nothing further was saved, and {where}."


_current_tracker: Path | None = None  # the tracker file the command opened, to name it if damaged
_current_location = ""  # the tracker the command opened, as it may be shown (no password)
_read_only = False  # --read-only: every tracker this run opens is opened to be read
_author: str | None = None  # --author / SSCP_TUI_AUTHOR: who history records, before the settings


def _as_of(value: str | None) -> date | None:
    if not value:
        return None
    from sscp_tui.services.timescales import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        fail(f"--as-of: {exc}")


def _settings() -> Settings:
    try:
        settings = load_settings(app_paths().config_file)
    except ConfigError as exc:
        fail(str(exc))
    if _author:
        return settings.with_overrides(author=_author, author_from="flag")
    return settings


def _open(target: str | None, *, create: bool) -> Any:
    from sscp_tui.db.store import StoreError, open_store

    global _current_tracker, _current_location
    chosen = target or app_paths().database
    if "://" not in str(chosen):
        _current_tracker = Path(chosen).expanduser()
    try:
        store = open_store(chosen, create=create and not _read_only, daily_backup=True, read_only=_read_only)
    except StoreError as exc:
        fail(str(exc))
    _current_location = store.location
    return store


def _tracker(db: str | None, as_of: str | None, *, create: bool = False) -> Any:
    from sscp_tui.services.tracker import Tracker

    return Tracker(_open(db, create=create), _settings(), _as_of(as_of))


def db_option(func: F) -> F:
    return click.option(
        "--db",
        metavar="PATH|URL",
        envvar="SSCP_TUI_DB",
        help="Tracker database: a file path or a SQLAlchemy URL (env SSCP_TUI_DB). "
        "Default: tracker.sqlite3 in your data directory (see `sscp-tui paths`).",
    )(func)


def as_of_option(func: F) -> F:
    return click.option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Judge alerts as on this date instead of today.",
    )(func)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version, reading the version only then (see sscp_tui.__getattr__)."""
    if value and not ctx.resilient_parsing:
        import sscp_tui

        click.echo(f"sscp-tui, version {sscp_tui.__version__}")
        ctx.exit()


@click.group(
    cls=Commands,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@db_option
@as_of_option
@click.option("--demo", is_flag=True, help="Open the demo partnership (kept apart from yours).")
@click.option("--read-only", is_flag=True,
              help="Open the tracker to read: every screen, packs and exports, but no change.")  # fmt: skip
@click.option("--author", metavar="NAME", envvar="SSCP_TUI_AUTHOR",
              help="Who history records as making your changes (env SSCP_TUI_AUTHOR). Default: [user] "
                   "author in the settings, else your PostgreSQL role, else your login name.")  # fmt: skip
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")  # fmt: skip
@click.pass_context
def main(
    ctx: click.Context, db: str | None, as_of: str | None, demo: bool, read_only: bool, author: str | None
) -> None:
    """Track a safeguarding children partnership's recommendations, actions and priorities.

    With no command, opens your tracker in the terminal. The first run creates it, empty,
    in your data directory; `--demo` opens a demo partnership built from the SSCP's
    published reports instead.
    """
    global _read_only, _author
    _read_only = read_only
    _author = " ".join(author.split()) if author else None
    if ctx.invoked_subcommand is not None:
        if db:  # `sscp-tui --db X alerts` means X, as `sscp-tui alerts --db X` does
            ctx.default_map = _db_defaults(ctx.command, db)
        return
    settings = _settings()
    day = _as_of(as_of)
    target = _demo_path(day) if demo else (db or str(app_paths().database))
    welcome = f"Demo partnership at {target}." if demo else None
    app = quick_app(target, settings, day, welcome=welcome, read_only=read_only, demo=demo)
    if app is None:
        app = _slow_app(db, settings, day, demo=demo)
    app.run()
    app.close_tracker()
    if app.return_code:
        sys.exit(app.return_code)


def quick_app(
    target: str | None,
    settings: Settings,
    day: date | None,
    *,
    start: str = "dashboard",
    welcome: str | None = None,
    read_only: bool = False,
    demo: bool = False,
) -> Any:
    """The app on a tracker file at this version's schema, or None.

    Its first screen is painted from plain sqlite3 reads and the store opens behind it, so
    SQLAlchemy's loading is not waited for (see services.first_look). A new tracker, an older
    one to migrate, a newer one to refuse, or a URL goes the slow way, through the store."""
    if target is None or "://" in target:
        return None
    from sscp_tui.services.first_look import FirstLook, Opening

    path = Path(target).expanduser()
    look = FirstLook.open(path)
    if look is None:
        return None
    from sscp_tui.app import SSCPApp

    opening = Opening(path, settings, day, look, read_only)
    return SSCPApp(opening, welcome=welcome or f"Opened {opening.location}.", start=start, demo=demo)


def _slow_app(db: str | None, settings: Settings, day: date | None, *, demo: bool) -> Any:
    if demo:
        store, message = _demo_store(day)
    else:
        store = _open(db, create=True)
        message = (
            f"Created a new, empty tracker at {store.location}."
            if store.created
            else f"Opened {store.location}."
        )
    if store.created and not demo:
        click.echo(message, err=True)
    from sscp_tui.app import SSCPApp
    from sscp_tui.services.tracker import Tracker

    return SSCPApp(Tracker(store, settings, day), welcome=message, demo=demo)


def _db_defaults(command: click.Command, db: str) -> dict[str, Any]:
    """A default_map giving every subcommand with a --db option this tracker."""
    found: dict[str, Any] = {}
    for name, sub in getattr(command, "commands", {}).items():
        if isinstance(sub, click.Group):
            found[name] = _db_defaults(sub, db)
        elif any(param.name == "db" for param in sub.params):
            found[name] = {"db": db}
    return found


def _demo_files() -> tuple[Path, Path]:
    """The demo database, and the file saying which day it was built for."""
    target = app_paths().demo_database
    return target, target.with_name(target.name + ".day")


def _demo_path(day: date | None) -> str | None:
    """The demo database, if it was built for this day (it is rebuilt for another)."""
    target, marker = _demo_files()
    today = day or date.today()
    if target.exists() and marker.exists() and marker.read_text().strip() == today.isoformat():
        return str(target)
    return None


def _demo_store(day: date | None) -> tuple[Any, str]:
    """The demo database, rebuilt when it was built for another day (so its dates stay live)."""
    from sscp_tui.db.store import StoreError
    from sscp_tui.services.demo import write_demo

    target, marker = _demo_files()
    today = day or date.today()
    if _demo_path(day) is not None:
        return _open(str(target), create=False), f"Demo partnership at {target}."
    ensure_private_dir(target.parent)
    for part in tracker_file.parts(target):
        part.unlink(missing_ok=True)
    try:
        store, _summary = write_demo(target, today)
    except StoreError as exc:
        fail(str(exc))
    write_private_text(marker, today.isoformat())
    if _read_only:  # built, then opened as asked: to be read
        store.close()
        store = _open(str(target), create=False)
    return store, f"Built the demo partnership at {target}."


@main.command()
def paths() -> None:
    """Print where sscp-tui keeps its data, settings and database."""
    where = app_paths()
    click.echo(f"data directory:   {where.data_dir}")
    click.echo(f"config directory: {where.config_dir}")
    click.echo(f"settings file:    {where.config_file}")
    click.echo(f"database:         {where.database}")
    click.echo(f"demo database:    {where.demo_database}")
    click.echo(f"packs and exports: {where.documents_dir}")
    click.echo(f"backups:          {where.data_dir / 'backups'}")
    click.echo(f"log of errors:    {where.log_file}")


@main.command()
@click.option(
    "--db",
    metavar="PATH",
    envvar="SSCP_TUI_DB",
    help="The tracker to back up (env SSCP_TUI_DB). Default: your tracker.",
)
@click.argument("dest", required=False, type=click.Path(path_type=Path, dir_okay=False))
def backup(db: str | None, dest: Path | None) -> None:
    """Copy the tracker, whole and consistent, to DEST (default: a dated file in the backups
    folder; see `sscp-tui paths`). DEST must not exist.

    A backup is a tracker like any other: open it with --db. To restore one, copy it back to
    a new file with `sscp-tui backup --db BACKUP NEW` and open NEW. sscp-tui also takes a
    backup itself the first time it opens your tracker each day, keeping 14 daily and 8 weekly.
    """
    from datetime import datetime

    from sscp_tui.db import backups

    source_text = db or str(app_paths().database)
    if "://" in source_text and not source_text.startswith("sqlite"):
        _back_up_from_a_server(source_text, dest)
        return
    source = (
        Path(source_text).expanduser() if "://" not in source_text else Path(source_text.split(":///", 1)[1])
    )
    if source.is_file():
        damage = backups.check(source)
        if damage:
            fail(backups.damaged_message(source, damage))
    target = dest or backups.folder() / f"{backups.prefix(source)}-{datetime.now():%Y-%m-%d-%H%M%S}.sqlite3"
    try:
        made = backups.take(source, target.expanduser())
    except backups.BackupError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"Could not write {target}: {exc.strerror or exc}.")
    click.echo(f"Backed up {source} to {made.path}: {made.items:,} items, {made.history:,} history rows.")


def _back_up_from_a_server(url: str, dest: Path | None) -> None:
    """A tracker on a PostgreSQL server is backed up as a copy in a new SQLite file: whole, of
    one moment, and a tracker like any other (open it with --db; copy it back up with `copy`)."""
    from datetime import datetime

    from sscp_tui.db import backups

    target = (dest or backups.folder() / f"server-{datetime.now():%Y-%m-%d-%H%M%S}.sqlite3").expanduser()
    if target.exists():
        fail(f"{target} already exists; a backup never replaces a file. Name another.")
    report = _copy(url, str(target))
    click.echo(f"Backed up {_current_location} to {target}: {_rows(report)}.")


def _rows(report: Any) -> str:
    counts = dict(report.counts)
    return f"{counts['items']:,} items, {counts['history']:,} history rows, {counts['meetings']:,} meetings"


def _copy(source_text: str, dest_text: str) -> Any:
    """Copy the tracker at ``source_text`` into a new or empty one at ``dest_text``; a
    destination file this call made is removed again if the copy fails."""
    from sqlalchemy.exc import DBAPIError

    from sscp_tui import views
    from sscp_tui.db import failures
    from sscp_tui.db.store import StoreError, open_store
    from sscp_tui.services.copying import copy_tracker

    global _read_only
    reading, _read_only = _read_only, True  # the source is only read: never upgraded or changed
    try:
        source = _open(source_text, create=False)
    finally:
        _read_only = reading
    dest_path = None if "://" in dest_text else Path(dest_text).expanduser()
    existed = dest_path is not None and dest_path.exists()
    try:
        destination = open_store(dest_text, create=True)
    except StoreError as exc:
        source.close()
        fail(str(exc))

    try:
        report = copy_tracker(source, destination)
        views.carry(source.location, destination.location)  # the saved log views come too
        return report
    except StoreError as exc:
        message = str(exc)
    except DBAPIError as exc:  # the destination refused a row, or a server went away: rolled back
        message = f"The copy stopped and nothing was copied: {failures.sentence(exc, destination.location)}"
    finally:
        source.close()
        destination.close()
    if dest_path is not None and not existed:  # closed first: closing may write to the file
        for part in tracker_file.parts(dest_path):
            part.unlink(missing_ok=True)
    fail(message)


@main.command()
@click.argument("src", metavar="SRC")
@click.argument("dest", metavar="DEST")
def copy(src: str, dest: str) -> None:
    """Copy a whole tracker from SRC to DEST: items, updates, history, meetings and all.

    Each is a file path or a database URL, so this is how a partnership moves its log onto a
    PostgreSQL server (`sscp-tui copy tracker.sqlite3 postgresql+psycopg://…`), or takes it
    back to a file. DEST must be new or empty; SRC is only read. Each table's rows are counted
    on both sides, and the copy is kept only if every count agrees.
    """
    if _read_only:
        fail("A copy writes to DEST, which --read-only forbids.")
    report = _copy(src, dest)
    for table, count in report.counts:
        click.echo(f"  {table.replace('_', ' '):<26}{count:>10,}")
    click.echo(
        f"Copied {_current_location} to {_location(dest)}: {report.total:,} rows, each table's count checked."
    )


def _location(target: str) -> str:
    from sqlalchemy.engine import make_url

    if "://" not in target:
        return str(Path(target).expanduser())
    return make_url(target).render_as_string(hide_password=True)


@main.command()
@click.option("--db", metavar="PATH|URL", required=True, help="Where to write the demo data.")
@as_of_option
def demo(db: str, as_of: str | None) -> None:
    """Write the demo partnership into a new or empty database, for scripts and tests."""
    from sscp_tui.services.demo import DemoError, load_demo

    store = _open(db, create=True)
    try:
        summary = load_demo(store, _as_of(as_of))
    except DemoError as exc:
        fail(str(exc))
    finally:
        store.close()
    click.echo(
        f"Wrote the demo partnership to {store.location}: {summary.agencies} agencies, "
        f"{summary.reviews} reviews, {summary.items} items, {summary.updates} progress "
        f"updates, {summary.meetings} meetings."
    )


FORMATS = click.Choice(["text", "csv", "json"], case_sensitive=False)


@main.command()
@db_option
@click.option("--agency", metavar="NAME", help="Only items this agency leads (name or short name).")
@as_of_option
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def alerts(db: str | None, agency: str | None, as_of: str | None, fmt: str) -> None:
    """List the open items needing attention, grouped by lead agency.

    With --as-of a past day, the tracker is judged as it stood at the end of that day.

    An item needs attention when it is overdue, due soon (within the due-soon window,
    28 days unless configured), has no timescale, or is stale (no progress update within
    the staleness period, 90 days unless configured). Items delivered (Green, with evidence
    of completion) and awaiting evidence of impact are listed too, with how long they have
    waited. Suitable for cron: text for people, CSV or JSON for scripts.
    """
    day = _as_of(as_of)
    quick = _quick_alerts(db, day, fmt) if agency is None and (day is None or day >= date.today()) else None
    if quick is not None:  # a large tracker file read without loading SQLAlchemy, in order
        _emit_alerts(*quick, fmt)
        return
    from sscp_tui.services.catalog import UnknownName

    tracker = _tracker(db, as_of)
    try:
        agency_id = tracker.find_agency(agency).id if agency else None
    except UnknownName as exc:
        fail(str(exc))
    rows = _alerts_of(tracker, agency_id, past=as_of is not None and tracker.as_of < date.today())
    tracker.store.close()
    _emit_alerts(_json_lines(rows) if fmt.lower() == "json" else rows, tracker.as_of, fmt)


def _alerts_of(tracker: Any, agency_id: int | None, *, past: bool) -> list[Any]:
    """The items the command lists, read through the store: by lead agency (none last), worst
    alert first within each."""
    from sscp_tui.services.records import AlertKind

    wanted = {AlertKind.OVERDUE, AlertKind.DUE_SOON, AlertKind.NO_TIMESCALE, AlertKind.STALE}
    if past:
        # A past day is judged on the tracker as it stood that day (ratings, timescales, leads,
        # updates), as a pack for that day is: today's values would be read into the past.
        from sscp_tui.db.models import Rating
        from sscp_tui.services.packs.builder import items_as_at
        from sscp_tui.text_safety import shown, shown_or_none

        then: list[Any] = [
            # Shown as the live rows are (text_safety): a control character as a visible symbol.
            replace(item, source=shown(item.source), reference=shown(item.reference),
                    timescale=shown(item.timescale), lead_agency=shown_or_none(item.lead_agency))
            for item in items_as_at(tracker, tracker.as_of, agency_id)
            if item.rating is not Rating.BLUE
        ]  # fmt: skip
        then.sort(key=_worst_first)  # as today's are: worst alert first, then by due date
    else:
        then = list(tracker.alert_items(agency_id, awaiting_too=True))
    rows = [row for row in then if row.alerts & wanted or row.awaiting_days is not None]
    rows.sort(key=lambda row: (row.lead_agency or "~",))  # stable: worst first within each
    return rows


def _quick_alerts(db: str | None, day: date | None, fmt: str) -> tuple[list[Any], date] | None:
    """The alerts of a tracker file that opening the store would only open, read with plain
    sqlite3 (services.alert_listing), with the day they are judged on; else None. For JSON,
    each item's line itself."""
    from sscp_tui.services import alert_listing
    from sscp_tui.services.alerts import AlertRules

    global _current_tracker, _current_location
    target = str(db or app_paths().database)
    if "://" in target:
        return None
    path = Path(target).expanduser()
    look = alert_listing.quick_listing(path, date.today())
    if look is None:
        return None
    _current_tracker, _current_location = path, str(path)
    rules = AlertRules.of(_settings(), day or date.today())
    read = alert_listing.json_lines if fmt.lower() == "json" else alert_listing.alert_lines
    return read(look, rules), rules.as_of


def _emit_alerts(rows: list[Any], as_of: date, fmt: str) -> None:
    writer = {"text": _alerts_text, "csv": _alerts_csv, "json": _alerts_json}[fmt.lower()]
    # Written as it is made, a thousand lines at a time: a large log's alerts are tens of
    # thousands of lines, which need not be held as one string.
    for chunk in _batches(writer(rows, as_of), 1000):
        click.echo("".join(chunk), nl=False)


def _worst_first(row: Any) -> tuple[int, date, int]:
    """The order today's alerts come in (the log's alerts sort): the worst alert first, then
    the due date (none last), then as entered."""
    from sscp_tui.services.alerts import ALERT_SEVERITY

    worst = min(
        (n for n, kind in enumerate(ALERT_SEVERITY) if kind in row.alerts), default=len(ALERT_SEVERITY)
    )
    return worst, row.due_on or date.max, row.id


def _batches(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    """Lines in lists of ``size`` (itertools.batched arrives only with Python 3.12)."""
    source = iter(lines)
    while chunk := list(islice(source, size)):
        yield chunk


def _alert_names(row: Any, *, days: bool = True) -> list[str]:
    from sscp_tui.services.alert_listing import alert_names

    names = list(alert_names(row.alerts, awaiting=False))
    if row.awaiting_days is not None:  # delivered: waiting for evidence of impact
        names.append(f"awaiting impact {row.awaiting_days} d" if days else "awaiting impact")
    return names


def _record(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind.value,
        "review": row.source,
        "reference": row.reference,
        "lead_agency": row.lead_agency,
        "timescale": row.timescale,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "rating": row.rating.value if row.rating else None,
        "days_overdue": row.days_overdue,
        "last_update_on": row.last_update_on.isoformat() if row.last_update_on else None,
        "alerts": _alert_names(row, days=False),
        "awaiting_impact_days": row.awaiting_days,
    }


def _json_lines(rows: list[Any]) -> list[str]:
    """Each row as a line of the command's JSON (alert_listing.json_line)."""
    from sscp_tui.services.alert_listing import json_line, quoted_list

    return [
        json_line(
            row.id,
            row.kind.value,
            row.source,
            row.reference,
            row.lead_agency,
            row.timescale,
            row.due_on.isoformat() if row.due_on else None,
            row.rating.value if row.rating else None,
            row.days_overdue,
            row.last_update_on.isoformat() if row.last_update_on else None,
            quoted_list(_alert_names(row, days=False)),
            row.awaiting_days,
        )
        for row in rows
    ]


def _alerts_json(lines: list[str], as_of: date) -> Iterator[str]:
    """One item a line (see alert_listing.json_line): readable, and made without the json
    module's encoder, an item at a time, which was a third of the command's time at 60,000."""
    yield f'{{\n  "as_of": "{as_of.isoformat()}",\n  "count": {len(lines)},\n  "items": ['
    for number, line in enumerate(lines):
        yield ("," if number else "") + "\n    " + line
    yield "\n  ]\n}\n" if lines else "]\n}\n"


def _alerts_csv(rows: list[Any], as_of: date) -> Iterator[str]:
    from sscp_tui.services.spreadsheet_safety import neutralise

    out = io.StringIO()
    columns = ["lead_agency", "kind", "review", "reference", "timescale", "due_on", "rating",
               "days_overdue", "last_update_on", "alerts", "awaiting_impact_days"]  # fmt: skip
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        data = _record(row)
        data["alerts"] = "; ".join(data["alerts"])
        writer.writerow([neutralise(data[c]) for c in columns])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _alerts_text(rows: list[Any], as_of: date) -> Iterator[str]:
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    yield f"Alerts as of {as_of:%d %b %Y}: {len(rows)} open items need attention.\n"
    per_agency = Counter(row.lead_agency for row in rows)
    current: str | None = "\0"
    for row in rows:
        if row.lead_agency != current:
            current = row.lead_agency
            yield f"\n{current or 'No lead agency'} ({per_agency[current]})\n"
        due = f"due {row.due_on:%d %b %Y}" if row.due_on else _clip(row.timescale or "no timescale", 30)
        rating = row.rating.label if row.rating else "Unrated"
        # The alerts always show: a long review title is shortened to fit the line instead.
        tail = f" {_clip(row.reference, 20)} · {rating} · {due} · {', '.join(_alert_names(row))}"
        room = max(width - len(tail) - 2, 16)
        yield f"  {_clip(row.source, room)}{tail}\n"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


from sscp_tui.cli_transfer import register  # noqa: E402 - the commands import helpers above

register(main)

from sscp_tui.cli_packs import register as _register_packs  # noqa: E402 - meeting and pack commands

_register_packs(main)
