"""Secretaries and admins in chat: review, leave, look-up, and the reach of each role."""
from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import new_session
from models.tables import AuditLog, Entry, Member

SECRETARY_COMMANDS = ["待审核", "通过 1", "驳回 1 证书不清晰", "请假 李明 至 12月31日", "查 李明"]


def entry(engine, entry_id):
    with new_session(engine) as session:
        return session.get(Entry, entry_id)


def only_entry_id(engine) -> int:
    with new_session(engine) as session:
        return session.exec(select(Entry.id)).one()


@pytest.mark.parametrize("text", SECRETARY_COMMANDS)
def test_member_gets_a_polite_refusal_that_reveals_nothing(send_text, engine, text):
    send_text("wangfang", "取得本科学历")
    reply = send_text("liming", text)
    assert reply == "抱歉，您没有使用该功能的权限。发送「帮助」查看可用命令。"
    assert entry(engine, only_entry_id(engine)).status == "pending"


def test_report_words_that_start_like_commands_are_still_reports(send_text, engine):
    assert "已记录：自学自考" in send_text("liming", "通过自考一门")


def test_help_shows_only_what_the_asker_may_run(send_text):
    member_help, secretary_help = send_text("liming", "帮助"), send_text("zhangsj", "帮助")
    for command in ("待审核", "通过", "驳回", "请假", "查 姓名"):
        assert command not in member_help and command in secretary_help
    assert "我的积分" in member_help and "我的积分" in secretary_help


def test_pending_entry_is_approved_and_then_counts(send_text, engine):
    send_text("liming", "取得本科学历")
    number = only_entry_id(engine)
    listing = send_text("zhangsj", "待审核")
    assert f"#{number}" in listing and "李明" in listing and "学历学位 本科" in listing
    reply = send_text("zhangsj", f"通过 {number}")
    assert reply == f"#{number} 李明 学历学位 本科：已通过，计 8 分。已通知本人。"
    assert entry(engine, number).status == "recorded"
    assert "积分 8 / 60" in send_text("liming", "我的积分")
    assert send_text("zhangsj", "待审核") == "没有待审核的记录。"


def test_rejection_needs_a_reason_and_keeps_it(send_text, engine):
    send_text("liming", "获得高级工职业技能等级证书")
    number = only_entry_id(engine)
    assert "请写明原因" in send_text("zhangsj", f"驳回 {number}")
    assert "未通过，原因：证书照片不清晰" in send_text("zhangsj", f"驳回 {number} 证书照片不清晰")
    stored = entry(engine, number)
    assert (stored.status, stored.review_note) == ("rejected", "证书照片不清晰")
    assert "积分 0 / 60" in send_text("liming", "我的积分")


def test_secretary_cannot_review_or_see_another_branch(send_text, engine):
    send_text("liuyang", "取得硕士学位")
    number = only_entry_id(engine)
    assert send_text("zhangsj", "待审核") == "没有待审核的记录。"
    assert "没有找到" in send_text("zhangsj", f"通过 {number}")
    assert entry(engine, number).status == "pending"
    assert "没有找到" in send_text("zhangsj", "查 刘洋")
    assert "没有找到" in send_text("zhangsj", "请假 刘洋 至 12月31日")
    assert "已通过" in send_text("chensj", f"通过 {number}")


def test_admin_reaches_every_branch(send_text, engine):
    send_text("liuyang", "取得硕士学位")
    assert "刘洋" in send_text("zhougl", "待审核")
    assert "刘洋（第二支部）" in send_text("zhougl", "查 刘洋")


def test_leave_is_recorded_and_audited(send_text, engine, clock):
    clock.set(2026, 11, 22, 10)
    assert send_text("zhangsj", "请假 李明 至 12月31日") == "已登记 李明 请假至 2026年12月31日，期间不提醒。"
    with new_session(engine) as session:
        member = session.exec(select(Member).where(Member.userid == "liming")).one()
        assert str(member.leave_until) == "2026-12-31"
        log = session.exec(select(AuditLog)).all()
    assert [(a.action, a.target, a.detail) for a in log] == [("leave", "member:liming", "2026-12-31")]


def test_lookup_shows_progress_and_latest_entries(send_text):
    send_text("liming", "读书一本《红岩》")
    reply = send_text("zhangsj", "查 李明")
    assert reply.startswith("李明（第一支部）本年积分 2 / 60")
    assert "读书✓" in reply and "《红岩》" in reply


def test_review_is_audited(send_text, engine):
    send_text("liming", "取得本科学历")
    number = only_entry_id(engine)
    send_text("zhangsj", f"通过 {number}")
    with new_session(engine) as session:
        log = session.exec(select(AuditLog)).all()
    assert [(a.action, a.target) for a in log] == [("approve", f"entry:{number}")]


def test_admin_with_child_branches_reaches_only_their_part_of_the_tree(app, engine, send_text):
    from models.roster import RosterRow, upsert_roster
    with new_session(engine) as session:
        upsert_roster(session, rows=[
            RosterRow(2, "总支管理员", "zongzhi", "运检党总支", "admin", "公司党委"),
            RosterRow(3, "甲", "jia", "变电支部", "member", "运检党总支"),
            RosterRow(4, "乙", "yi", "营销支部", "member", "公司党委"),
        ])
        session.commit()
    send_text("jia", "取得本科学历")
    send_text("yi", "取得硕士学位")
    listing = send_text("zongzhi", "待审核")
    assert "甲" in listing and "乙" not in listing
    assert "变电支部" in send_text("zongzhi", "查 甲") and "没有找到" in send_text("zongzhi", "查 乙")
