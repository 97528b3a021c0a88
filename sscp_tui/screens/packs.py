"""Meeting packs: record meetings, and produce a meeting's papers with one key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, ProgressBar, Static

from sscp_tui.paths import app_paths, ensure_private_dir
from sscp_tui.screens.base import TrackerScreen, cursor_id
from sscp_tui.screens.forms import ConfirmModal, FormField, FormModal, a_date, note_form, required, reused
from sscp_tui.services.records import ChangeResult, MeetingRecord
from sscp_tui.services.timescales import parse_date
from sscp_tui.widgets.keybar import KeyBar
from sscp_tui.widgets.navbar import NavBar


def default_folder() -> Path:
    return app_paths().documents_dir


def _folder_check(value: str) -> str | None:
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder."
    return None


@dataclass(frozen=True)
class PackRequest:
    meeting: MeetingRecord
    fmt: str
    by: str
    agency_id: int | None
    review_id: int | None
    folder: Path


class PackScreen(TrackerScreen):
    TITLE = "Meeting pack"
    BINDINGS: ClassVar = [
        Binding("enter,p", "pack", "Produce the pack", id="packs.pack"),
        Binding("n", "new_meeting", "Record a meeting", id="packs.new"),
        Binding(
            "delete", "delete_meeting", "Remove a meeting recorded by mistake", id="packs.delete", show=False
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.meetings: dict[int, MeetingRecord] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield NavBar("packs")
        yield Static(
            Text(
                "Meetings recorded. Choose one and press enter for its pack; n records a meeting, "
                "delete removes one recorded by mistake."
            ),
            classes="bar",
        )
        yield DataTable(id="meetings-table", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(id="pack-progress", show_eta=False)
        yield Static(id="pack-status", classes="bar")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Group", key="group")
        table.add_column("Date", key="date")
        table.add_column("", key="when")
        self.query_one(ProgressBar).display = False
        table.focus()
        self.load()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="meetings", exit_on_error=False)
    def load(self) -> None:
        meetings = self.tracker.meetings()
        self.app.call_from_thread(self.show, meetings)

    def show(self, meetings: list[MeetingRecord]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        today = self.tracker.as_of
        ordered = sorted(meetings, key=lambda m: (m.held_on, m.group), reverse=True)
        self.meetings = {m.id: m for m in ordered}
        upcoming_row = 0
        for index, meeting in enumerate(ordered):
            when = "today" if meeting.held_on == today else ("ahead" if meeting.held_on > today else "held")
            if meeting.held_on >= today:
                upcoming_row = index
            table.add_row(Text(meeting.group), Text(f"{meeting.held_on:%a %d %b %Y}"), Text(when),
                          key=str(meeting.id))  # fmt: skip
        if ordered:
            table.move_cursor(row=upcoming_row, animate=False)

    def current(self) -> MeetingRecord | None:
        meeting_id = cursor_id(self.query_one(DataTable))
        return self.meetings.get(meeting_id) if meeting_id is not None else None

    # --- removing a meeting recorded by mistake ---------------------------------------------
    def action_delete_meeting(self) -> None:
        meeting = self.current()
        if meeting is None:
            self.say("Choose a meeting to remove.", severity="warning")
            return
        if any(worker.group == "pack" and worker.is_running for worker in self.workers):
            self.say("A pack is being produced; remove the meeting once it is written.", severity="warning")
            return
        named = f"the {meeting.group} meeting on {meeting.held_on:%d %b %Y}"

        def confirmed(answer: bool | None) -> None:
            if answer:

                def remove(values: dict[str, str], seen: int | None) -> tuple[ChangeResult, str]:
                    result = self.tracker.delete_meeting(meeting.id, values["note"], seen=seen)
                    return result, f"Removed {named} (recorded in history)."

                self.save_in_form(note_form(f"Why remove {named}?"), remove)

        question = (
            f"Remove {named}? Its packs would compare with the meeting before it; "
            "the history keeps that it was recorded."
        )
        self.app.push_screen(ConfirmModal(question), confirmed)

    # --- recording a meeting ---------------------------------------------------------------
    def forms_ahead(self) -> list[Callable[[], FormModal]]:
        from sscp_tui.services.packs import meeting_groups

        return [
            lambda: FormModal("", self._pack_fields(), submit="Produce"),
            lambda: FormModal("", _meeting_fields(meeting_groups(self.tracker))),
            lambda: note_form(""),
        ]

    def _pack_fields(self) -> list[FormField]:
        agencies = [(f"{a.short_name} — {a.name}", str(a.id)) for a in self.tracker.agencies()]
        reviews = [(label, str(review_id)) for review_id, label in self.tracker.review_labels()]
        formats = [("Word document (.docx)", "docx"), ("Web page to print (.html)", "html"),
                   ("Spreadsheet (.xlsx)", "xlsx"), ("Markdown (.md)", "md")]  # fmt: skip
        return [
            FormField("fmt", "Format", "docx", kind="select", options=formats, blank=None),
            FormField("by", "The log grouped by", "review", kind="select",
                      options=[("Review", "review"), ("Lead agency", "agency")], blank=None),
            FormField("agency", "Only one agency (optional)", kind="select", options=agencies,
                      blank="(every agency)"),
            FormField("review", "Only one review (optional)", kind="select", options=reviews,
                      blank="(every review)"),
            FormField("folder", "Folder to write it in", str(default_folder()), validate=_folder_check),
        ]  # fmt: skip

    def action_new_meeting(self) -> None:
        from sscp_tui.services.packs import meeting_groups

        fields = _meeting_fields(meeting_groups(self.tracker))

        def record(values: dict[str, str], _seen: int | None) -> tuple[ChangeResult, str]:  # a new one
            group = values["other"].strip() or values["group"]
            held_on = parse_date(values["date"])
            result = self.tracker.record_meeting(group, held_on)
            return result, f"Recorded: {group}, {held_on:%d %b %Y}."

        self.save_in_form(FormModal("Record a meeting", fields), record)

    # --- producing a pack ------------------------------------------------------------------
    @on(DataTable.RowSelected)
    def action_pack(self) -> None:
        meeting = self.current()
        if meeting is None:
            self.say("Record a meeting first (n).", severity="warning")
            return
        fields = self._pack_fields()

        def done(values: dict[str, str] | None) -> None:
            if values:
                request = PackRequest(
                    meeting=meeting,
                    fmt=values["fmt"],
                    by=values["by"] or "review",
                    agency_id=int(values["agency"]) if values["agency"] else None,
                    review_id=int(values["review"]) if values["review"] else None,
                    folder=Path(values["folder"]).expanduser(),
                )
                self.produce(request)

        title = f"Pack for the {meeting.group}, {meeting.held_on:%d %b %Y}"
        self.app.push_screen(reused(self.app, FormModal(title, fields, submit="Produce")), done)

    def progress(self, stage: str, fraction: float) -> None:
        """Called from the worker thread."""
        self.app.call_from_thread(self._progress, stage, fraction)

    def _progress(self, stage: str, fraction: float) -> None:
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=100, progress=round(fraction * 100))
        self.query_one("#pack-status", Static).update(Text(f"{stage}…"))

    @work(thread=True, exclusive=True, group="pack", exit_on_error=False)
    def produce(self, request: PackRequest, allow_flagged: bool = False, replace: bool = False) -> None:
        from sscp_tui.services.packs import (
            GroupBy,
            PackError,
            PackExists,
            PackFlagged,
            PackFormat,
            PackSpec,
            build_pack,
            suggested_file_name,
            write_pack,
        )

        spec = PackSpec(
            group=request.meeting.group,
            meeting_on=request.meeting.held_on,
            agency_ids=(request.agency_id,) if request.agency_id else (),
            review_ids=(request.review_id,) if request.review_id else (),
            by=GroupBy(request.by),
            open_only=True,  # as the CLI without --all: the cover says how many were left out
        )
        fmt = PackFormat(request.fmt)
        try:
            pack = build_pack(self.tracker, spec, self.progress)
            ensure_private_dir(request.folder)
            path = request.folder / suggested_file_name(pack, fmt)
            write_pack(pack, fmt, path, allow_flagged=allow_flagged, progress=self.progress, replace=replace)
        except PackFlagged as exc:
            self.app.call_from_thread(self._flagged, request, str(exc))
            return
        except PackExists as exc:
            self.app.call_from_thread(self._exists, request, allow_flagged, str(exc))
            return
        except (PackError, OSError) as exc:
            message = (
                str(exc)
                if isinstance(exc, PackError)
                else f"Could not write the pack: {exc.strerror or exc}."
            )
            self.app.call_from_thread(self._finished, None, message)
            return
        self.app.call_from_thread(self._finished, path, f"The pack is ready: {path}")

    def _exists(self, request: PackRequest, allow_flagged: bool, message: str) -> None:
        """Today's pack written already: replaced only if the user says so."""
        self._finished(None, message)

        def answer(replace: bool | None) -> None:
            if replace:
                self.produce(request, allow_flagged=allow_flagged, replace=True)

        self.app.push_screen(
            ConfirmModal(message.replace("; nothing was written.", ".") + " Replace it?"), answer
        )

    def _flagged(self, request: PackRequest, message: str) -> None:
        self._finished(None, message)

        def answer(write_anyway: bool | None) -> None:
            if write_anyway:
                self.produce(request, allow_flagged=True)

        self.app.push_screen(ConfirmModal(message + " Write it anyway?"), answer)

    def _finished(self, path: Path | None, message: str) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#pack-status", Static).update(Text(message))
        self.say(message, severity="information" if path else "error")


def _meeting_fields(groups: list[str]) -> list[FormField]:
    choices = [(g, g) for g in groups]
    return [
        FormField("group", "Group", choices[0][1] if choices else "", kind="select", options=choices,
                  blank=None, validate=required("A group")),
        FormField("other", "…or another group (a sub-group's name)",
                  placeholder="leave empty to use the above"),
        FormField("date", "Date (DD/MM/YYYY)", validate=a_date()),
    ]  # fmt: skip
