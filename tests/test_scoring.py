"""Scoring by the configured rules, seen through chat replies and the stored archive."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from models.db import new_session
from models.tables import Entry


def stored(engine):
    with new_session(engine) as session:
        return session.exec(select(Entry).order_by(Entry.id)).all()


def test_cap_records_the_entry_with_zero_points_and_says_why(send_text, engine, clock):
    clock.set(2026, 11, 10, 9)
    assert "读书 3 本 +6 分" in send_text("liming", "读书3本")
    reply = send_text("liming", "读书一本《活着》")
    assert "读书 1 本《活着》+0 分" in reply and "每月最多计 3 本，1 本不计分" in reply
    assert [(e.quantity, e.points) for e in stored(engine)] == [(3, 6), (1, 0)]


def test_partly_over_the_cap_scores_the_part_under_it(send_text, clock):
    clock.set(2026, 11, 10, 9)
    send_text("liming", "读书2本")
    reply = send_text("liming", "读书2本")
    assert "读书 2 本 +2 分" in reply and "1 本不计分" in reply


def test_cap_is_per_period(send_text, clock):
    clock.set(2026, 10, 10, 9)
    send_text("liming", "读书3本")
    clock.set(2026, 11, 10, 9)
    assert "读书 1 本 +2 分" in send_text("liming", "读书一本")


def test_points_cap_for_training_hours(send_text, clock):
    clock.set(2026, 11, 10, 9)
    assert "培训 30 学时 +15 分" in send_text("liming", "参加培训30学时")
    reply = send_text("liming", "参加培训20学时")
    assert "培训 20 学时 +5 分" in reply and "每年最多计 20 分" in reply


def test_same_book_twice_in_a_year_is_a_duplicate(send_text, engine, clock):
    clock.set(2026, 3, 10, 9)
    send_text("liming", "读书一本《红岩》")
    clock.set(2026, 9, 10, 9)
    reply = send_text("liming", "读书一本《红岩》")
    assert "+0 分" in reply and "《红岩》今年已登记过，不重复计分" in reply
    assert "本月五个一：读书 ✗" in reply
    assert [e.duplicate for e in stored(engine)] == [False, True]


def test_approval_kind_is_pending_and_does_not_count(send_text, engine, clock):
    clock.set(2026, 11, 10, 9)
    reply = send_text("liming", "取得本科学历")
    assert "已提交：学历学位 本科（待支部书记审核，通过后计 8 分）" in reply
    assert reply.split("\n")[0].endswith("本年积分 0 / 60")
    (entry,) = stored(engine)
    assert (entry.kind, entry.level, entry.status, entry.points) == ("degree", "本科", "pending", 8)


def test_late_report_inside_the_grace_window_is_accepted(send_text, engine, clock):
    clock.set(2026, 3, 5, 9)
    reply = send_text("liming", "2月20日读书一本")
    assert "已记录：读书 1 本 +2 分" in reply
    assert str(stored(engine)[0].occurred_on) == "2026-02-20"


def test_late_report_after_the_grace_window_is_refused_with_the_reason(send_text, engine, clock):
    clock.set(2026, 3, 6, 9)
    reply = send_text("liming", "2月20日读书一本")
    assert "未登记读书：2026年2月已结束，补报期（结束后 5 天内）已过，不能再登记" in reply
    assert stored(engine) == []


def test_future_date_is_refused(send_text, engine, clock):
    clock.set(2026, 11, 10, 9)
    assert "不能提前登记" in send_text("liming", "明天读书一本")
    assert stored(engine) == []


def test_every_entry_keeps_its_message_and_the_rule_that_scored_it(send_text, engine):
    send_text("liming", "读书2本，交流心得一次")
    book, insight = stored(engine)
    assert book.source_text == insight.source_text == "读书2本，交流心得一次"
    assert json.loads(book.rule) | {"cap_period": "month"} == json.loads(book.rule)
    assert json.loads(book.rule)["points"] == 2 and json.loads(book.rule)["cap"] == 3


@pytest.mark.parametrize("overrides, text, expected", [
    ({"book": {"points": 3}}, "读书一本", "读书 1 本 +3 分"),
    ({"book": {"cap": 1}}, "读书2本", "读书 2 本 +2 分"),
    ({"insight": {"approval": True}}, "交流心得一次", "已提交：心得 1 次（待支部书记审核"),
    ({"volunteer": {"name": "志愿服务", "unit": "次", "points": 1.5, "synonyms": ["志愿服务"]}},
     "参加志愿服务2次", "志愿服务 2 次 +3 分"),
], ids=["points", "cap", "approval", "new-kind"])
def test_rules_are_data(config_data, clock, overrides, text, expected):
    from bot.config import build_config
    from bot.simulator import simulator_for
    from tests.channel import openid_for
    from tests.conftest import app_with_roster
    config_data["rules"] = {"kinds": overrides}
    config = build_config(config_data, source="test")
    app = app_with_roster(config, clock, roster=[("李明", "liming", "一支部", "member")])
    engine = app.extensions["hongling"].engine
    sim = simulator_for(config.wechat, openid=openid_for)
    params, body = sim.text("liming", text)
    response = app.test_client().post(f"/wechat?{sim.query(params)}", data=body)
    assert expected in sim.open_reply(response.data)["Content"]
    engine.dispose()


def test_question_about_a_rule_is_explained_and_records_nothing(send_text, engine):
    reply = send_text("liming", "读书怎么算分？")
    assert "读书：每 本 2 分，每月最多计 3 本" in reply
    assert stored(engine) == []


def test_negation_records_nothing(send_text, engine):
    reply = send_text("liming", "这个月还没读书")
    assert "没有登记" in reply and "读书" in reply
    assert stored(engine) == []


def test_unsure_message_is_confirmed_before_recording(send_text, engine):
    question = send_text("liming", "读了点书")
    assert question.startswith("是要登记「读书 1 本」吗？")
    assert stored(engine) == []
    assert "已记录：读书 1 本 +2 分" in send_text("liming", "是")
    assert len(stored(engine)) == 1
    assert "帮助" in send_text("liming", "是")
    assert len(stored(engine)) == 1


def test_unsure_message_declined_or_abandoned_records_nothing(send_text, engine):
    send_text("liming", "读了点书")
    assert "已取消" in send_text("liming", "否")
    send_text("liming", "读了点书")
    send_text("liming", "我的积分")
    assert "帮助" in send_text("liming", "是")
    assert stored(engine) == []


def test_picture_after_a_report_becomes_its_evidence(send_text, post, sim, engine):
    send_text("liming", "读书一本《红岩》")
    xml = sim.message_xml("liming", "image", {"PicUrl": "https://wework.qpic.cn/p/1", "MediaId": "MEDIA1"})
    reply = sim.open_reply(post(*sim.sign(xml)).data)["Content"]
    assert "佐证" in reply and "《红岩》" in reply
    (entry,) = stored(engine)
    assert (entry.evidence_media_id, entry.evidence_url) == ("MEDIA1", "https://wework.qpic.cn/p/1")


def test_picture_without_a_recent_report_gets_a_hint(post, sim, engine):
    xml = sim.message_xml("liming", "image", {"PicUrl": "https://wework.qpic.cn/p/2", "MediaId": "MEDIA2"})
    assert "请先发送学习内容" in sim.open_reply(post(*sim.sign(xml)).data)["Content"]
    assert stored(engine) == []
