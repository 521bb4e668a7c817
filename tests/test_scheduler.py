"""The scheduler: the configured dates, one active scheduler per database, the server's rule."""
from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import datetime, time as clock_time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.config import build_config
from bot.server import runs_scheduler
from models.db import new_session
from models.outbox import EPOCH, SchedulerLease
from models.tables import utcnow
from scheduler import jobs, lease
from scheduler.service import build_scheduler, start_in_process
from tests.channel import ON_MP
from tests.fake_wecom import fake_wecom, point_config_at  # noqa: F401  (fixture)
from tests.test_cli import write_config

HONGLING = str(Path(sys.executable).parent / "hongling")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fire_times(trigger, start: datetime, count: int) -> list[str]:
    times, previous, now = [], None, start
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, now)
        times.append(previous.strftime("%Y-%m-%d %H:%M %z"))
        now = previous
    return times


def test_default_schedule_fires_on_the_domain_dates(config):
    scheduler = build_scheduler(config, holder="test", background=True)
    scheduler.start(paused=True)
    try:
        assert scheduler.timezone == SHANGHAI
        by_id = {job.id: job for job in scheduler.get_jobs()}
        start = datetime(2026, 11, 1, tzinfo=SHANGHAI)
        assert fire_times(by_id["monthly-0"].trigger, start, 2) == ["2026-11-20 09:00 +0800", "2026-12-20 09:00 +0800"]
        assert fire_times(by_id["monthly-1"].trigger, start, 3) == [
            "2026-11-30 09:00 +0800", "2026-12-31 09:00 +0800", "2027-01-31 09:00 +0800"]
        assert fire_times(by_id["quarterly-0"].trigger, start, 2) == ["2026-12-15 09:00 +0800", "2027-03-15 09:00 +0800"]
        assert fire_times(by_id["halfyear-0"].trigger, start, 2) == ["2026-12-15 09:00 +0800", "2027-06-15 09:00 +0800"]
        assert fire_times(by_id["yearly-0"].trigger, start, 2) == ["2026-12-01 09:00 +0800", "2027-12-01 09:00 +0800"]
        assert fire_times(by_id["summary-0"].trigger, start, 2) == ["2026-11-01 09:00 +0800", "2026-12-01 09:00 +0800"]
        for job in by_id.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time == 3600
            assert job.func.__module__ == "scheduler.jobs" and "." not in job.func.__qualname__
            pickle.dumps(job.kwargs)                    # plain values only
    finally:
        scheduler.shutdown(wait=False)


def test_the_lease_has_one_holder_and_passes_on_when_it_lapses(app, engine):
    now = utcnow()
    assert lease.acquire(engine, holder="a", seconds=30, now=now)
    assert not lease.acquire(engine, holder="b", seconds=30, now=now + timedelta(seconds=10))
    assert lease.acquire(engine, holder="a", seconds=30, now=now + timedelta(seconds=20))   # renewed
    assert not lease.acquire(engine, holder="b", seconds=30, now=now + timedelta(seconds=45))
    assert lease.acquire(engine, holder="b", seconds=30, now=now + timedelta(seconds=51))   # a stopped renewing
    assert not lease.holds(engine, holder="a", now=now + timedelta(seconds=52))
    lease.release(engine, holder="b")
    assert lease.acquire(engine, holder="a", seconds=30)


def _schedule_every_second(path: Path) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write('[reminders.schedule]\nmonthly = [{ second = "*" }]\nquarterly = []\nhalfyear = []\n'
                   "yearly = []\nsummary = []\n")


def test_two_schedulers_started_at_once_fire_each_job_once(app, engine, config_data, fake_wecom, tmp_path):
    path = write_config(tmp_path / "hongling.toml", point_config_at(config_data, fake_wecom))
    _schedule_every_second(path)
    logs = [tmp_path / f"scheduler{i}.log" for i in range(2)]
    procs = []
    for log in logs:
        with log.open("w") as err:
            procs.append(subprocess.Popen([HONGLING, "--config", str(path), "scheduler"],
                                          stdout=subprocess.DEVNULL, stderr=err, env=os.environ.copy()))
    try:
        deadline = time.monotonic() + 30
        while len(fake_wecom.recipients()) < 6 and time.monotonic() < deadline:
            assert all(proc.poll() is None for proc in procs), [log.read_text() for log in logs]
            time.sleep(0.05)
        time.sleep(1.5)                                 # both keep firing every second meanwhile
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(20) for proc in procs]
    assert codes == [0, 0]
    received = fake_wecom.recipients()
    assert set(received) == {"zhangsj", "liming", "wangfang", "chensj", "liuyang", "zhougl"}
    assert all(len(texts) == 1 and "您还未完成：读书、心得" in texts[0] for texts in received.values())
    assert len(fake_wecom.sends) == (6 if ON_MP else 1)             # mp: one member per call
    text = "".join(log.read_text() for log in logs)
    assert text.count("holds the lease: it fires the reminder jobs") == 1
    assert text.count("is on standby") == 1
    with new_session(engine) as session:                 # released at shutdown for a quick hand-over
        assert session.exec(select(SchedulerLease)).one().expires_at == EPOCH


def test_only_the_embedded_default_with_one_worker_schedules_in_the_server(config):
    embedded = build_config()
    assert runs_scheduler(embedded, 1)
    assert not runs_scheduler(embedded, 2)
    assert not runs_scheduler(config, 1)


def test_the_in_process_scheduler_says_so_in_the_log(app, engine, config, caplog):
    with caplog.at_level(logging.INFO):
        running = start_in_process(config)
    try:
        ids = {job.id for job in running.scheduler.get_jobs()}
        assert running.scheduler.running and ids >= {"monthly-0", "drain", "lease"}
        assert "this process serves the callback AND runs the reminder scheduler" in caplog.text
        assert "holds the lease" in caplog.text
    finally:
        running.stop()
    assert lease.acquire(engine, holder="next", seconds=30)      # handed on at once


def test_a_run_missed_while_no_scheduler_was_up_is_made_up_within_the_grace_time(app, engine, config_data,
                                                                                fake_wecom):
    point_config_at(config_data, fake_wecom)
    noon = datetime.combine(datetime.now(SHANGHAI).date(), clock_time(12, 0), tzinfo=SHANGHAI)
    config_data["reminders"]["schedule"] = {"monthly": [{"hour": 11, "minute": 50}], "quarterly": [],
                                            "halfyear": [], "yearly": [], "summary": []}
    config = build_config(config_data, source="test")
    assert lease.acquire(engine, holder="restarted", seconds=60)
    assert jobs.catch_up(config, holder="restarted", now=noon) == ["monthly"]      # due 10 minutes ago
    calls = 6 if ON_MP else 1                                                     # mp: one member per call
    assert len(fake_wecom.recipients()) == 6 and len(fake_wecom.sends) == calls
    assert jobs.catch_up(config, holder="restarted", now=noon) == ["monthly"]      # again: sends nothing
    assert len(fake_wecom.sends) == calls
    assert jobs.catch_up(config, holder="restarted", now=noon + timedelta(hours=2)) == []   # past the grace
