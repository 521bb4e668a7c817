"""Reminders end to end: `hongling reminders run …` against a fake WeCom API on loopback.

What is asserted is what members would see: which users got which texts, how many times.
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.cli import main
from models.db import new_session
from models.errors import ConfigError
from models.outbox import Outbox
from models.queries import member_by_userid
from models.tables import Entry
from scheduler import jobs
from scheduler.settings import load_settings
from tests.channel import ON_MP
from tests.conftest import TZ
from tests.fake_wecom import fake_wecom, point_config_at  # noqa: F401  (fixture)
from tests.test_cli import write_config


@pytest.fixture
def config_data(config_data, fake_wecom):
    """Every test here sends through the fake API, with quick back-off."""
    return point_config_at(config_data, fake_wecom, backoff_seconds=0.01, backoff_max_seconds=0.05)


@pytest.fixture
def config_file(tmp_path, config_data):
    return write_config(tmp_path / "hongling.toml", config_data)


def today() -> date:
    return datetime.now(TZ).date()


def add_entry(engine, userid: str, kind: str, day: date, *, status: str = "recorded",
              duplicate: bool = False, points: float = 2.0) -> None:
    with new_session(engine) as session:
        member = member_by_userid(session, userid=userid)
        session.add(Entry(member_id=member.id, kind=kind, quantity=1, points=points, occurred_on=day,
                          status=status, duplicate=duplicate, rule="{}", source_text="test"))
        session.commit()


def hongling(capsys, config_file, *argv) -> tuple[int, str]:
    code = main(["--config", str(config_file), *argv])
    out, err = capsys.readouterr()
    return code, out + err


def month_text(day: date, owed: str, example: str = "读书一本") -> str:
    return (f"【学习提醒】同志您好，本月（{day.year}年{day.month}月）您还未完成：{owed}。"
            f"完成后直接发送如「{example}」即可登记。")


def test_monthly_reminds_each_member_who_owes_once_naming_what_they_owe(
        app, engine, send_text, fake_wecom, config_file, capsys):
    day = today()
    send_text("liming", "读书一本《红岩》")
    send_text("liming", "交流心得一次")                        # liming: all done
    add_entry(engine, "wangfang", "book", day)                 # owes 心得 only
    add_entry(engine, "chensj", "insight", day, status="revoked")  # a revoked entry is not done
    add_entry(engine, "zhougl", "insight", day)
    add_entry(engine, "zhougl", "book", day, duplicate=True)   # a duplicate is not done: owes 读书
    add_entry(engine, "zhangsj", "book", day.replace(day=1) - timedelta(days=1))  # last month does not count
    code, out = hongling(capsys, config_file, "members", "leave", "liuyang", "--until", str(day + timedelta(days=3)))
    assert code == 0

    code, out = hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(day))
    assert code == 0, out
    assert fake_wecom.recipients() == {
        "zhangsj": [month_text(day, "读书、心得")],
        "chensj": [month_text(day, "读书、心得")],
        "wangfang": [month_text(day, "心得", "心得交流一次")],
        "zhougl": [month_text(day, "读书")],
    }
    assert "应发 4 人，新写入 4 条" in out and "已发送 4 条" in out
    if not ON_MP:                                              # an Official Account takes one user per call
        both = [call for call in fake_wecom.sends if "读书、心得" in call.content]
        assert len(both) == 1 and sorted(both[0].touser) == ["chensj", "zhangsj"]  # identical texts: one call

    calls = len(fake_wecom.sends)
    code, out = hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(day))
    assert code == 0 and "新写入 0 条（4 条此前已写入，不重复发送）" in out
    assert len(fake_wecom.sends) == calls
    assert sum(len(texts) for texts in fake_wecom.recipients().values()) == 4


@pytest.mark.parametrize("kind, code, word, owed, example", [
    ("quarterly", "problem", "本季度", "难题", "解决难题一个"),
    ("halfyear", "talk", "本半年", "会谈", "深度会谈一次"),
    ("yearly", "result", "本年", "成果", "学习成果一项"),
])
def test_other_kinds_remind_only_their_own_items(app, engine, fake_wecom, config_file, capsys,
                                                 kind, code, word, owed, example):
    day = today()
    add_entry(engine, "liming", code, day)
    add_entry(engine, "wangfang", code, day, status="pending")   # awaiting approval: not done yet
    code_, out = hongling(capsys, config_file, "reminders", "run", kind, "--date", str(day))
    assert code_ == 0, out
    received = fake_wecom.recipients()
    assert set(received) == {"zhangsj", "wangfang", "chensj", "liuyang", "zhougl"}
    for texts in received.values():
        assert len(texts) == 1
        assert f"{word}（" in texts[0] and f"您还未完成：{owed}。" in texts[0] and f"「{example}」" in texts[0]
        assert "读书" not in texts[0] and "心得" not in texts[0]
    calls = len(fake_wecom.sends)
    assert hongling(capsys, config_file, "reminders", "run", kind, "--date", str(day))[0] == 0
    assert len(fake_wecom.sends) == calls


def test_summary_sends_each_secretary_last_months_branch_status(app, engine, fake_wecom, config_file, capsys):
    first = today().replace(day=1)
    last_month = first - timedelta(days=1)
    add_entry(engine, "liming", "book", last_month, points=2)
    add_entry(engine, "liming", "insight", last_month, points=2)
    add_entry(engine, "wangfang", "book", last_month, points=2)
    add_entry(engine, "wangfang", "book", first, points=2)        # this month: not in last month's summary
    code, out = hongling(capsys, config_file, "reminders", "run", "summary", "--date", str(first))
    assert code == 0, out
    received = fake_wecom.recipients()
    assert set(received) == {"zhangsj", "chensj"}                  # secretaries only
    text = received["zhangsj"][0]
    assert text.startswith(f"【支部月报】第一支部 {last_month.year}年{last_month.month}月")
    assert "读书 2/3 人，心得 1/3 人" in text
    assert "积分：合计 6 分，人均 2.0 分" in text
    assert "· 读书：张书记" in text and "· 心得：张书记、王芳" in text
    assert "李明" not in text
    assert received["chensj"][0].startswith("【支部月报】第二支部") and "陈书记、刘洋" in received["chensj"][0]
    assert hongling(capsys, config_file, "reminders", "run", "summary", "--date", str(first))[0] == 0
    assert sum(len(t) for t in fake_wecom.recipients().values()) == 2


def test_dry_run_prints_who_gets_what_and_sends_nothing(app, engine, fake_wecom, config_file, capsys):
    day = today()
    add_entry(engine, "liming", "book", day)
    code, out = hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(day), "--dry-run")
    assert code == 0
    assert "→ liming（李明）\n" + month_text(day, "心得", "心得交流一次") in out
    assert "→ wangfang（王芳）\n" + month_text(day, "读书、心得") in out
    assert "共 6 人，未写入、未发送" in out
    assert fake_wecom.sends == [] and fake_wecom.token_calls == 0
    with new_session(engine) as session:
        assert session.exec(select(Outbox)).all() == []


def test_rate_limit_answers_are_retried_and_one_token_serves_every_run(app, fake_wecom, config_file, capsys):
    day = today()
    fake_wecom.answer_next_sends({"errcode": 45009, "errmsg": "api freq out of limit"},
                                 {"errcode": -1, "errmsg": "system busy"})
    code, out = hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(day))
    assert code == 0, out
    assert [len(texts) for texts in fake_wecom.recipients().values()] == [1] * 6
    assert [call.answer["errcode"] for call in fake_wecom.sends] == [45009, -1] + [0] * (6 if ON_MP else 1)
    assert hongling(capsys, config_file, "reminders", "run", "quarterly", "--date", str(day))[0] == 0
    assert fake_wecom.token_calls == 1                              # the second run used the cached token


def test_an_expired_token_is_refreshed_once_and_the_call_repeated(app, fake_wecom, config_file, capsys):
    day = today()
    assert hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(day))[0] == 0
    fake_wecom.expire_tokens()
    code, out = hongling(capsys, config_file, "reminders", "run", "yearly", "--date", str(day))
    assert code == 0, out
    assert fake_wecom.token_calls == 2
    per_run = 6 if ON_MP else 1                                    # calls one run makes
    assert [call.answer["errcode"] for call in fake_wecom.sends[-per_run - 1:]] == [42001] + [0] * per_run
    assert all(len(texts) == 2 for texts in fake_wecom.recipients().values())


@pytest.mark.wecom
def test_invalid_users_are_recorded_and_not_retried(app, engine, fake_wecom, config_file, capsys):
    fake_wecom.invalid_users = {"wangfang"}
    day = today()
    code, out = hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(day))
    assert code == 0 and "无效用户 1" in out
    with new_session(engine) as session:
        row = session.exec(select(Outbox).where(Outbox.userid == "wangfang")).one()
    assert row.status == "invalid" and row.errmsg == "invaliduser"
    assert hongling(capsys, config_file, "reminders", "drain")[0] == 0
    assert "wangfang" not in fake_wecom.recipients() and len(fake_wecom.recipients()) == 5


@pytest.mark.wecom
def test_other_errors_are_recorded_on_the_rows(app, engine, fake_wecom, config_file, capsys):
    fake_wecom.answer_next_sends({"errcode": 60020, "errmsg": "not allow to access from your ip"})
    code, out = hongling(capsys, config_file, "reminders", "run", "monthly", "--date", str(today()))
    assert code == 1 and "失败 6" in out
    with new_session(engine) as session:
        rows = session.exec(select(Outbox)).all()
    assert {(r.status, r.errcode) for r in rows} == {("failed", 60020)}
    assert fake_wecom.recipients() == {}


def test_quiet_hours_hold_messages_until_morning_and_recheck_what_is_owed(app, engine, config_data, fake_wecom):
    from bot.config import build_config
    config_data["reminders"]["quiet_hours"] = "22:00-08:00"
    config = build_config(config_data, source="test")
    day = today()
    night = datetime.combine(day, datetime.min.time(), tzinfo=TZ).replace(hour=7)
    report = jobs.run(config, kind="monthly", day=day, engine=engine, now=lambda: night)
    assert report.queued == 6 and report.drained.quiet and fake_wecom.sends == []
    add_entry(engine, "liming", "book", day)                        # done before the morning send
    add_entry(engine, "wangfang", "book", day)
    add_entry(engine, "wangfang", "insight", day)
    morning = night.replace(hour=8, minute=30)
    with jobs.transport_for(config, load_settings(config), engine) as transport:
        from scheduler.sender import drain
        drained = drain(engine, config=config, settings=load_settings(config), transport=transport,
                        now=lambda: morning)
    assert drained.sent == 5 and drained.skipped == 1
    received = fake_wecom.recipients()
    assert "wangfang" not in received
    assert received["liming"] == [month_text(day, "心得", "心得交流一次")]
    assert received["zhangsj"] == [month_text(day, "读书、心得")]


def test_console_delivery_prints_through_the_outbox(app, config_data, tmp_path, capsys):
    config_data["wechat"]["delivery"] = "console"
    path = write_config(tmp_path / "console.toml", config_data)
    day = today()
    code, out = hongling(capsys, path, "reminders", "run", "monthly", "--date", str(day))
    label = "[公众号" if ON_MP else "[企业微信"
    assert code == 0
    assert f"{label} → zhangsj|liming|wangfang|chensj|liuyang|zhougl]\n" + month_text(day, "读书、心得") in out
    code, out = hongling(capsys, path, "reminders", "run", "monthly", "--date", str(day))
    assert code == 0 and label not in out


@pytest.mark.parametrize("block, key", [
    ({"quiet_hours": "22:00-25:00"}, "reminders.quiet_hours"),
    ({"batch_size": 5000}, "reminders.batch_size"),
    ({"max_retries": -1}, "reminders.max_retries"),
    ({"address_by_name": "yes"}, "reminders.address_by_name"),
    ({"send_lease_seconds": 5}, "reminders.send_lease_seconds"),
    ({"sendig": 1}, "reminders.sendig"),
    ({"schedule": {"monthly": [{"day": "32", "hour": 9}]}}, "reminders.schedule.monthly[0]"),
    ({"schedule": {"monthly": [{"dia": "20"}]}}, "reminders.schedule.monthly[0].dia"),
    ({"schedule": {"weekly": []}}, "reminders.schedule.weekly"),
])
def test_a_bad_reminders_block_names_the_key(config_data, tmp_path, capsys, block, key):
    from bot.config import build_config
    config_data["reminders"] = block
    with pytest.raises(ConfigError) as caught:
        load_settings(build_config(config_data, source="test"))
    assert caught.value.key == key
    if "schedule" not in block:
        path = write_config(tmp_path / "bad.toml", config_data)
        code, out = hongling(capsys, path, "reminders", "run", "monthly", "--dry-run")
        assert code == 2 and f"`{key}`" in out


def test_left_out_keys_take_their_defaults(config_data):
    from bot.config import build_config
    config_data["reminders"] = {"quiet_hours": "", "schedule": {"monthly": [{"day": "25", "hour": 10}]}}
    settings = load_settings(build_config(config_data, source="test"))
    assert settings.quiet_hours is None and settings.batch_size == 1000
    assert settings.schedule["monthly"] == ({"day": "25", "hour": 10},)
    assert settings.schedule["summary"] == ({"day": "1", "hour": 9},)


def test_address_by_name_gives_each_member_their_own_text(app, config_data, fake_wecom, tmp_path, capsys):
    config_data["reminders"]["address_by_name"] = True
    path = write_config(tmp_path / "named.toml", config_data)
    day = today()
    assert hongling(capsys, path, "reminders", "run", "monthly", "--date", str(day))[0] == 0
    assert fake_wecom.messages_for("liming") == [
        f"【学习提醒】李明同志，本月（{day.year}年{day.month}月）您还未完成：读书、心得。完成后直接发送如「读书一本」即可登记。"]
    assert len(fake_wecom.sends) == 6 and all(len(call.touser) == 1 for call in fake_wecom.sends)


def test_a_big_branch_summary_is_cut_to_2048_bytes():
    from scheduler.status import BranchStatus, KindStatus, summary_text
    names = [f"党员{i:03d}" for i in range(400)]
    status = BranchStatus(1, "大支部", date(2026, 10, 31), members=400, month_points=12.0, kinds=[
        KindStatus("book", "读书", "month", "2026年10月", True, 0, list(names)),
        KindStatus("insight", "心得", "month", "2026年10月", True, 0, list(names))])
    text = summary_text(status)
    assert len(text.encode("utf-8")) <= 2048
    assert text.startswith("【支部月报】大支部 2026年10月\n五个一完成：读书 0/400 人，心得 0/400 人\n积分：合计 12 分，人均 0.0 分")
    assert text.endswith("……（名单过长，已省略）") and "党员000、党员001" in text


def test_a_wecom_call_that_times_out_is_retried_and_delivered_once(app, fake_wecom, config_data, tmp_path, capsys):
    if ON_MP:
        pytest.skip("an Official Account has no duplicate check: a timed-out call is not resent (test_mp_outbox)")
    config_data["reminders"]["http_timeout_seconds"] = 0.5
    path = write_config(tmp_path / "timeout.toml", config_data)
    fake_wecom.hang_on_call = 1                       # the first message/send hangs past our timeout
    threading.Timer(3, fake_wecom.release.set).start()
    code, out = hongling(capsys, path, "reminders", "run", "monthly", "--date", str(today()))
    assert code == 0, out
    assert fake_wecom.hung.is_set() and len(fake_wecom.sends) >= 2     # it timed out, then was sent again
    received = fake_wecom.recipients()
    assert received and all(len(texts) == 1 for texts in received.values())   # nobody got it twice
