"""Engine and session set-up for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from models import tables  # noqa: F401  (registers the tables on the metadata)
from models import outbox  # noqa: F401  (outbox, access token and scheduler lease tables)
from models import binding  # noqa: F401  (openid bindings and invite codes: the Official Account channel)

log = logging.getLogger(__name__)


def _sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout and BEGIN IMMEDIATE, so concurrent writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, pre_ping: bool = True) -> Engine:
    """Create the engine for `url`, creating a SQLite file's folder if needed.

    `pre_ping` tests a pooled server connection before each use (a round trip). The web app
    turns it off: its dispatcher retries a message once on a connection the database dropped.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=pre_ping)


def create_schema(engine: Engine, *, upgrade_if_behind: bool) -> None:
    """Bring the schema to this code's version (embedded default) or check that it is there."""
    from models.migrate import ensure_schema
    ensure_schema(engine, upgrade_if_behind=upgrade_if_behind)


@contextmanager
def open_database(url: str, *, upgrade_if_behind: bool) -> Iterator[Engine]:
    """An engine on `url` with the schema ensured (see `create_schema`), disposed afterwards."""
    engine = make_engine(url)
    try:
        create_schema(engine, upgrade_if_behind=upgrade_if_behind)
        yield engine
    finally:
        engine.dispose()


def new_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit."""
    return Session(engine, expire_on_commit=False)
