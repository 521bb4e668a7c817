"""Reach as a matrix: role x command x branch. Secretaries act on their branch, admins on all."""
from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import new_session
from models.tables import Entry

ACTORS = {"liming": "member", "zhangsj": "secretary-1", "chensj": "secretary-2", "zhougl": "admin"}
TARGETS = {"第一支部": ("liming", "李明"), "第二支部": ("liuyang", "刘洋")}
COMMANDS = {
    "通过 {id}": "已通过",
    "驳回 {id} 不符合要求": "未通过",
    "查 {name}": "{name}（{branch}）",
    "请假 {name} 至 12月31日": "已登记 {name} 请假",
    "待审核": "{name}",
}
REFUSAL = "抱歉，您没有使用该功能的权限。发送「帮助」查看可用命令。"


def reaches(actor: str, branch: str) -> bool:
    role = ACTORS[actor]
    return role == "admin" or (role == "secretary-1" and branch == "第一支部") or (
        role == "secretary-2" and branch == "第二支部")


@pytest.mark.parametrize("branch", TARGETS)
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("actor", ACTORS)
def test_reach(send_text, engine, actor, command, branch):
    userid, name = TARGETS[branch]
    send_text(userid, "取得本科学历")
    with new_session(engine) as session:
        entry_id = session.exec(select(Entry.id)).one()
    reply = send_text(actor, command.format(id=entry_id, name=name))
    if ACTORS[actor] == "member":
        assert reply == REFUSAL
    elif reaches(actor, branch):
        assert COMMANDS[command].format(name=name, branch=branch) in reply
    else:
        assert name not in reply and ("没有" in reply)
    with new_session(engine) as session:
        status = session.get(Entry, entry_id).status
    changed = reaches(actor, branch) and ACTORS[actor] != "member" and command.startswith(("通过", "驳回"))
    assert (status != "pending") == changed


@pytest.mark.parametrize("command", ["支部情况", "未完成", "积分排名", "提醒", "导出", "全部支部"])
@pytest.mark.parametrize("actor", ACTORS)
def test_branch_commands_by_role(send_text, actor, command):
    send_text("liuyang", "读书一本")
    reply = send_text(actor, command)
    role = ACTORS[actor]
    if command == "积分排名" and role == "member":
        assert reply.startswith("您本年积分")
    elif role == "member" or (command == "全部支部" and role != "admin"):
        assert reply == REFUSAL
    else:
        assert reply != REFUSAL
        if command != "全部支部" and role == "secretary-1":
            assert "刘洋" not in reply
