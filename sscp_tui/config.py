"""Settings: one typed, validated object loaded from a TOML file.

A missing file means defaults. A malformed file raises :class:`ConfigError` whose message
names the file, the key and the line, so the CLI can print one sentence.

Example ``config.toml``::

    [user]
    author = "Chair, Case Review Panel"
    default_agency = "SCC"

    [alerts]
    due_soon_days = 28
    stale_days = 90

    [packs]
    protective_marking = "OFFICIAL-SENSITIVE"
    forbidden_words = ["a real surname"]
"""

from __future__ import annotations

import getpass
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """The settings file cannot be used; the message is one sentence for the user."""


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers): still record something
        return "unknown user"


@dataclass(frozen=True, slots=True)
class Settings:
    author: str = ""  # who history records; none given: the login name (see __post_init__)
    default_agency: str | None = None
    due_soon_days: int = 28
    stale_days: int = 90
    protective_marking: str = "OFFICIAL-SENSITIVE"
    forbidden_words: tuple[str, ...] = ()
    keymap: tuple[tuple[str, str], ...] = ()
    source: Path | None = None
    # Where the author came from, in the order one wins over another: "flag" (--author or
    # SSCP_TUI_AUTHOR), "config" ([user] author), "given" (by the code that made these
    # settings), "role" (the PostgreSQL role the tracker is opened as), "login" (the default).
    author_from: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.author:
            object.__setattr__(self, "author", _os_user())
            object.__setattr__(self, "author_from", "login")
        elif not self.author_from:
            object.__setattr__(self, "author_from", "given")

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text in quotes")
    return value.strip()


def _optional_text(value: object) -> str | None:
    if value == "":
        return None
    return _text(value)


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number of days")
    if not 0 < value <= 3650:
        raise ValueError("must be between 1 and 3650 days")
    return value


def _words(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError('must be a list of texts, like ["word", "another"]')
    return tuple(v.strip() for v in value if v.strip())


def _keymap(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError('must be a table of binding ids to keys, like rate = "r"')
    return tuple(sorted(value.items()))


# (section, key) -> (Settings attribute, validator)
_FIELDS: dict[tuple[str, str], tuple[str, Callable[[object], Any]]] = {
    ("user", "author"): ("author", _text),
    ("user", "default_agency"): ("default_agency", _optional_text),
    ("alerts", "due_soon_days"): ("due_soon_days", _days),
    ("alerts", "stale_days"): ("stale_days", _days),
    ("packs", "protective_marking"): ("protective_marking", _text),
    ("packs", "forbidden_words"): ("forbidden_words", _words),
}
_TABLES = {"user", "alerts", "packs", "keymap"}


def _line_of(text: str, key: str, section: str | None = None) -> int | None:
    """The line of ``key = …`` (within ``[section]`` when given), or of ``[key]`` itself."""
    start = 0
    if section is not None:
        header = re.search(rf"^[ \t]*\[{re.escape(section)}\]", text, re.MULTILINE)
        start = header.end() if header else 0
        pattern = rf"^[ \t]*{re.escape(key)}[ \t]*="
    else:
        pattern = rf"^[ \t]*\[{re.escape(key)}\]"
    match = re.compile(pattern, re.MULTILINE).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_settings(path: Path) -> Settings:
    """Read ``path``; defaults when it does not exist."""
    if not path.exists():
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the settings file {path}: {exc}.") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The settings file {path} is not valid TOML: {exc}.") from exc

    values: dict[str, Any] = {"source": path}
    for section, table in raw.items():
        at = _line_of(text, section)
        if section not in _TABLES or not isinstance(table, dict):
            known = ", ".join(f"[{t}]" for t in sorted(_TABLES))
            line = f" (line {at})" if at else ""
            raise ConfigError(f"{path}{line}: unknown section '{section}'; expected one of {known}.")
        if section == "keymap":
            values["keymap"] = _check(path, text, "keymap", "keymap", None, table, _keymap)
            continue
        for key, value in table.items():
            spec = _FIELDS.get((section, key))
            if spec is None:
                known = ", ".join(k for s, k in _FIELDS if s == section)
                key_line = _line_of(text, key, section)
                where = f" (line {key_line})" if key_line else ""
                raise ConfigError(f"{path}{where}: unknown key '{section}.{key}'; [{section}] takes {known}.")
            attribute, validate = spec
            values[attribute] = _check(path, text, f"{section}.{key}", key, section, value, validate)
    if "author" in values:
        values["author_from"] = "config"
    return Settings(**values)


def _check(
    path: Path,
    text: str,
    name: str,
    key: str,
    section: str | None,
    value: object,
    validate: Callable[[object], Any],
) -> Any:
    try:
        return validate(value)
    except ValueError as exc:
        line = _line_of(text, key, section)
        at = f" (line {line})" if line else ""
        raise ConfigError(f"{path}{at}: '{name}' {exc}.") from exc
