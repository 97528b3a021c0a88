"""Bringing a spreadsheet log in (its preview: import_preview) and taking the log out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual import work

from sscp_tui.paths import app_paths, ensure_private_dir
from sscp_tui.screens.forms import ConfirmModal, FormField, FormModal, reused
from sscp_tui.services.records import ItemFilter


def _file_check(value: str) -> str | None:
    path = Path(value.strip()).expanduser()
    if not path.is_file():
        return f"There is no file at {path}."
    if path.suffix.lower() not in (".csv", ".xlsx", ".txt", ".tsv", ".xlsm"):
        return "Choose a .csv or .xlsx file."
    return None


def _export_check(value: str) -> str | None:
    path = Path(value.strip()).expanduser()
    if path.suffix.lower() not in (".csv", ".xlsx"):
        return "The file name must end in .csv or .xlsx."
    if path.is_dir():
        return f"{path} is a folder."
    return None


def import_form() -> FormModal:
    fields = [
        FormField("file", "Spreadsheet to import (.xlsx, .xls, .ods or .csv)", validate=_file_check),
        FormField("sheet", "Sheet (optional; every sheet that holds a log is read)"),
        FormField("agencies", "Agencies the tracker does not know", "reject", kind="select",
                  options=[("Reject their rows", "reject"), ("Add them as new agencies", "create")],
                  blank=None),
    ]  # fmt: skip
    return FormModal("Import a recommendation log", fields, submit="Preview")


def export_form(description: str) -> FormModal:
    default = app_paths().documents_dir / f"sscp-log-{date.today().isoformat()}.xlsx"
    fields = [FormField("file", "Write to (.xlsx or .csv)", str(default), validate=_export_check)]
    return FormModal(f"Export {description}", fields, submit="Export")


def open_import(screen: Any) -> None:
    """Ask for a spreadsheet to import, then show what importing it would do (the dry run)."""

    def done(values: dict[str, str] | None) -> None:
        if values:
            from sscp_tui.services.imports.plan import ImportOptions

            path = Path(values["file"].strip()).expanduser()
            options = ImportOptions(sheet=values["sheet"].strip() or None,
                                    create_agencies=values["agencies"] == "create")  # fmt: skip
            from sscp_tui.screens.import_preview import ImportPreviewScreen

            screen.app.push_screen(ImportPreviewScreen(path, options))

    screen.app.push_screen(reused(screen.app, import_form()), done)


class TransferActions:
    """Mixin for the log screen: `i` imports with a preview, `E` exports what is on screen."""

    def action_import(self) -> None:
        open_import(self)

    def action_export(self) -> None:
        screen: Any = self
        f: ItemFilter = screen.item_filter

        def done(values: dict[str, str] | None) -> None:
            if values:
                screen.run_export(Path(values["file"].strip()).expanduser(), f)

        screen.app.push_screen(reused(screen.app, export_form("the items on screen (this filter)")), done)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def run_export(
        self, path: Path, f: ItemFilter, allow_flagged: bool = False, replace: bool = False
    ) -> None:
        from sscp_tui.services.exporter import ExportExists, ExportFlagged, export
        from sscp_tui.services.imports.plan import TransferError

        screen: Any = self
        try:
            ensure_private_dir(path.parent)
            # In the screen's own order: what was on screen, as it was read there.
            order = (screen.sort, screen.descending)
            report = export(
                screen.tracker, path, f, allow_flagged=allow_flagged, replace=replace, order=order
            )
        except ExportFlagged as exc:
            screen.app.call_from_thread(self._flagged, path, f, str(exc))
            return
        except ExportExists:
            screen.app.call_from_thread(self._exists, path, f, allow_flagged)
            return
        except (TransferError, OSError) as exc:
            message = (
                str(exc) if isinstance(exc, TransferError) else f"Could not write {path}: {exc.strerror}."
            )
            screen.app.call_from_thread(screen.say, message, severity="error")
            return
        said = f"Exported {report.rows:,} items to {report.path}. {report.flag_note}".strip()
        screen.app.call_from_thread(screen.say, said, severity="warning" if report.flagged else "information")

    def _exists(self, path: Path, f: ItemFilter, allow_flagged: bool) -> None:
        """An export to a file that exists: replaced only if the user says so."""
        screen: Any = self

        def answer(replace: bool | None) -> None:
            if replace:
                self.run_export(path, f, allow_flagged=allow_flagged, replace=True)
            else:
                screen.say(f"Nothing was written; {path} is as it was.")

        screen.app.push_screen(ConfirmModal(f"{path} already exists. Replace it?"), answer)

    def _flagged(self, path: Path, f: ItemFilter, message: str) -> None:
        """Listed words in the export: said, and written only if the user says so."""
        screen: Any = self

        def answer(write_anyway: bool | None) -> None:
            if write_anyway:
                self.run_export(path, f, allow_flagged=True)

        said = message.replace(" (--allow-flagged)", "")
        screen.app.push_screen(ConfirmModal(f"{said} Export it anyway?"), answer)
