"""Job runs: plan → outbox → drain. Used by `hongling reminders run` and by the scheduler.

The scheduled entry points (`fire_reminders`, `drain_outbox`, `renew_lease`) are module-level
functions taking only plain values (the merged config dict, its source, the holder id), so
APScheduler can store and call them; each builds what it needs and disposes of it.
"""
from __future__ import annotations

import copy
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterator, Mapping, TextIO
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from models.db import create_schema, make_engine, new_session
from models.tables import utcnow
from scheduler import lease, queue
from scheduler.plan import Planned, outbox_rows, plan
from scheduler.sender import DrainReport, drain
from scheduler.settings import ReminderSettings, load_settings
from scheduler.tokens import token_store
from scheduler.wecom_api import ConsoleTransport, WeComApi

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """One job run: who it planned, how many rows were new, what the drain did."""

    kind: str
    day: date
    planned: list[Planned] = field(default_factory=list)
    queued: int = 0
    drained: DrainReport | None = None
    pending: int = 0


@contextmanager
def transport_for(config, settings: ReminderSettings, engine: Engine, *, holder: str = "cli",
                  out: TextIO | None = None) -> Iterator[Any]:
    """The console on `delivery = "console"`, else the channel's API (WeCom or mp) with the shared token."""
    mp = config.wechat.channel == "mp"
    if config.wechat.delivery == "console":
        yield ConsoleTransport(out, label="公众号" if mp else "企业微信")
        return
    if mp:
        from scheduler.mp_api import MpApi
        tokens = token_store(engine, redis_url=settings.redis_url, holder=holder, name=f"mp:{config.wechat.app_id}")
        api = MpApi(config, settings, tokens, engine)
    else:
        tokens = token_store(engine, redis_url=settings.redis_url, holder=holder,
                             name=f"{config.wechat.corp_id}:{config.wechat.agent_id}")
        api = WeComApi(config.wechat, settings, tokens)
    try:
        yield api
    finally:
        api.close()


def today(config) -> date:
    """Today in the organisation's time zone."""
    return datetime.now(ZoneInfo(config.rules.timezone)).date()


def run(config, *, kind: str, day: date, dry_run: bool = False, engine: Engine | None = None,
        out: TextIO | None = None, transport=None, now: Callable[[], datetime] = utcnow,
        holder: str = "cli") -> RunReport:
    """Run job `kind` as of `day`: write its outbox rows, then drain (dry run: plan only)."""
    settings = load_settings(config)
    own_engine = engine is None
    engine = engine or make_engine(config.database_url)
    try:
        create_schema(engine, upgrade_if_behind=config.is_embedded_default)
        report = RunReport(kind, day)
        with new_session(engine) as session:
            report.planned = plan(session, config=config, settings=settings, kind=kind, day=day)
        if dry_run:
            return report
        rows = outbox_rows(report.planned, config=config, kind=kind, day=day, now=now())
        if rows:
            there = queue.queued_userids(engine, topic=kind, period_key=rows[0]["period_key"], occasion=day)
            report.queued = queue.enqueue(engine, [row for row in rows if row["userid"] not in there])
        log.info("%s %s: %d to remind, %d new outbox rows", kind, day, len(report.planned), report.queued)
        if transport is not None:
            report.drained = drain(engine, config=config, settings=settings, transport=transport, now=now)
        else:
            with transport_for(config, settings, engine, holder=holder, out=out) as chosen:
                report.drained = drain(engine, config=config, settings=settings, transport=chosen, now=now)
        report.pending = queue.counts(engine, topic=kind, occasion=day).get("pending", 0)
        return report
    finally:
        if own_engine:
            engine.dispose()


def drain_once(config, *, engine: Engine, holder: str = "cli", out: TextIO | None = None) -> DrainReport:
    """Send whatever the outbox holds (held, retried or abandoned rows)."""
    settings = load_settings(config)
    with transport_for(config, settings, engine, holder=holder, out=out) as chosen:
        return drain(engine, config=config, settings=settings, transport=chosen)


def _config(raw: Mapping[str, Any], source: str):
    from bot.config import build_config
    return build_config(raw, source=source)


def fire_reminders(raw: Mapping[str, Any], source: str, kind: str, holder: str, day: str | None = None) -> None:
    """Scheduled: run job `kind` for today (or ISO `day`), if this process holds the scheduler lease."""
    config = _config(raw, source)
    engine = make_engine(config.database_url)
    try:
        if not lease.holds(engine, holder=holder):
            log.info("%s: another scheduler holds the lease; not firing here", kind)
            return
        when = date.fromisoformat(day) if day else today(config)
        report = run(config, kind=kind, day=when, engine=engine, holder=holder, out=sys.stdout)
        drained = report.drained or DrainReport()
        log.info("%s fired for %s: %d to remind, %d new, %d sent, %d pending", kind, when, len(report.planned),
                 report.queued, drained.sent, report.pending)
    finally:
        engine.dispose()


def catch_up(config, *, holder: str, now: datetime | None = None) -> list[str]:
    """Fire each job whose scheduled time passed less than misfire_grace_seconds ago.

    Called when a scheduler starts holding the lease (a restart, or a take-over from one that
    died): a run missed while no scheduler was up is made up for; one that did happen sends
    nothing again (the outbox key). Returns the jobs fired.
    """
    settings = load_settings(config)
    tz = ZoneInfo(config.rules.timezone)
    now = now or datetime.now(tz)
    fired = []
    for kind, entries in settings.schedule.items():
        missed = [CronTrigger(timezone=tz, **fields).get_next_fire_time(
            None, now - timedelta(seconds=settings.misfire_grace_seconds)) for fields in entries]
        missed = [t for t in missed if t is not None and t <= now]
        if missed:
            log.info("making up for %s, due at %s", kind, max(missed))
            fire_reminders(copy.deepcopy(dict(config.raw)), config.source, kind, holder,
                           day=max(missed).astimezone(tz).date().isoformat())
            fired.append(kind)
    return fired


def drain_outbox(raw: Mapping[str, Any], source: str, holder: str) -> None:
    """Scheduled every drain_interval_seconds: send held and retried rows, if holding the lease."""
    config = _config(raw, source)
    engine = make_engine(config.database_url)
    try:
        if lease.holds(engine, holder=holder):
            drained = drain_once(config, engine=engine, holder=holder, out=sys.stdout)
            if drained.calls:
                log.info("outbox drained: %d sent, %d invalid, %d failed", drained.sent, drained.invalid,
                         drained.failed)
    finally:
        engine.dispose()


def renew_lease(raw: Mapping[str, Any], source: str, holder: str, seconds: int) -> None:
    """Scheduled: renew (or try to take over) the scheduler lease."""
    config = _config(raw, source)
    engine = make_engine(config.database_url)
    try:
        had = lease.holds(engine, holder=holder)
        held = lease.acquire(engine, holder=holder, seconds=seconds)
        if held and not had:
            log.info("this scheduler (%s) now holds the lease and fires the jobs", holder)
            catch_up(config, holder=holder)
        elif had and not held:
            log.warning("this scheduler (%s) lost the lease; another one fires the jobs", holder)
    finally:
        engine.dispose()
