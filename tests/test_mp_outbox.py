"""Pushing on an Official Account: customer-service messages inside 48 hours, templates outside,
and a record of which way each went or why a member could not be reached. Against tests/fake_mp.py.
"""
from __future__ import annotations

import os
import signal
import subprocess
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from bot.config import build_config
from models.binding import MemberBinding
from models.db import new_session
from models.outbox import Outbox
from models.tables import InboundMessage, Member, utcnow
from scheduler import jobs
from scheduler.sender import drain
from scheduler.settings import load_settings
from tests.channel import mp_secrets, openid_for
from tests.conftest import TZ
from tests.fake_mp import fake_mp  # noqa: F401  (fixture)
from tests.fake_wecom import point_config_at
from tests.test_cli import write_config
from tests.test_outbox import HONGLING
from tests.test_reminders import hongling

FIELDS = {"first": "{title}", "keyword1": "{body:.20}", "keyword2": "{date}", "remark": "回复本公众号即可登记。"}
EVERYONE = {"zhangsj", "liming", "wangfang", "chensj", "liuyang", "zhougl"}


@pytest.fixture
def config_data(config_data, fake_mp):
    config_data["wechat"] = mp_secrets() | {"template": {"id": "TPL-reminder", "fields": FIELDS}}
    return point_config_at(config_data, fake_mp, backoff_seconds=0.01, backoff_max_seconds=0.05)


@pytest.fixture
def config_file(tmp_path, config_data):
    return write_config(tmp_path / "hongling.toml", config_data)


def today() -> date:
    return datetime.now(TZ).date()


def rows(engine) -> dict[str, Outbox]:
    with new_session(engine) as session:
        return {row.userid: row for row in session.exec(select(Outbox)).all()}


def remind(capsys, config_file) -> tuple[int, str]:
    return hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(today()))


def test_custom_message_inside_48_hours_template_outside_and_the_row_says_which(
        send_text, engine, fake_mp, capsys, config_file):
    send_text("liming", "你好")                                         # writes today: window open
    send_text("zhangsj", "我的积分")
    send_text("wangfang", "你好")
    with new_session(engine) as session:                                # … but wangfang's was 49 hours ago
        session.exec(update(InboundMessage).where(InboundMessage.userid == openid_for("wangfang"))
                     .values(received_at=utcnow() - timedelta(hours=49)))
        session.commit()
    code, out = remind(capsys, config_file)
    assert code == 0 and "已发送 6 条" in out, out
    assert fake_mp.kinds() == {"liming": ["custom"], "zhangsj": ["custom"], "wangfang": ["template"],
                               "chensj": ["template"], "liuyang": ["template"], "zhougl": ["template"]}
    outbox = rows(engine)
    assert {u: (r.status, r.via) for u, r in outbox.items()} == {
        u: ("sent", "custom" if u in ("liming", "zhangsj") else "template") for u in EVERYONE}
    assert outbox["liming"].errmsg is None
    assert outbox["wangfang"].errmsg == "no message from the member in the last 48 h"
    custom = next(c for c in fake_mp.sends if c.touser == ["liming"])
    assert custom.body == {"touser": openid_for("liming"), "msgtype": "text",
                           "text": {"content": outbox["liming"].content}}
    template = next(c for c in fake_mp.sends if c.touser == ["wangfang"])
    day = today()
    assert template.body["template_id"] == "TPL-reminder" and template.body["touser"] == openid_for("wangfang")
    assert template.body["data"] == {
        "first": {"value": "学习提醒"}, "keyword1": {"value": outbox["wangfang"].content[len("【学习提醒】"):][:20]},
        "keyword2": {"value": f"{day.year}年{day.month}月{day.day}日"}, "remark": {"value": "回复本公众号即可登记。"}}
    code, out = remind(capsys, config_file)
    assert code == 0 and len(fake_mp.sends) == 6                      # nothing twice


def test_a_closed_window_falls_back_to_the_template(send_text, engine, fake_mp, capsys, config_file):
    send_text("liming", "你好")
    fake_mp.outside_window = {"liming"}                                # WeChat disagrees: 45015
    assert remind(capsys, config_file)[0] == 0
    assert [c.kind for c in fake_mp.sends if c.touser == ["liming"]] == ["custom", "template"]
    row = rows(engine)["liming"]
    assert (row.status, row.via, row.errcode) == ("sent", "template", 0) and "45015" in row.errmsg
    assert len(fake_mp.messages_for("liming")) == 1


def test_members_who_cannot_be_reached_are_recorded_with_why_and_not_retried(
        send_text, engine, fake_mp, capsys, config_file):
    send_text("wangfang", "你好")
    fake_mp.unfollowed = {"wangfang"}                                  # custom → 43004
    fake_mp.refusing_templates = {"chensj"}                            # template → 43101
    fake_mp.invalid_users = {"liuyang"}                                # 40003
    with new_session(engine) as session:
        zhougl = session.exec(select(Member.id).where(Member.userid == "zhougl")).one()
        session.exec(delete(MemberBinding).where(MemberBinding.member_id == zhougl))
        session.commit()
    code, out = remind(capsys, config_file)
    assert code == 0 and "无效用户 4" in out, out
    outbox = rows(engine)
    assert {u: (r.status, r.via, r.errcode) for u, r in outbox.items() if r.status != "sent"} == {
        "wangfang": ("invalid", "custom", 43004), "chensj": ("invalid", "template", 43101),
        "liuyang": ("invalid", "template", 40003), "zhougl": ("invalid", None, None)}
    assert outbox["zhougl"].errmsg.startswith("未绑定微信") and "43101" in outbox["chensj"].errmsg
    calls = len(fake_mp.sends)
    assert hongling(capsys, config_file, "reminders", "drain")[0] == 0
    assert len(fake_mp.sends) == calls and set(fake_mp.recipients()) == {"zhangsj", "liming"}


