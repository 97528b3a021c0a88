"""The two errors that reach a user as one sentence, apart from the layers that raise them so
the screens can catch them before the store is loaded."""

from __future__ import annotations

from collections.abc import Sequence


class StoreError(Exception):
    """The tracker cannot be opened or written; the message is one sentence for the user."""


class TrackerDamaged(StoreError):
    """The tracker file fails its check: one sentence naming the last good backup."""


class EditError(Exception):
    """An edit was refused; the message is one sentence for the user. Nothing was written."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class OpenActions(EditError):
    """A recommendation asked to go Blue while some of its actions are still open."""

    def __init__(self, reference: str, open_refs: Sequence[str]) -> None:
        self.open_refs = tuple(open_refs)
        listed = ", ".join(open_refs[:6]) + (f" and {len(open_refs) - 6} more" if len(open_refs) > 6 else "")
        actions = "action" if len(open_refs) == 1 else "actions"
        super().__init__(f"Recommendation {reference} still has open {actions} {listed}.")


class ChangedSince(EditError):
    """Someone else changed the record since the user looked: the sentence names who, what and
    when. ``newest`` is the marker of that change: an edit made again with it, the user having
    been told, is theirs to make (see services.conflicts)."""

    def __init__(self, message: str, newest: int) -> None:
        super().__init__(message)
        self.newest = newest


class TrackerBusy(EditError):
    """Another program was writing to the tracker: the same edit may well succeed shortly."""


class InstallationError(Exception):
    """A file sscp-tui ships with is missing or damaged: the copy installed is broken, and
    reinstalling is the remedy. The message is one sentence for the user."""
