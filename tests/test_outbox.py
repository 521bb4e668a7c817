"""The outbox: exactly-once across re-runs, races, crashes; the shared access token."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from bot.config import build_config
from models.db import new_session
from models.outbox import Outbox, enqueue_notices, insert_ignore
from models.tables import utcnow
from scheduler import jobs, queue
from scheduler.plan import Planned, outbox_rows
from scheduler.sender import drain
from scheduler.settings import load_settings
from scheduler.tokens import DbTokenStore, RedisTokenStore
from tests.conftest import TZ
from tests.fake_wecom import fake_wecom, point_config_at  # noqa: F401  (fixture)
from tests.test_cli import write_config

HONGLING = str(Path(sys.executable).parent / "hongling")
ROSTER_USERS = {"zhangsj", "liming", "wangfang", "chensj", "liuyang", "zhougl"}


@pytest.fixture
def config_data(config_data, fake_wecom):
    return point_config_at(config_data, fake_wecom, backoff_seconds=0.01, backoff_max_seconds=0.05)


def today() -> date:
    return datetime.now(TZ).date()


def statuses(engine) -> dict[str, str]:
    with new_session(engine) as session:
        return {row.userid: row.status for row in session.exec(select(Outbox)).all()}


def one_each(fake) -> bool:
    received = fake.recipients()
    return set(received) == ROSTER_USERS and all(len(texts) == 1 for texts in received.values())


@pytest.mark.wecom
def test_a_killed_sender_resumes_without_loss_or_duplicates(app, engine, config_data, fake_wecom, tmp_path):
    config_data["reminders"]["batch_size"] = 1          # one call per recipient, to be killed mid-way
    path = write_config(tmp_path / "hongling.toml", config_data)
    fake_wecom.hang_on_call = 2
    proc = subprocess.Popen([HONGLING, "--config", str(path), "reminders", "run", "monthly", "--date", str(today())],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert fake_wecom.hung.wait(30), "the sender never reached its second call"
        os.kill(proc.pid, signal.SIGKILL)               # dies while WeCom handles call 2
    finally:
        proc.wait(10)
    fake_wecom.release.set()
    left = statuses(engine)
    assert sorted(left.values()) == ["claimed"] * 4 + ["inflight", "sent"]
    assert len(fake_wecom.delivered) == 2               # WeCom delivered calls 1 and 2

    config = build_config(config_data, source="test")
    settings = load_settings(config)
    later = utcnow() + timedelta(seconds=settings.send_lease_seconds + 1)   # the dead sender's leases lapsed
    with jobs.transport_for(config, settings, engine) as transport:
        report = drain(engine, config=config, settings=settings, transport=transport, now=lambda: later)
    assert report.sent == 5
    assert set(statuses(engine).values()) == {"sent"}
    assert one_each(fake_wecom)                        # nobody lost, nobody twice
    assert len(fake_wecom.sends) == 7                  # only the in-flight call was repeated (WeCom dropped it)


def test_an_abandoned_inflight_row_beyond_the_duplicate_window_is_not_resent(app, engine, config, fake_wecom):
    settings = load_settings(config)
    rows = outbox_rows([Planned("liming", "李明", "提醒", ("book",))], config=config, kind="monthly", day=today())
    queue.enqueue(engine, rows)
    start = utcnow()
    token, claimed = queue.claim(engine, limit=10, now=start, lease_seconds=60, resend_window_seconds=14400)
    queue.mark_inflight(engine, token=token, ids=[claimed[0].id], now=start, lease_seconds=60)
    # … the sender dies here; nobody drains for five hours
    late = start + timedelta(hours=5)
    token, again = queue.claim(engine, limit=10, now=late, lease_seconds=60, resend_window_seconds=14400)
    assert again == [] and statuses(engine) == {"liming": "unknown"}
    assert settings.duplicate_check_seconds == 14400


def test_rows_written_before_a_crash_are_sent_by_the_next_drain(app, engine, config_data, fake_wecom, tmp_path,
                                                                capsys):
    config = build_config(config_data, source="test")
    day = today()
    with new_session(engine) as session:
        from scheduler.plan import plan
        planned = plan(session, config=config, settings=load_settings(config), kind="monthly", day=day)
    assert queue.enqueue(engine, outbox_rows(planned, config=config, kind="monthly", day=day)) == 6
    # … the process dies before draining
    path = write_config(tmp_path / "hongling.toml", config_data)
    assert main(["--config", str(path), "reminders", "drain"]) == 0
    assert "已发送 6 条" in capsys.readouterr().out
    assert one_each(fake_wecom)


def test_two_racing_runs_send_each_message_once(app, engine, config, fake_wecom):
    day = today()
    barrier = threading.Barrier(4)
    errors = []

    def racer():
        try:
            barrier.wait(5)
            jobs.run(config, kind="monthly", day=day, engine=engine)
        except Exception as exc:  # surfaced below
            errors.append(exc)
    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert one_each(fake_wecom)
    assert sum(len(call.touser) for call in fake_wecom.sends) == 6


@pytest.mark.wecom
def test_repeated_busy_answers_leave_rows_for_later_then_fail_them(app, engine, config_data, fake_wecom):
    config_data["reminders"].update(max_retries=1, max_attempts=2)
    config = build_config(config_data, source="test")
    busy = {"errcode": 45033, "errmsg": "api concurrent out of limit"}
    fake_wecom.answer_next_sends(*[busy] * 4)
    report = jobs.run(config, kind="monthly", day=today(), engine=engine)
    assert report.drained.retry_later == 6 and report.pending == 6
    assert set(statuses(engine).values()) == {"pending"}
    later = utcnow() + timedelta(minutes=5)
    with jobs.transport_for(config, load_settings(config), engine) as transport:
        again = drain(engine, config=config, settings=load_settings(config), transport=transport, now=lambda: later)
    assert again.failed == 6 and set(statuses(engine).values()) == {"failed"}
    assert fake_wecom.recipients() == {}


def test_insert_ignore_skips_existing_keys(app, engine, config):
    rows = outbox_rows([Planned(u, u, "x") for u in ("a", "b")], config=config, kind="summary", day=today())
    assert queue.enqueue(engine, rows) == 2
    more = outbox_rows([Planned(u, u, "y") for u in ("b", "c")], config=config, kind="summary", day=today())
    with engine.begin() as conn:
        assert insert_ignore(conn, Outbox, more, queue.KEY) == 1
    with new_session(engine) as session:
        assert {r.userid: r.content for r in session.exec(select(Outbox)).all()} == {"a": "x", "b": "x", "c": "y"}


def test_the_database_token_is_fetched_once_by_many_threads(app, engine):
    fetched = []

    def fetch():
        fetched.append(1)
        return f"token-{len(fetched)}", 7200
    stores = [DbTokenStore(engine, name="corp:1", holder=f"p{i}") for i in range(6)]
    results = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.get(fetch))) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == ["token-1"] * 6 and len(fetched) == 1
    assert stores[0].get(fetch, stale="token-1") == "token-2"   # a refused token forces one refresh
    assert stores[1].get(fetch, stale="token-1") == "token-2"   # … which the others then reuse
    assert len(fetched) == 2


class FakeRedis:
    """The four calls RedisTokenStore makes, in memory."""

    def __init__(self):
        self.data, self.lock = {}, threading.Lock()

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, nx=False, ex=None):
        with self.lock:
            if nx and key in self.data:
                return None
            self.data[key] = value.encode() if isinstance(value, str) else value
            return True

    def delete(self, key):
        self.data.pop(key, None)


def test_the_redis_token_is_shared_and_refreshed_once():
    client, fetched = FakeRedis(), []

    def fetch():
        fetched.append(1)
        return f"token-{len(fetched)}", 7200
    one = RedisTokenStore(client, name="corp:1", holder="a")
    two = RedisTokenStore(client, name="corp:1", holder="b")
    assert one.get(fetch) == two.get(fetch) == "token-1"
    assert two.get(fetch, stale="token-1") == "token-2" and one.get(fetch) == "token-2"
    assert len(fetched) == 2


@pytest.mark.wecom
def test_claims_that_cut_a_text_in_two_cost_no_extra_call(app, engine, config_data, fake_wecom):
    config_data["reminders"].update(batch_size=2, claim_size=3)
    config = build_config(config_data, source="test")
    users = sorted(ROSTER_USERS)
    with new_session(engine) as session:      # ids in order: A A A A B B — claims of 3 cut text A
        enqueue_notices(session, [(u, "notice", "n1", "通知A") for u in users[:4]])
        enqueue_notices(session, [(u, "notice", "n1", "通知B") for u in users[4:]])
        session.commit()
    with jobs.transport_for(config, load_settings(config), engine) as transport:
        report = drain(engine, config=config, settings=load_settings(config), transport=transport)
    assert report.sent == 6
    assert sorted((call.content, len(call.touser)) for call in fake_wecom.sends) == [
        ("通知A", 2), ("通知A", 2), ("通知B", 2)]                  # ceil(4/2) + ceil(2/2)
    assert set(statuses(engine).values()) == {"sent"}


@pytest.mark.wecom
def test_a_lone_notice_between_bulk_rows_is_not_held_back(app, engine, config_data, fake_wecom):
    config_data["reminders"].update(batch_size=2, claim_size=3)
    config = build_config(config_data, source="test")
    users = sorted(ROSTER_USERS)
    with new_session(engine) as session:      # ids: A A X A A A — the first claim ends on X
        enqueue_notices(session, [(u, "notice", "n1", "通知A") for u in users[:2]])
        enqueue_notices(session, [(users[0], "review", "r1", "审核结果")])
        enqueue_notices(session, [(u, "notice", "n1", "通知A") for u in users[2:6]])
        session.commit()
    with jobs.transport_for(config, load_settings(config), engine) as transport:
        report = drain(engine, config=config, settings=load_settings(config), transport=transport)
    assert report.sent == 7
    texts = [call.content for call in fake_wecom.sends]
    assert texts.count("通知A") == 3                      # ceil(6 / 2)
    assert texts.index("审核结果") < len(texts) - 1       # not kept until every bulk call is out


@pytest.mark.wecom
def test_an_archive_that_cannot_be_built_fails_its_row_and_the_drain_goes_on(app, engine, config, fake_wecom,
                                                                             monkeypatch):
    from models.outbox import archive_request

    def broken(*args, **kwargs):
        raise ValueError("a bug in the archive")     # fault injection: stands for any error building the file

    monkeypatch.setattr("models.archive.build_archive", broken)
    with new_session(engine) as session:
        enqueue_notices(session, [("zhangsj", "export", "m1", archive_request(branch_id=1, year=2026, filename="a.xlsx"))])
        enqueue_notices(session, [("liming", "review", "r1", "审核结果")])
        session.commit()
    with jobs.transport_for(config, load_settings(config), engine) as transport:
        report = drain(engine, config=config, settings=load_settings(config), transport=transport)
    assert (report.sent, report.failed) == (1, 1)
    assert statuses(engine) == {"zhangsj": "failed", "liming": "sent"}
    assert fake_wecom.recipients() == {"liming": ["审核结果"]}
