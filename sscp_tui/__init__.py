"""sscp-tui: a keyboard-first tracker for a safeguarding children partnership."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sscp-tui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
