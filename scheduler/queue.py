"""The outbox as a queue: write once, claim under a lease, mark each step in its own commit.

Row life: pending → claimed (a drainer took it, lease running) → inflight (committed just
before the WeCom call) → sent | invalid | failed, or back to pending (retry later).
A drainer that dies leaves claimed rows (never handed to WeCom: safe to take again when the
lease lapses) or inflight rows (maybe accepted by WeCom: resent after the lease lapses with
WeCom's duplicate check on, which drops the copy; past that window they become `unknown`).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Engine

from models.outbox import Outbox, among, insert_ignore

KEY = ("userid", "topic", "period_key", "occasion")


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row, as plain values."""

    id: int
    userid: str
    topic: str
    occasion: date
    kinds: str | None
    content: str
    attempts: int
    created_at: datetime


def enqueue(engine: Engine, rows: Iterable[Mapping]) -> int:
    """Write rows to the outbox in bulk; rows already there (same key) are left alone. Returns new rows."""
    with engine.begin() as conn:
        return insert_ignore(conn, Outbox, rows, KEY)


def queued_userids(engine: Engine, *, topic: str, period_key: str, occasion: date) -> set[str]:
    """Who already has a row for this job run (so a re-run need not even try to insert them)."""
    with engine.connect() as conn:
        return set(conn.execute(select(Outbox.userid).where(
            Outbox.topic == topic, Outbox.period_key == period_key, Outbox.occasion == occasion)).scalars())


def _claimable(now: datetime):
    waiting = and_(Outbox.status == "pending", or_(Outbox.not_before.is_(None), Outbox.not_before <= now))
    abandoned = and_(Outbox.status.in_(("claimed", "inflight")), Outbox.lease_until < now)
    return or_(waiting, abandoned)


def claim(engine: Engine, *, limit: int, now: datetime, lease_seconds: int,
          resend_window_seconds: int) -> tuple[str, list[Claimed]]:
    """Take up to `limit` sendable rows for this drainer; returns its claim token and the rows.

    First expires rows whose period is over, and gives up (`unknown`) on abandoned in-flight
    rows too old for WeCom's duplicate check. PostgreSQL skips rows another drainer has locked;
    SQLite's write lock (BEGIN IMMEDIATE) serialises claimers.
    """
    token = uuid.uuid4().hex
    with engine.begin() as conn:
        conn.execute(update(Outbox).where(
            Outbox.expires_at < now,
            or_(Outbox.status == "pending", and_(Outbox.status == "claimed", Outbox.lease_until < now)),
        ).values(status="expired", claim_token=None))
        conn.execute(update(Outbox).where(
            Outbox.status == "inflight", Outbox.lease_until < now,
            Outbox.attempted_at < now - timedelta(seconds=resend_window_seconds),
        ).values(status="unknown", errmsg="crashed while sending; not resent (beyond duplicate-check window)"))
        # A CTE, evaluated once: as an IN (subquery) PostgreSQL may re-run the LIMIT … SKIP LOCKED
        # subquery while it updates and claim more than `limit` rows.
        chosen = (select(Outbox.id).where(_claimable(now)).order_by(Outbox.id).limit(limit)
                  .with_for_update(skip_locked=True).cte("chosen"))
        rows = conn.execute(
            update(Outbox).where(Outbox.id.in_(select(chosen.c.id)), _claimable(now))
            .values(status="claimed", claim_token=token, lease_until=now + timedelta(seconds=lease_seconds))
            .returning(Outbox.id, Outbox.userid, Outbox.topic, Outbox.occasion, Outbox.kinds,
                       Outbox.content, Outbox.attempts, Outbox.created_at)).all()
        return token, sorted((Claimed(*row) for row in rows), key=lambda row: row.id)


def mark_inflight(engine: Engine, *, token: str, ids: list[int], now: datetime, lease_seconds: int) -> list[int]:
    """Commit "about to call WeCom" for these rows; returns the ids still ours (the others are not sent)."""
    with engine.begin() as conn:
        return list(conn.execute(
            update(Outbox).where(among(Outbox.id, ids, conn.dialect.name), Outbox.claim_token == token,
                                 Outbox.status == "claimed")
            .values(status="inflight", attempted_at=now, attempts=Outbox.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds))
            .returning(Outbox.id)).scalars())


def finish(engine: Engine, *, token: str, ids: Iterable[int], status: str, now: datetime,
           errcode: int | None = None, errmsg: str | None = None, not_before: datetime | None = None,
           via: str | None = None) -> None:
    """Record the outcome of rows this drainer holds (`pending` with `not_before` to retry later).

    `via` (mp: custom | template) is recorded when given.
    """
    ids = list(ids)
    if not ids:
        return
    values = {"status": status, "errcode": errcode, "errmsg": (errmsg or None) and errmsg[:200]}
    if via is not None:
        values["via"] = via
    if status == "sent":
        values["sent_at"] = now
    if status == "pending":
        values.update(claim_token=None, lease_until=None, not_before=not_before)
    with engine.begin() as conn:
        conn.execute(update(Outbox).where(among(Outbox.id, ids, conn.dialect.name), Outbox.claim_token == token)
                     .values(**values))


def rewrite(engine: Engine, *, token: str, changes: Mapping[int, tuple[str, str]]) -> None:
    """Replace content and kinds of claimed rows whose member did part of what they owed meanwhile."""
    if not changes:
        return
    statement = (update(Outbox.__table__)
                 .where(Outbox.__table__.c.id == bindparam("row_id"), Outbox.__table__.c.claim_token == token)
                 .values(content=bindparam("new_content"), kinds=bindparam("new_kinds")))
    with engine.begin() as conn:
        conn.execute(statement, [{"row_id": i, "new_content": c, "new_kinds": k} for i, (c, k) in changes.items()])


def release(engine: Engine, *, token: str) -> int:
    """Give back rows claimed but not yet handed to WeCom (quiet hours began, or a stop)."""
    with engine.begin() as conn:
        return conn.execute(update(Outbox).where(Outbox.claim_token == token, Outbox.status == "claimed")
                            .values(status="pending", claim_token=None, lease_until=None)).rowcount


def counts(engine: Engine, *, topic: str | None = None, occasion: date | None = None) -> dict[str, int]:
    """How many outbox rows are in each status (optionally for one job run)."""
    query = select(Outbox.status, func.count()).group_by(Outbox.status)
    if topic is not None:
        query = query.where(Outbox.topic == topic)
    if occasion is not None:
        query = query.where(Outbox.occasion == occasion)
    with engine.connect() as conn:
        return {status: n for status, n in conn.execute(query)}