def test_without_a_template_members_outside_the_window_are_recorded_as_unreachable(
        send_text, engine, fake_mp, capsys, config_data, tmp_path):
    config_data["wechat"]["template"] = {"id": "", "fields": {}}
    path = write_config(tmp_path / "no-template.toml", config_data)
    send_text("liming", "你好")
    code, out = hongling(capsys, path, "reminders", "run", "monthly", "--date", str(today()))
    assert code == 0 and "已发送 1 条" in out and "无效用户 5" in out
    wangfang = rows(engine)["wangfang"]
    assert (wangfang.status, wangfang.errcode) == ("invalid", 45015) and "no [wechat.template] id" in wangfang.errmsg
    assert fake_mp.kinds() == {"liming": ["custom"]}


def test_the_token_is_fetched_once_refreshed_once_and_busy_answers_retried(app, fake_mp, capsys, config_file):
    fake_mp.answer_next_sends({"errcode": 45009, "errmsg": "reach max api daily quota limit"},
                              {"errcode": -1, "errmsg": "system error"})
    assert remind(capsys, config_file)[0] == 0
    assert [c.answer["errcode"] for c in fake_mp.sends] == [45009, -1] + [0] * 6
    assert fake_mp.token_calls == 1
    fake_mp.expire_tokens()
    assert hongling(capsys, config_file, "reminders", "run", "yearly", "--date", str(today()))[0] == 0
    assert fake_mp.token_calls == 2 and [c.answer["errcode"] for c in fake_mp.sends[8:10]] == [42001, 0]
    assert all(len(texts) == 2 for texts in fake_mp.recipients().values())


def test_busy_beyond_the_retries_waits_then_fails_and_other_errors_are_recorded(app, engine, fake_mp, config_data):
    config_data["reminders"].update(max_retries=1, max_attempts=2)
    config = build_config(config_data, source="test")
    busy = {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
    fake_mp.answer_next_sends(busy, busy)
    report = jobs.run(config, kind="monthly", day=today(), engine=engine)
    assert report.drained.retry_later == 1 and report.pending == 6        # the rest waits for the next drain
    fake_mp.answer_next_sends(busy, busy, {"errcode": 40164, "errmsg": "invalid ip, not in whitelist"})
    settings, later = load_settings(config), utcnow() + timedelta(minutes=5)
    for _ in range(2):
        with jobs.transport_for(config, settings, engine) as transport:
            drain(engine, config=config, settings=settings, transport=transport, now=lambda: later)
    outbox = sorted((r.status, r.errcode) for r in rows(engine).values())
    assert outbox == [("failed", 40164), ("failed", 45009)] + [("sent", 0)] * 4
    assert len(fake_mp.recipients()) == 4


def test_a_wrong_app_secret_stops_sending_and_keeps_the_rows(app, engine, fake_mp, capsys, config_file):
    fake_mp.secret = "not-the-secret"
    code, out = remind(capsys, config_file)
    assert code == 1 and "40125" in out
    assert {r.status for r in rows(engine).values()} == {"pending"} and fake_mp.sends == []


def test_a_crash_mid_send_never_sends_a_member_twice(app, engine, config_data, fake_mp, config_file):
    fake_mp.hang_on_call = 2
    proc = subprocess.Popen([HONGLING, "--config", str(config_file), "reminders", "run", "monthly",
                             "--date", str(today())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert fake_mp.hung.wait(30), "the sender never reached its second call"
        os.kill(proc.pid, signal.SIGKILL)                # dies while WeChat handles call 2
    finally:
        proc.wait(10)
    fake_mp.release.set()
    assert sorted(r.status for r in rows(engine).values()) == ["claimed"] * 4 + ["inflight", "sent"]
    config = build_config(config_data, source="test")
    settings = load_settings(config)
    later = utcnow() + timedelta(seconds=settings.send_lease_seconds + 1)
    with jobs.transport_for(config, settings, engine) as transport:
        report = drain(engine, config=config, settings=settings, transport=transport, now=lambda: later)
    assert report.sent == 4
    assert sorted(r.status for r in rows(engine).values()) == ["sent"] * 5 + ["unknown"]
    received = fake_mp.recipients()
    assert set(received) == EVERYONE and all(len(texts) == 1 for texts in received.values())


def test_export_explains_that_an_official_account_cannot_send_files(send_text, engine):
    reply = send_text("zhangsj", "导出 2026")
    assert "公众号不能发送文件" in reply and "hongling report export --branch 第一支部 --year 2026" in reply
    assert rows(engine) == {}
