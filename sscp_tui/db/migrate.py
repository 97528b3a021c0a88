"""Alembic, driven from code. Imported only when a schema actually needs upgrading."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from sscp_tui.db.store import MIGRATIONS_DIR, StoreError


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head() -> str:
    heads = ScriptDirectory.from_config(_config()).get_heads()
    return heads[0]


def is_known(revision: str) -> bool:
    script = ScriptDirectory.from_config(_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade in one transaction. On SQLite, foreign keys are off while a migration copies a
    table (batch mode), or dropping the old copy would cascade into the rows that point at it;
    they are checked before the upgrade commits, and switched back on afterwards."""
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
