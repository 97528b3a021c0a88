"""What went wrong with the database, in words a person can act on, on either store.

The driver's errors differ: SQLite says "database is locked"; PostgreSQL gives an SQLSTATE
code for what happens inside a session, and for a failed connection only the server's message
(psycopg gives no code before the session exists). :func:`classify` reads either into one
:class:`Failure`; :func:`sentence` says it once, naming what to do. A URL's password is never
in what is said: the location given is shown with it hidden (Store.location).
"""

from __future__ import annotations

import enum

from sqlalchemy.exc import DBAPIError


class Failure(enum.Enum):
    BUSY = "busy"  # another change holds a lock, or two changes collided
    UNREACHABLE = "unreachable"  # no server answers at that address
    LOGIN = "login"  # the server refused the user name or password
    NO_DATABASE = "no database"  # the server has no database of that name
    NOT_PERMITTED = "not permitted"  # the role may not do this (a read-only role)
    OTHER = "other"


# PostgreSQL's SQLSTATE codes, by what they mean to the user.
_CODES = {
    "55P03": Failure.BUSY,  # lock_not_available
    "40001": Failure.BUSY,  # serialization_failure
    "40P01": Failure.BUSY,  # deadlock_detected
    "57014": Failure.BUSY,  # query_canceled (a lock timeout)
    "28P01": Failure.LOGIN,  # invalid_password
    "28000": Failure.LOGIN,  # invalid_authorization_specification
    "3D000": Failure.NO_DATABASE,  # invalid_catalog_name
    "42501": Failure.NOT_PERMITTED,  # insufficient_privilege
    "25006": Failure.NOT_PERMITTED,  # read_only_sql_transaction
    "57P01": Failure.UNREACHABLE,  # admin_shutdown
    "57P02": Failure.UNREACHABLE,  # crash_shutdown
    "57P03": Failure.UNREACHABLE,  # cannot_connect_now
    "08000": Failure.UNREACHABLE,  # connection_exception
    "08003": Failure.UNREACHABLE,
    "08006": Failure.UNREACHABLE,
}

# A failed connection's message, read where no code is given (the server's English wording).
_MESSAGES = (
    ("password authentication failed", Failure.LOGIN),
    ("no password supplied", Failure.LOGIN),
    ("authentication failed", Failure.LOGIN),
    ('role "', Failure.LOGIN),  # role "x" does not exist
    ("does not exist", Failure.NO_DATABASE),  # database "x" does not exist
    ("connection refused", Failure.UNREACHABLE),
    ("could not connect", Failure.UNREACHABLE),
    ("failed to resolve host", Failure.UNREACHABLE),
    ("could not translate host name", Failure.UNREACHABLE),
    ("timeout expired", Failure.UNREACHABLE),
    ("server closed the connection", Failure.UNREACHABLE),
    ("the connection is closed", Failure.UNREACHABLE),
    ("connection is lost", Failure.UNREACHABLE),
    ("terminating connection", Failure.UNREACHABLE),
    ("permission denied", Failure.NOT_PERMITTED),
    ("read-only transaction", Failure.NOT_PERMITTED),
    ("database is locked", Failure.BUSY),  # SQLite
    ("database table is locked", Failure.BUSY),
    ("database is busy", Failure.BUSY),
    ("attempt to write a readonly database", Failure.NOT_PERMITTED),  # SQLite
)


def reason(exc: BaseException) -> str:
    """The driver's own words, on one line, without a trailing full stop."""
    original = getattr(exc, "orig", None) or exc
    return " ".join(str(original).split()).rstrip(".")


def classify(exc: BaseException) -> Failure:
    original = getattr(exc, "orig", None) or exc
    code = getattr(original, "sqlstate", None)
    if code in _CODES:
        return _CODES[code]
    if code is not None:
        return Failure.OTHER  # a code says exactly what happened; its words are not read
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return Failure.UNREACHABLE
    said = str(original).casefold()
    for words, failure in _MESSAGES:
        if words in said:
            return failure
    return Failure.OTHER


def sentence(exc: BaseException, location: str) -> str:
    """One sentence for a failure to open or use the tracker at ``location``."""
    failure = classify(exc)
    if failure is Failure.BUSY:
        return "The tracker is busy with another change; try again in a moment."
    if failure is Failure.UNREACHABLE:
        return (
            f"Cannot reach the database server for {location}: check that the server is running and "
            "the host and port in the URL are right, then try again."
        )
    if failure is Failure.LOGIN:
        return (
            f"The database server refused the login for {location}: check the user name and password "
            "(in the URL, or in PGPASSWORD or ~/.pgpass)."
        )
    if failure is Failure.NO_DATABASE:
        return (
            f"The server has no database named in {location}: create it first (see the README's "
            "'Sharing a tracker'), or correct the name in the URL."
        )
    if failure is Failure.NOT_PERMITTED:
        return (
            f"Your database role may not do this on {location} ({reason(exc)}); ask whoever runs the "
            "server to grant it, or open the tracker with --read-only."
        )
    return f"The tracker at {location} could not be used: {reason(exc)}."
