"""The scheduler lease: one row per lease name; only its unexpired holder fires jobs.

`acquire` is one conditional UPDATE (take it if free, expired or already ours), so two
schedulers starting together cannot both win; the holder renews it well before it lapses and
a standby takes over when the holder stops renewing.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from models.outbox import EPOCH, SchedulerLease, insert_ignore
from models.tables import utcnow

LEASE_NAME = "reminders"


def new_holder() -> str:
    """An identity for this scheduler process: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(engine: Engine, *, holder: str, seconds: int, name: str = LEASE_NAME,
            now: datetime | None = None) -> bool:
    """Take or renew the lease for `seconds`; True if `holder` now holds it."""
    now = now or utcnow()
    with engine.begin() as conn:
        insert_ignore(conn, SchedulerLease, [{"name": name, "holder": "", "expires_at": EPOCH}], ["name"])
        taken = conn.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name,
                   or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
            .values(holder=holder, expires_at=now + timedelta(seconds=seconds)))
        return taken.rowcount == 1


def holds(engine: Engine, *, holder: str, name: str = LEASE_NAME, now: datetime | None = None) -> bool:
    """Whether `holder` holds an unexpired lease right now."""
    now = now or utcnow()
    with engine.connect() as conn:
        current = conn.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                               .where(SchedulerLease.name == name)).first()
    return current is not None and current.holder == holder and current.expires_at > now


def release(engine: Engine, *, holder: str, name: str = LEASE_NAME) -> None:
    """Give the lease up at shutdown so a standby takes over at once."""
    with engine.begin() as conn:
        conn.execute(update(SchedulerLease)
                     .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                     .values(expires_at=EPOCH))
