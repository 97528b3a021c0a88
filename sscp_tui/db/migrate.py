"""Alembic, driven from code. Imported only when a schema actually needs upgrading."""

from __future__ import annotations

import warnings

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from sscp_tui.db.store import StoreError
from sscp_tui.errors import InstallationError
from sscp_tui.resources import migrations_dir


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def _scripts() -> ScriptDirectory:
    """The migration scripts, read and linked. A script that is missing or will not load means
    the installed copy is broken, which the user mends by reinstalling."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Alembic warns of a broken chain: that is the error
            script = ScriptDirectory.from_config(_config())
            script.get_heads()
            for _revision in script.walk_revisions():
                pass
    except (CommandError, SyntaxError, ImportError, KeyError, ValueError, Warning) as exc:
        raise InstallationError(
            f"sscp-tui is not installed correctly: its database migrations will not load ({exc}); "
            "reinstall it."
        ) from exc
    return script


def head() -> str:
    return _scripts().get_heads()[0]


def is_known(revision: str) -> bool:
    return any(rev.revision == revision for rev in _scripts().walk_revisions())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction. On SQLite, foreign keys are off while a migration copies a
    table (batch mode), or dropping the old copy would cascade into the rows that point at it;
    they are checked before the upgrade commits, and switched back on afterwards."""
    _scripts()  # a broken install is named before anything is opened for writing
    config = _config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise StoreError(
                            f"The upgrade would leave a broken link in table {broken[0]}; "
                            "nothing was changed."
                        )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")
