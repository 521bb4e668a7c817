"""Versioned schema migrations (Alembic), applied by `hongling db upgrade`.

The embedded default upgrades itself at start; any other database must be upgraded
explicitly, and the server and CLI refuse to run on a schema that is behind the code.
"""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
SCRIPTS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 7_415_001  # PostgreSQL advisory lock: one upgrade at a time


class SchemaError(RuntimeError):
    """The database schema is not at the version this code needs."""


def _alembic(connection) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest migration this code ships."""
    return ScriptDirectory(str(SCRIPTS)).get_current_head()


def current(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (from, to). Safe to run from several processes."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _LOCK_ID})
        try:
            before = MigrationContext.configure(conn).get_current_revision()
            command.upgrade(_alembic(conn), "head")
            conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _LOCK_ID})
                conn.commit()
    if before != head():
        log.info("database schema upgraded from %s to %s", before or "empty", head())
    return before, head()


def ensure_schema(engine: Engine, *, upgrade_if_behind: bool) -> None:
    """Upgrade (the embedded default) or check that the schema is at this code's version."""
    if upgrade_if_behind:
        upgrade(engine)
        return
    at = current(engine)
    if at != head():
        raise SchemaError(f"database schema is at {at or 'nothing'}, this version needs {head()}: "
                          "run `hongling db upgrade` first")


def revision(engine: Engine, message: str) -> str:
    """Write a new migration for what the models changed (a developer's tool); returns its path."""
    with engine.connect() as conn:
        script = command.revision(_alembic(conn), message=message, autogenerate=True)
    return script.path
