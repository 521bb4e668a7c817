"""Tables for outgoing messages: the outbox, the shared access token, the scheduler lease.

Every pushed message is first an `Outbox` row whose unique key (userid, topic, period_key,
occasion) makes writing it twice a no-op; a sender then drains the rows. `insert_ignore`
is the portable INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL) used for that.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint, any_, bindparam, select
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from models.tables import utcnow

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_OFF = date(1970, 1, 1)        # the occasion of a one-off notice: its key is (userid, topic, period)
NOTICE_DAYS = 7                   # a one-off notice not sent within this many days is dropped



class Outbox(SQLModel, table=True):
    """One message to one WeCom user, written before it is sent.

    status: pending → claimed → inflight → sent | invalid | failed, or skipped (nothing owed
    any more), expired (its period ended), unknown (a crash left it in flight too long ago
    for WeCom's duplicate check to make a resend safe).
    `via` is how a sent row went on the Official Account channel: "custom" (customer-service
    message, inside the member's 48-hour window) or "template"; `errcode`/`errmsg` say why a
    row went by template or could not reach its member (45015, 43004, 43101, 40003 …).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("userid", "topic", "period_key", "occasion", name="uq_outbox_key"),
        Index("ix_outbox_status_id", "status", "id"),
        Index("ix_outbox_run", "topic", "period_key", "occasion"),   # queued_userids, per job run
    )
    id: int | None = Field(default=None, primary_key=True)
    userid: str = Field(max_length=64)
    topic: str = Field(max_length=64)
    period_key: str = Field(max_length=16)
    occasion: date
    kinds: str | None = Field(default=None, max_length=200)
    content: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    claim_token: str | None = Field(default=None, max_length=32)
    lease_until: datetime | None = None
    not_before: datetime | None = None
    attempted_at: datetime | None = None
    sent_at: datetime | None = None
    expires_at: datetime
    errcode: int | None = None
    errmsg: str | None = Field(default=None, max_length=200)
    via: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class AccessToken(SQLModel, table=True):
    """The WeCom access token shared by every process, one row per corp and app."""

    __tablename__ = "access_token"
    name: str = Field(primary_key=True, max_length=100)
    token: str = Field(default="", sa_column=Column(Text, nullable=False))
    expires_at: datetime = Field(default=EPOCH)
    refreshed_by: str | None = Field(default=None, max_length=100)


class SchedulerLease(SQLModel, table=True):
    """Who may fire scheduled jobs: the holder renews `expires_at`; others wait for it to lapse."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(default="", max_length=100)
    expires_at: datetime = Field(default=EPOCH)


def insert_ignore(conn: Connection, model: type[SQLModel], rows: Iterable[dict[str, Any]],
                  keys: Sequence[str]) -> int:
    """INSERT rows, skipping any that collide on the unique `keys`; returns how many were new."""
    return len(inserted(conn, model, rows, keys))


def inserted(conn: Connection, model: type[SQLModel], rows: Iterable[dict[str, Any]],
             keys: Sequence[str]) -> list[Any]:
    """INSERT rows, skipping any that collide on the unique `keys`; returns the new rows' first key.

    Works on SQLite (3.35+) and PostgreSQL: both speak ON CONFLICT DO NOTHING … RETURNING.
    Every row must have the same keys. PostgreSQL gets one array per column (unnest), which
    keeps 10^5 rows to a couple of seconds; SQLite gets SQLAlchemy's batched executemany.
    """
    rows = list(rows)
    if not rows:
        return []
    table = model.__table__
    if conn.dialect.name == "postgresql":
        return _insert_ignore_unnest(conn, table, rows, keys)
    if conn.dialect.name != "sqlite":
        raise NotImplementedError(f"insert_ignore: unsupported database {conn.dialect.name}")
    from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(keys)).returning(table.c[keys[0]])
    return list(conn.execute(statement, rows).scalars())


def _insert_ignore_unnest(conn: Connection, table, rows: list[dict[str, Any]], keys: Sequence[str]) -> list[Any]:
    quote = conn.dialect.identifier_preparer.quote
    columns = list(rows[0])
    for column in table.columns:  # Python-side defaults a Core INSERT would have filled in
        if column.name not in columns and column.default is not None and not column.primary_key:
            columns.append(column.name)
    arrays, casts = {}, []
    for i, name in enumerate(columns):
        column = table.c[name]
        values = [row[name] if name in row else _default(column) for row in rows]
        processor = column.type.bind_processor(conn.dialect)
        arrays[f"c{i}"] = [processor(v) if processor else v for v in values]
        casts.append(f"CAST(:c{i} AS {column.type.compile(dialect=conn.dialect)}[])")
    statement = sql_text(
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT * FROM unnest({', '.join(casts)}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO NOTHING RETURNING {quote(keys[0])}")
    return list(conn.execute(statement, arrays).scalars())


def _default(column) -> Any:
    default = column.default
    return default.arg({}) if default.is_callable else default.arg


def enqueue_notices(session, rows: Iterable[tuple[str, str, str, str]], *, occasion: date = ONE_OFF,
                    kinds: str | None = None) -> set[str]:
    """Queue notices (userid, topic, period, text) in the caller's transaction; once per key.

    The key is (userid, topic, period, occasion); the scheduler's drain sends them (outside
    quiet hours) within `[reminders] drain_interval_seconds`. Returns the userids newly queued.
    """
    now = utcnow()
    batch = [{"userid": userid, "topic": topic[:64], "period_key": period[:16], "occasion": occasion,
              "kinds": kinds, "content": text, "status": "pending", "attempts": 0,
              "expires_at": now + timedelta(days=NOTICE_DAYS), "created_at": now}
             for userid, topic, period, text in rows]
    return set(inserted(session.connection(), Outbox, batch, ("userid", "topic", "period_key", "occasion")))


def enqueue_one(session, *, userid: str, topic: str, period: str, text: str) -> bool:
    """Queue one notice (e.g. a review result); False if it was already queued."""
    return bool(enqueue_notices(session, [(userid, topic, period, text)]))


class Attachment(SQLModel, table=True):
    """A stored file to push; an outbox row names it by ATTACHMENT_MARK. Archives are no longer
    stored (ARCHIVE_MARK builds them when sent); rows queued before that still send theirs."""

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


ATTACHMENT_MARK = "\x1eattachment:"


ARCHIVE_MARK = "\x1earchive:"


def archive_request(*, branch_id: int, year: int, filename: str) -> str:
    """The outbox content that sends a branch's yearly 积分档案, built when it is sent: the chat
    request that asks for it answers at once, however large the branch and its year."""
    return f"{ARCHIVE_MARK}{branch_id}:{year}:{filename}"


def load_attachment(engine, content: str, *, rules) -> tuple[str, bytes] | None:
    """(filename, bytes) if an outbox content names a file (stored, or an archive to build with
    `rules`), else None."""
    if content.startswith(ARCHIVE_MARK):
        from models.archive import build_archive
        from models.db import new_session
        branch_id, year, filename = content[len(ARCHIVE_MARK):].split(":", 2)
        with new_session(engine) as session:
            return filename, build_archive(session, branch_id=int(branch_id), year=int(year), rules=rules)
    if not content.startswith(ATTACHMENT_MARK):
        return None
    attachment_id = int(content[len(ATTACHMENT_MARK):].split(":", 1)[0])
    with engine.connect() as conn:
        row = conn.execute(select(Attachment.filename, Attachment.data).where(Attachment.id == attachment_id)).first()
    return (row[0], bytes(row[1])) if row else None


def among(column, values: Iterable[Any], dialect: str):
    """`column IN values`: on PostgreSQL one array parameter (= ANY), which stays fast for thousands."""
    values = list(values)
    if dialect == "postgresql":
        return column == any_(bindparam(None, value=values, type_=ARRAY(column.type), unique=True))
    return column.in_(values)
