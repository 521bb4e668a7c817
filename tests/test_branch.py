"""Branch views in chat: 支部情况, 未完成, 积分排名, 全部支部, by role and branch."""
from __future__ import annotations

import pytest

from models.db import new_session
from models.roster import RosterRow, upsert_roster


@pytest.fixture
def reported(send_text, clock):
    clock.set(2026, 11, 22, 10)
    send_text("liming", "读书2本，交流心得一次")
    send_text("wangfang", "读书一本")
    send_text("liuyang", "读书一本，交流心得一次，解决难题一个")
    return send_text


def test_branch_status_counts_names_and_points(reported):
    reply = reported("zhangsj", "支部情况")
    lines = reply.split("\n")
    assert lines[0] == "第一支部（3 人，请假不计）"
    assert "本月读书 2/3" in lines and "本月心得 1/3" in lines and "本季度难题 0/3" in lines
    assert "本年积分合计 8，人均 2.7 / 60" in lines
    assert "· 读书（1 人）：张书记" in lines
    assert "· 心得（2 人）：张书记、王芳" in lines
    assert "刘洋" not in reply


def test_branch_status_skips_members_on_leave(reported):
    reported("zhangsj", "请假 王芳 至 12月31日")
    reply = reported("zhangsj", "支部情况")
    assert reply.startswith("第一支部（2 人，请假不计）") and "王芳" not in reply


def test_unfinished_for_one_item_and_all(reported):
    assert reported("zhangsj", "未完成 心得") == "本月心得未完成 2 人：张书记、王芳"
    everything = reported("zhangsj", "未完成")
    assert "本月读书未完成 1 人：张书记" in everything and "本年成果未完成 3 人" in everything
    assert "请发送" in reported("zhangsj", "未完成 跳舞")


def test_ranking_for_secretary_and_own_standing_for_member(reported):
    ranking = reported("zhangsj", "积分排名").split("\n")
    assert ranking[1:] == ["1. 李明 6", "2. 王芳 2", "3. 张书记 0"]
    assert reported("wangfang", "积分排名") == "您本年积分 2 / 60，在本支部 3 人中排第 2 名。"


def test_all_branches_for_admin_only(reported):
    reply = reported("zhougl", "全部支部")
    assert reply.startswith("共 3 个支部")
    assert reply.index("第二支部") < reply.index("第一支部") < reply.index("机关支部")
    for user in ("zhangsj", "liming"):
        assert "没有使用该功能的权限" in reported(user, "全部支部")


@pytest.mark.parametrize("command", ["支部情况", "未完成", "未完成 读书"])
def test_member_is_refused_branch_views(reported, command):
    assert "没有使用该功能的权限" in reported("liming", command)


def test_other_secretary_sees_only_their_branch(reported):
    reply = reported("chensj", "支部情况")
    assert reply.startswith("第二支部（2 人") and "李明" not in reply and "王芳" not in reply


def test_eighty_member_branch_still_fits_a_chat_bubble(app, engine, send_text):
    rows = [RosterRow(i, f"党员{i:02d}号同志", f"m{i:02d}", "大支部", "member") for i in range(80)]
    rows.append(RosterRow(99, "大书记", "bigsj", "大支部", "secretary"))
    with new_session(engine) as session:
        upsert_roster(session, rows=rows)
        session.commit()
    for command in ("支部情况", "未完成", "积分排名"):
        reply = send_text("bigsj", command)
        assert len(reply.encode("utf-8")) <= 2048
        assert "党员00号同志" in reply
    assert "导出" in send_text("bigsj", "支部情况")
