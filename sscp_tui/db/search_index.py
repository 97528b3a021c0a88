"""The full-text index behind the log's search box.

Each item's searchable words (reference, text, owner, review title) are kept in the
``item_search`` table. Where SQLite has its FTS5 extension, as the builds shipped with Python
do, an FTS5 index over that table (``item_fts``) answers a search term from an index instead
of reading every item's words: a search of 100,000 items goes from about 100 ms to a few.
Triggers on ``item_search`` keep the index in step with every insert, update and delete,
whichever code path writes them (edits, imports, migrations, cascades).

A term of letters matches the words that begin with it ("curios" finds "curiosity"); a
term with digits or punctuation, such as a reference, is matched anywhere in the words (see
services.queries). Where FTS5 is missing, every term is matched anywhere, which finds the
same items for whole words and word beginnings, only more slowly.

The index is derived data: it is built when missing, and its triggers are removed by a
SQLite without FTS5 (whose writes to ``item_search`` would otherwise fail), and rebuilt when
a database comes back to one with it.

On PostgreSQL, the words are searched with PostgreSQL's own full-text search: a stored,
generated ``tsvector`` column of the words (``words_tsv``) with a GIN index (made by migration
0003), matched with prefix terms (``'curios':*``), so the same words find the same items as on
SQLite. The column is stored, not worked out as each row is checked: checking the rows of a
page against a search then costs microseconds, not the 0.2 ms a row of splitting the words
again. PostgreSQL keeps both in step itself; nothing here needs to build or repair them.
Which of the three ways a database searches is :func:`flavour`, chosen from its dialect.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Connection, bindparam, text

# How a database searches its words (see flavour).
FTS5 = "fts5"  # SQLite with its FTS5 extension
POSTGRES = "postgresql"  # PostgreSQL's tsvector and tsquery
PLAIN = "plain"  # a SQLite without FTS5: every term matched anywhere in the words

TRIGGERS = ("item_search_fts_insert", "item_search_fts_delete", "item_search_fts_update")

# As SQLite keeps it in sqlite_master, so a table made to an older definition is recognised
# and rebuilt. No extra prefix indexes: they made every write of an item's words about 2.5
# times as slow (an import of 10,000 items spent seconds on them), for searches that are
# already a few milliseconds without.
_CREATE_TABLE = (
    "CREATE VIRTUAL TABLE item_fts USING fts5("
    "words, content='item_search', content_rowid='item_id', "
    "tokenize='unicode61 remove_diacritics 2')"
)
_CREATE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS item_search_fts_insert AFTER INSERT ON item_search BEGIN "
    "INSERT INTO item_fts(rowid, words) VALUES (new.item_id, new.words); END",
    "CREATE TRIGGER IF NOT EXISTS item_search_fts_delete AFTER DELETE ON item_search BEGIN "
    "INSERT INTO item_fts(item_fts, rowid, words) VALUES ('delete', old.item_id, old.words); END",
    "CREATE TRIGGER IF NOT EXISTS item_search_fts_update AFTER UPDATE ON item_search BEGIN "
    "INSERT INTO item_fts(item_fts, rowid, words) VALUES ('delete', old.item_id, old.words); "
    "INSERT INTO item_fts(rowid, words) VALUES (new.item_id, new.words); END",
)


@cache
def fts5_available() -> bool:
    """Whether this process's SQLite library has FTS5 (asked once, of an in-memory database)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(words)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def flavour(dialect_name: str) -> str:
    """How a database of this dialect answers a search term of letters."""
    if dialect_name == "postgresql":
        return POSTGRES
    if dialect_name == "sqlite" and fts5_available():
        return FTS5
    return PLAIN


