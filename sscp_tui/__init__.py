"""sscp-tui: a keyboard-first tracker for a safeguarding children partnership."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # The version is read from the package's metadata only when asked for: importing
    # importlib.metadata took ~27 ms of every start, and only --version needs it.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sscp-tui")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"
