"""Values as a database driver returns them, in the store's types, without SQLAlchemy.

For the reads that skip SQLAlchemy's handling of each row: the first look (plain sqlite3,
before SQLAlchemy is loaded) and a pack's reads of every item. SQLite's driver gives dates
and choices as their stored text; another database's driver may give a date already.
Choices are looked up, not made by calling the Enum class, which is slow enough to show at
10,000 rows.
"""

from __future__ import annotations

from datetime import date

from sscp_tui.db.enums import ItemKind, Rating, ReviewKind

_KINDS = {kind.value: kind for kind in ItemKind}
_RATINGS: dict[str | None, Rating | None] = {None: None, **{rating.value: rating for rating in Rating}}
_REVIEW_KINDS: dict[str | None, ReviewKind | None] = {None: None, **{k.value: k for k in ReviewKind}}


def stored_day(value: str | date) -> date:
    """A date from a column that always holds one."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def stored_date(value: str | date | None) -> date | None:
    return stored_day(value) if value else None


def stored_kind(value: str) -> ItemKind:
    return _KINDS[value]


def stored_rating(value: str | None) -> Rating | None:
    return _RATINGS[value]


def stored_review_kind(value: str | None) -> ReviewKind | None:
    return _REVIEW_KINDS[value]
