"""Member commands through the real protocol: 我的积分, 进度, 明细, 撤销, 帮助, chatter."""
from __future__ import annotations

from sqlmodel import select

from models.db import new_session
from models.tables import Entry


def entries(engine):
    with new_session(engine) as session:
        return session.exec(select(Entry).order_by(Entry.id)).all()


def test_two_items_in_one_message(send_text, engine):
    reply = send_text("liming", "读书2本，交流心得一次")
    assert "读书 2 本 +4 分" in reply and "心得 1 次 +2 分" in reply
    assert "本月五个一：读书 ✓ 心得 ✓" in reply
    assert reply.endswith("本年积分 6 / 60")
    assert [(e.kind, e.quantity, e.points) for e in entries(engine)] == [("book", 2, 4), ("insight", 1, 2)]


def test_my_points_by_kind(send_text):
    send_text("liming", "读书2本")
    send_text("liming", "参加公司安全培训8学时")
    reply = send_text("liming", "我的积分")
    assert "积分 8 / 60" in reply and "还差 52 分" in reply
    assert "读书 4 分" in reply and "培训 4 分" in reply


def test_progress_lists_all_five_ones(send_text):
    send_text("liming", "读书一本")
    reply = send_text("liming", "进度")
    assert "✓ 本月读书" in reply and "✗ 本月心得" in reply
    assert "本季度难题" in reply and "本半年会谈" in reply and "本年成果" in reply
    assert "还差：心得、难题、会谈、成果" in reply


def test_entries_then_revoke_by_number(send_text, engine):
    send_text("liming", "读书一本《红岩》")
    listing = send_text("liming", "明细")
    number = entries(engine)[0].id
    assert f"#{number}" in listing and "读书 1 本《红岩》" in listing
    reply = send_text("liming", f"撤销 {number}")
    assert reply.startswith(f"已撤销 #{number}") and reply.endswith("本年积分 0 / 60")
    assert [e.status for e in entries(engine)] == ["revoked"]
    assert "已撤销" in send_text("liming", "明细")


def test_revoke_someone_elses_entry_is_refused(send_text, engine):
    send_text("wangfang", "读书一本")
    number = entries(engine)[0].id
    assert "没有找到" in send_text("liming", f"撤销 {number}")
    assert entries(engine)[0].status == "recorded"


def test_revoke_without_number_takes_the_latest(send_text, engine):
    send_text("liming", "读书一本")
    send_text("liming", "交流心得一次")
    send_text("liming", "撤销")
    assert [e.status for e in entries(engine)] == ["recorded", "revoked"]


def test_help_is_generated_and_shows_only_what_the_asker_may_run(send_text):
    reply = send_text("liming", "帮助")
    for command in ("我的积分", "进度", "明细", "撤销"):
        assert command in reply


def test_chatter_creates_nothing_and_points_to_help(send_text, engine):
    for text in ("你好", "谢谢"):
        assert "帮助" in send_text("liming", text)
    assert entries(engine) == []


def test_reply_fits_wecom_limit(send_text):
    for i in range(12):
        send_text("liming", f"读书一本《书{i}》")
    assert len(send_text("liming", "明细").encode("utf-8")) <= 2048
