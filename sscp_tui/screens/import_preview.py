"""The import preview: reads the file (with a progress bar), shows what an import would do,
row by row, and imports it all or nothing.

Its own module, loaded when an import is asked for: the log screen that offers it need not
load DataTable and ProgressBar at every start (0.5 MiB and their import time).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, ProgressBar, Static

from sscp_tui.screens.base import TrackerScreen
from sscp_tui.services.records import ChangeResult
from sscp_tui.text_safety import shown
from sscp_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from sscp_tui.services.imports.plan import ImportOptions, ImportPlan, ImportReport


class ImportPreviewScreen(TrackerScreen):
    """Reads the file (with a progress bar), then shows what an import would do, row by row;
    enter imports it all (or nothing)."""

    TITLE = "Import preview"
    BINDINGS: ClassVar = [
        Binding("enter", "apply", "Import", id="import.apply", priority=True),
        Binding("s", "apply_good", "Import the good rows", id="import.good"),
        Binding("escape", "app.pop_screen", "Cancel", id="import.cancel"),
    ]

    def __init__(self, path: Path, options: ImportOptions) -> None:
        super().__init__()
        self.path = path
        self.options = options
        self.found: ImportPlan | None = None
        self.done = False

    def compose(self) -> ComposeResult:
        yield Header()
        # The summary scrolls within its share of the screen, so the rows keep theirs on a
        # small terminal (tab focuses it, to scroll it by keys).
        with VerticalScroll(id="import-summary-box", classes="bar"):
            yield Static(Text(f"Reading {self.path.name}…"), id="import-summary")
        yield DataTable(id="import-rows", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="import-progress", show_eta=False)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (("Row", "row"), ("What", "action"), ("Review", "review"), ("Ref", "ref"),
                           ("Detail", "detail")):  # fmt: skip
            table.add_column(label, key=key)
        self.read_file()

    @work(thread=True, exclusive=True, group="import-plan", exit_on_error=False)
    def read_file(self) -> None:
        from sscp_tui.services.imports.plan import TransferError, plan

        try:
            found = plan(self.tracker, self.path, self.options, self.progress)
        except TransferError as exc:
            self.app.call_from_thread(self._unreadable, str(exc))
            return
        self.app.call_from_thread(self.show, found)

    def _unreadable(self, message: str) -> None:
        self.say(message, severity="error")
        self.app.pop_screen()

    def show(self, found: ImportPlan) -> None:
        self.found = found
        self.query_one(ProgressBar).display = False
        # What the import would do and what enter does come first: on a small terminal the
        # rest (how the file was read) is scrolled to.
        lines = [found.summary()]
        if found.ok:
            lines.append("Enter imports all of it in one step; escape leaves without writing anything.")
        else:
            count = len(found.rejected)
            rows = "1 row cannot" if count == 1 else f"{count:,} rows cannot"
            line = f"{rows} be imported (marked REJECT below), so enter writes nothing."
            if found.good:
                good = "the 1 good row" if found.good == 1 else f"the {found.good:,} good rows"
                target = f"'{found.source.stem} - rejected rows.csv'"
                line += (f" s imports {good} and writes the rejected, each with its reason, to {target} "
                         "beside the file, to put right.")  # fmt: skip
            lines.append(line)
        if found.new_reviews:
            more = " …" if len(found.new_reviews) > 8 else ""
            lines.append(f"New reviews: {', '.join(found.new_reviews[:8])}{more}")
        if found.new_priorities:
            lines.append(f"New priorities: {', '.join(found.new_priorities[:8])}")
        if found.new_agencies:
            lines.append(f"New agencies: {', '.join(found.new_agencies)}")
        lines.append(f"Read {found.description}.")
        for sheet, columns in found.sheet_columns:
            of = f" of '{sheet}'" if len(found.sheet_columns) > 1 else ""
            lines.append(f"Columns{of}: " + "; ".join(c for c in columns if "→" in c) + ".")
        if found.skipped:
            lines.append("Sheets not read: " + "; ".join(found.skipped) + ".")
        # A file's own words (sheet names, headings) are shown, never written raw (text_safety).
        self.query_one("#import-summary", Static).update(Text(shown("\n".join(lines))))
        table = self.query_one(DataTable)
        for row in found.rows:
            style = "bold" if row.action.value == "reject" else ""
            place = f"{row.sheet}!{row.row}" if row.sheet else str(row.row)
            cells = [Text(shown(text)) for text in (place, row.source, row.reference, row.detail)]
            cells.insert(1, Text(row.action.value.upper(), style=style))
            table.add_row(*cells)
        table.focus()

    def action_apply(self) -> None:
        if self.done or self.found is None:
            return
        if not self.found.ok:
            self.say("Some rows cannot be imported; nothing was written. Put them right and import again.",
                     severity="error")  # fmt: skip
            return
        self.done = True
        self.query_one(ProgressBar).display = True
        self.apply_plan()

    def action_apply_good(self) -> None:
        """Import the rows that can be, leaving out the rejected (written to a file to put right)."""
        from dataclasses import replace

        found = self.found
        if self.done or found is None:
            return
        if found.ok:
            self.action_apply()
            return
        if not found.good:
            self.say("No row of the file can be imported; nothing was written.", severity="error")
            return
        self.found = replace(found, options=replace(found.options, skip_rejected=True))
        self.done = True
        self.query_one(ProgressBar).display = True
        self.apply_plan()

    def progress(self, stage: str, done: int, total: int) -> None:
        self.app.call_from_thread(self._progress, done, total)

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total or None, progress=done)

    @work(thread=True, exclusive=True, group="import-apply", exit_on_error=False)
    def apply_plan(self) -> None:
        from sscp_tui.services.imports.plan import TransferError
        from sscp_tui.services.imports.write import apply

        assert self.found is not None
        try:
            report = apply(self.tracker, self.found, self.progress)
        except TransferError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._finished, report)

    def _failed(self, message: str) -> None:
        self.done = False
        self.query_one(ProgressBar).display = False
        self.say(message, severity="error")

    def _finished(self, report: ImportReport) -> None:
        from sscp_tui.services.imports.plan import RowAction

        changed = report.fields_changed + report.updates_added + report.count(RowAction.CREATE)
        # On the undo list so that u says so, rather than reversing the change made before it.
        self.sscp.remember(ChangeResult(report.batch, changed, not_undoable="An import cannot be undone."))
        files = " and ".join(str(path) for path in report.rejected_files)
        where = f" The rejected rows are in {files}." if files else ""
        self.say(f"Imported: {report.summary()}{where}")
        self.app.pop_screen()
        refresh = getattr(self.app.screen, "refresh_data", None)
        if refresh is not None:
            refresh()
