"""The APScheduler 3 process: the configured cron schedule in the organisation's time zone.

Every scheduler adds the same jobs; only the holder of the database lease fires them (the
others are warm standbys), and the outbox's unique key makes even a race send nothing twice.
"""
from __future__ import annotations

import copy
import logging
import signal
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models.db import make_engine, open_database
from scheduler import jobs, lease
from scheduler.settings import load_settings

log = logging.getLogger(__name__)


def _describe(fields: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in fields.items())


def build_scheduler(config, *, holder: str, background: bool = False):
    """A Blocking (or Background) scheduler with every configured job; not started."""
    settings = load_settings(config)
    tz = ZoneInfo(config.rules.timezone)
    cls = BackgroundScheduler if background else BlockingScheduler
    scheduler = cls(timezone=tz, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": settings.misfire_grace_seconds})
    plain = {"raw": copy.deepcopy(dict(config.raw)), "source": config.source, "holder": holder}
    for kind, entries in settings.schedule.items():
        for index, fields in enumerate(entries):
            scheduler.add_job(jobs.fire_reminders, CronTrigger(timezone=tz, **fields), id=f"{kind}-{index}",
                              name=f"{kind} ({_describe(fields)})", kwargs={**plain, "kind": kind})
    scheduler.add_job(jobs.drain_outbox, IntervalTrigger(seconds=settings.drain_interval_seconds, timezone=tz),
                      id="drain", name="drain the outbox", kwargs=plain)
    scheduler.add_job(jobs.renew_lease, IntervalTrigger(seconds=max(1, settings.lease_seconds // 3), timezone=tz),
                      id="lease", name="renew the scheduler lease",
                      kwargs={**plain, "seconds": settings.lease_seconds})
    return scheduler


def take_lease(config, *, holder: str) -> bool:
    """Try for the lease at start-up (creating the tables if needed) and say who fires the jobs."""
    settings = load_settings(config)
    with open_database(config.database_url, upgrade_if_behind=config.is_embedded_default) as engine:
        held = lease.acquire(engine, holder=holder, seconds=settings.lease_seconds)
    if held:
        log.info("scheduler %s holds the lease: it fires the reminder jobs", holder)
        jobs.catch_up(config, holder=holder)
    else:
        log.info("scheduler %s is on standby: another scheduler holds the lease "
                 "(this one takes over within %d s if that one stops)", holder, settings.lease_seconds)
    return held


def _log_jobs(scheduler) -> None:
    for job in scheduler.get_jobs():
        if job.id not in ("drain", "lease"):
            log.info("job %s, next run %s", job.name, job.next_run_time)


def release(config, *, holder: str) -> None:
    """Give the lease up (at shutdown) so a standby takes over at once."""
    engine = make_engine(config.database_url)
    try:
        lease.release(engine, holder=holder)
    finally:
        engine.dispose()


def run_scheduler(config) -> int:
    """`hongling scheduler`: run until SIGTERM or Ctrl-C, then release the lease."""
    holder = lease.new_holder()
    scheduler = build_scheduler(config, holder=holder)
    take_lease(config, holder=holder)
    previous = signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    scheduler.add_listener(lambda _event: _log_jobs(scheduler), mask=EVENT_SCHEDULER_STARTED)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        log.info("scheduler stopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        release(config, holder=holder)
    return 0


@dataclass
class InProcess:
    """A scheduler running inside the server process; `stop()` at worker exit hands the lease on."""

    scheduler: Any
    config: Any
    holder: str

    def stop(self) -> None:
        """Stop firing and release the lease."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        release(self.config, holder=self.holder)


def start_in_process(config) -> InProcess:
    """Start a background scheduler inside this (single-worker, embedded default) server process."""
    holder = lease.new_holder()
    scheduler = build_scheduler(config, holder=holder, background=True)
    take_lease(config, holder=holder)
    scheduler.start()
    _log_jobs(scheduler)
    log.info("this process serves the callback AND runs the reminder scheduler (embedded default, one worker)")
    return InProcess(scheduler, config, holder)