# PostgreSQL's column and index, made by migration 0003.
# The words are split where SQLite's FTS5 splits them, at anything not a letter or digit, before
# PostgreSQL's parser sees them: its parser would keep "file:///etc/passwd" or "a.b@c.uk" as
# one token, where FTS5 finds "etc". The characters are named, not left to [:alnum:], whose
# meaning beyond ASCII depends on the server's locale: ASCII punctuation, Latin-1's
# punctuation and signs, and Unicode's general punctuation (dashes, curly quotes).
PG_CONFIG = "simple"
PG_INDEX = "item_search_words_tsv"
PG_SEPARATORS = r"[[:space:]!-/:-@\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f\u3000-\u303f]+"
PG_VECTOR = f"to_tsvector('{PG_CONFIG}', regexp_replace(words, '{PG_SEPARATORS}', ' ', 'g'))"
PG_COLUMN = "words_tsv"
PG_CREATE = (
    f"ALTER TABLE item_search ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON item_search USING gin ({PG_COLUMN})",
)


def _names(connection: Connection, kind: str) -> set[str]:
    rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = :kind"), {"kind": kind})
    return {row[0] for row in rows}


def _index_sql(connection: Connection) -> str | None:
    row = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'item_fts'")).first()
    return row[0] if row else None


def needs_work(connection: Connection) -> bool:
    """Whether :func:`ensure` would change anything (a read, so opening stays read-only)."""
    if connection.dialect.name != "sqlite":
        return False  # PostgreSQL keeps its own index
    if "item_search" not in _names(connection, "table"):
        return False  # a schema before the search words: the migrations come first
    triggers = _names(connection, "trigger") & set(TRIGGERS)
    if fts5_available():
        return _index_sql(connection) != _CREATE_TABLE or triggers != set(TRIGGERS)
    return bool(triggers)


def ensure(connection: Connection) -> None:
    """Build the index and its triggers where FTS5 exists; where it does not, drop the triggers.

    Runs inside the caller's transaction. On PostgreSQL, makes the GIN index if it is missing."""
    if connection.dialect.name == "postgresql":
        for statement in PG_CREATE:
            connection.execute(text(statement))
        return
    if connection.dialect.name != "sqlite":
        return
    if fts5_available():
        found = _index_sql(connection)
        if found is not None and found != _CREATE_TABLE:  # made to an older definition
            for trigger in TRIGGERS:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
            connection.execute(text("DROP TABLE item_fts"))
            found = None
        if set(TRIGGERS) - _names(connection, "trigger") or found is None:
            if found is None:
                connection.execute(text(_CREATE_TABLE))
            for statement in _CREATE_TRIGGERS:
                connection.execute(text(statement))
            # Index whatever item_search holds now (all of it, on a first build or a return
            # from a SQLite without FTS5, when the index may have fallen behind).
            connection.execute(text("INSERT INTO item_fts(item_fts) VALUES ('rebuild')"))
    else:
        for trigger in TRIGGERS:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))


@contextmanager
def indexed_in_bulk(connection: Connection, item_ids: Sequence[int]) -> Iterator[None]:
    """Around a bulk insert of new items' words: index them with one statement afterwards
    instead of the insert trigger firing per row (about three times as quick). The trigger is
    dropped and made again inside the caller's transaction, so a failure undoes both.
    (SQLite only: PostgreSQL's index has no trigger to step around.)"""
    if (
        not item_ids
        or connection.dialect.name != "sqlite"
        or TRIGGERS[0] not in _names(connection, "trigger")
    ):
        yield
        return
    connection.execute(text(f"DROP TRIGGER {TRIGGERS[0]}"))
    yield
    index = text(
        "INSERT INTO item_fts(rowid, words) SELECT item_id, words FROM item_search WHERE item_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(item_ids), 500):
        connection.execute(index, {"ids": list(item_ids[start : start + 500])})
    connection.execute(text(_CREATE_TRIGGERS[0]))


def pg_query(words: Sequence[str]) -> str:
    """A tsquery for items having every word, each as the beginning of a word. The words are
    letters only (see services.queries), quoted all the same."""
    return " & ".join("'" + word.replace("'", "''").replace("\\", "\\\\") + "':*" for word in words)


def match_query(term: str) -> str:
    """An FTS5 query for words beginning with ``term``, quoted so that nothing in it is syntax."""
    return '"' + term.replace('"', '""') + '"*'
