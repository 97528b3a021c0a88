"""The files sscp-tui needs at run time, found through importlib.resources.

The stylesheet and the demo data are the package ``sscp_tui.assets`` (kept in the
repository's top-level ``assets/``, installed under the package); the migrations are
``sscp_tui/db/migrations``. They are looked up through the import system, as an installed
copy finds them, never by a path relative to the source tree. A file that is missing or
cannot be read is an :class:`InstallationError`: one sentence telling the user to reinstall.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from sscp_tui.errors import InstallationError

ASSETS = "sscp_tui.assets"
MIGRATIONS = ("sscp_tui.db", "migrations")


def _broken(name: str, how: str) -> InstallationError:
    return InstallationError(f"sscp-tui is not installed correctly: {name} is {how}; reinstall it.")


def _located(package: str, name: str) -> Path:
    """The file or folder ``name`` of ``package`` on disk (pip and pipx install as files)."""
    try:
        resource = files(package).joinpath(name)
    except ModuleNotFoundError:
        raise _broken(f"the package {package}", "missing") from None
    if not isinstance(resource, Path):
        raise InstallationError(
            f"sscp-tui must be installed as files (pipx install sscp-tui), not run from {resource}."
        )
    return resource


def asset_file(name: str) -> Path:
    """A shipped asset's path, checked to exist and to be readable text."""
    path = _located(ASSETS, name)
    label = f"assets/{name}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _broken(label, "missing") from None
    except OSError as exc:
        raise _broken(label, f"unreadable ({exc.strerror or exc})") from None
    if not data.strip():
        raise _broken(label, "empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _broken(label, "damaged (it is not text)") from None
    return path


def stylesheet() -> Path:
    return asset_file("app.tcss")


def asset_json(name: str) -> Any:
    """A shipped JSON asset, parsed."""
    path = asset_file(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise _broken(f"assets/{name}", f"damaged ({exc})") from None


def migrations_dir() -> Path:
    """The Alembic scripts folder, checked to hold its environment and revisions."""
    package, name = MIGRATIONS
    folder = _located(package, name)
    for needed in ("env.py", "script.py.mako", "versions"):
        if not (folder / needed).exists():
            raise _broken(f"db/migrations/{needed}", "missing")
    return folder
