"""One WeCom access token for every process: cached in the database (or Redis), refreshed by one.

`get(fetch, stale=...)` returns the cached token while it has more than MARGIN left; else one
process refreshes it under a lock while the others wait and then read the new one. Passing the
token WeCom just refused as `stale` forces a refresh, but only once however many processes saw it.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from models.errors import ConfigError
from models.outbox import AccessToken, insert_ignore
from models.tables import utcnow

log = logging.getLogger(__name__)
MARGIN = timedelta(minutes=5)
Fetch = Callable[[], tuple[str, int]]


class TokenBusy(RuntimeError):
    """Another process has been refreshing the token for too long."""


def _usable(token: str | None, expires_at: datetime | None, stale: str | None, now: datetime) -> bool:
    return bool(token) and token != stale and expires_at is not None and expires_at - MARGIN > now


class DbTokenStore:
    """The token in the `access_token` table; refreshing holds that row's lock (SQLite: the write lock)."""

    def __init__(self, engine: Engine, *, name: str, holder: str):
        self.engine, self.name, self.holder = engine, name, holder

    def get(self, fetch: Fetch, *, stale: str | None = None) -> str:
        """The current token, refreshed through `fetch()` -> (token, expires_in) when needed."""
        now = utcnow()
        with self.engine.connect() as conn:
            row = conn.execute(select(AccessToken.token, AccessToken.expires_at)
                               .where(AccessToken.name == self.name)).first()
        if row and _usable(row.token, row.expires_at, stale, now):
            return row.token
        with self.engine.begin() as conn:
            insert_ignore(conn, AccessToken, [{"name": self.name, "token": ""}], ["name"])
            row = conn.execute(select(AccessToken.token, AccessToken.expires_at)
                               .where(AccessToken.name == self.name).with_for_update()).one()
            if _usable(row.token, row.expires_at, stale, now):
                return row.token
            token, expires_in = fetch()
            conn.execute(update(AccessToken).where(AccessToken.name == self.name).values(
                token=token, expires_at=utcnow() + timedelta(seconds=expires_in), refreshed_by=self.holder))
            log.info("refreshed the WeCom access token (valid %d s)", expires_in)
            return token


class RedisTokenStore:
    """The token in Redis under `hongling:wecom_token:NAME`; a SET NX key elects the refresher."""

    def __init__(self, client, *, name: str, holder: str, wait_seconds: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.client, self.holder, self.wait_seconds, self.sleep = client, holder, wait_seconds, sleep
        self.key = f"hongling:wecom_token:{name}"
        self.lock_key = self.key + ":refreshing"

    def _read(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def get(self, fetch: Fetch, *, stale: str | None = None) -> str:
        """The current token, refreshed by whichever process wins the lock."""
        waited = 0.0
        while True:
            token = self._read()
            if token and token != stale:
                return token
            if self.client.set(self.lock_key, self.holder, nx=True, ex=int(self.wait_seconds) + 1):
                try:
                    token = self._read()
                    if token and token != stale:
                        return token
                    token, expires_in = fetch()
                    ttl = max(1, int(expires_in - MARGIN.total_seconds()))
                    self.client.set(self.key, token, ex=ttl)
                    log.info("refreshed the WeCom access token in Redis (valid %d s)", expires_in)
                    return token
                finally:
                    self.client.delete(self.lock_key)
            if waited >= self.wait_seconds:
                raise TokenBusy("another process is still refreshing the WeCom access token")
            self.sleep(0.1)
            waited += 0.1


def token_store(engine: Engine, *, redis_url: str, name: str, holder: str):
    """The Redis store when `[reminders] redis_url` is set, else the database store."""
    if not redis_url:
        return DbTokenStore(engine, name=name, holder=holder)
    try:
        import redis
    except ImportError:
        raise ConfigError("reminders.redis_url", "needs the redis package (pip install redis)") from None
    return RedisTokenStore(redis.Redis.from_url(redis_url, socket_timeout=5), name=name, holder=holder)
