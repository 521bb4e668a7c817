"""Binding openids to the roster on an Official Account: invite codes, 绑定, 解绑, and their defences."""
from __future__ import annotations

import re
import subprocess
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import func, select

from bot.cli import main
from handlers.binding import HOW_TO_BIND
from models import binding
from models.binding import ALPHABET, BindFailure, InviteCode, MemberBinding
from models.db import new_session
from models.tables import AuditLog, Entry, InboundMessage, Member, utcnow
from tests.channel import mp_secrets
from tests.test_cli import write_config
from tests.test_server import server  # noqa: F401  (fixture)

CODE = re.compile(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


@pytest.fixture
def config_data(config_data):
    config_data["wechat"] = mp_secrets()
    return config_data


@pytest.fixture
def config_file(tmp_path, config_data):
    return write_config(tmp_path / "hongling.toml", config_data)


@pytest.fixture
def unbound(app, engine):
    """The roster with no bindings, as after a fresh import."""
    with new_session(engine) as session:
        session.exec(delete(MemberBinding))
        session.commit()


@pytest.fixture
def say(post, sim):
    """say(phone, text) -> reply, from the openid of `phone` (never bound automatically)."""
    def _say(phone: str, text: str, msg_id: int | None = None) -> str:
        response = post(*sim.text(phone, text, msg_id=msg_id))
        assert response.status_code == 200, response.get_data(as_text=True)
        return sim.open_reply(response.data)["Content"]
    return _say


def invite(capsys, config_file, *args) -> dict[str, tuple[str, str]]:
    """Run `members invite`; userid -> (code, the rest of its line)."""
    assert main(["--config", str(config_file), "members", "invite", *args]) == 0
    out = capsys.readouterr().out
    found = {}
    for line in out.splitlines()[1:-1]:
        name, userid, branch, code, *note = line.split("\t")
        assert CODE.fullmatch(code), line
        found[userid] = (code, " ".join(note))
    return found


def bound_to(engine, openid: str) -> str | None:
    with new_session(engine) as session:
        member = binding.member_by_openid(session, openid=openid)
        return member.userid if member else None


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_invite_prints_one_code_per_unbound_member_and_stores_only_a_keyed_hash(unbound, engine, capsys,
                                                                                   config_file, config):
    codes = invite(capsys, config_file)
    assert set(codes) == {"zhangsj", "liming", "wangfang", "chensj", "liuyang", "zhougl"}
    assert all(note == "" for _, note in codes.values())
    with new_session(engine) as session:
        stored = session.exec(select(InviteCode)).all()
    assert len(stored) == 6
    plain = {code.replace("-", "") for code, _ in codes.values()}
    assert {row.code_hash for row in stored} == {binding.code_hash(c, key=config.wechat.secret) for c in plain}
    assert not any(c in str(row.model_dump()) for row in stored for c in plain)      # no code in clear
    assert all(timedelta(days=13, hours=23) < row.expires_at - utcnow() <= timedelta(days=14) for row in stored)
    again = invite(capsys, config_file, "--branch", "第一支部")
    assert set(again) == {"zhangsj", "liming", "wangfang"} and all("作废" in n for _, n in again.values())
    assert main(["--config", str(config_file), "members", "invite", "--branch", "没有的支部"]) == 2


def test_invite_is_for_the_official_account_only(tmp_path, capsys, config_data):
    from tests.conftest import fresh_secrets
    config_data["wechat"] = fresh_secrets()
    path = write_config(tmp_path / "wecom.toml", config_data)
    assert main(["--config", str(path), "members", "invite"]) == 2
    assert "wechat.channel" in capsys.readouterr().err


def test_an_unbound_openid_is_slowed_down_like_a_member(unbound, app, say):
    limit = app.extensions["hongling"].config.messages_per_minute
    for _ in range(limit):
        assert "绑定码" in say("phone", "绑定")
    assert "太快" in say("phone", "绑定")
    assert "绑定码" in say("other-phone", "绑定")


def test_an_unbound_openid_can_only_bind_and_nothing_is_stored(unbound, engine, post, sim, say):
    for text in ("读书一本《红岩》", "帮助", "我的积分", "待审核", "解绑 李明", "撤销", "绑定了吗"):
        assert say("phone", text) == HOW_TO_BIND
    image = sim.sign(sim.message_xml("phone", "image", {"PicUrl": "http://x/y.jpg", "MediaId": "m1"}))
    assert sim.open_reply(post(*image).data)["Content"] == HOW_TO_BIND
    assert count(engine, Entry) == 0 and count(engine, InboundMessage) == 0
    assert "绑定码" in say("phone", "绑定")


def test_binding_with_a_code_ties_the_openid_to_the_member(unbound, engine, capsys, config_file, say):
    code, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    typed = f"绑定  {code.replace('-', '').lower()}"                    # any case, with or without the dash
    assert say("phone", typed).startswith("李明同志，绑定成功")
    assert bound_to(engine, "oTest_phone") == "liming"
    assert say("phone", "读书一本").startswith("已记录：读书 1 本")
    with new_session(engine) as session:
        assert session.exec(select(Member.userid).join(Entry, Entry.member_id == Member.id)).all() == ["liming"]
    assert "已绑定为李明" in say("phone", f"绑定 {code}")


def test_a_used_code_is_refused_and_a_retry_of_the_binding_message_is_answered_the_same(
        unbound, engine, capsys, config_file, say):
    code, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    first = say("phone", f"绑定 {code}", msg_id=71_000_001)
    assert say("phone", f"绑定 {code}", msg_id=71_000_001) == first          # WeChat's retry
    assert "已经用过" in say("thief", f"绑定 {code}")
    assert bound_to(engine, "oTest_thief") is None and bound_to(engine, "oTest_phone") == "liming"


def test_wrong_and_expired_codes_are_refused(unbound, engine, capsys, config_file, say):
    code, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    assert "不对" in say("phone", "绑定 ABCD-EFGH")
    assert "不对" in say("phone", "绑定 0O1I")                          # cannot even be a code
    with new_session(engine) as session:
        session.exec(update(InviteCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert "过期" in say("phone", f"绑定 {code}")
    assert bound_to(engine, "oTest_phone") is None


def test_guessing_stops_after_five_wrong_codes_an_hour(unbound, engine, capsys, config_file, say):
    code, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE"):
        assert "不对" in say("guesser", f"绑定 {guess}")
    assert "次数过多" in say("guesser", f"绑定 {code}")                  # even the right code, now
    assert bound_to(engine, "oTest_guesser") is None
    assert count(engine, BindFailure) == 5
    with new_session(engine) as session:
        session.exec(update(BindFailure).values(at=utcnow() - timedelta(minutes=61)))
        session.commit()
    assert say("guesser", f"绑定 {code}").startswith("李明同志，绑定成功")


def test_a_new_code_voids_the_unused_old_one(unbound, engine, capsys, config_file, say):
    old, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    new, note = invite(capsys, config_file, "--userid", "liming")["liming"]
    assert "旧绑定码已作废" in note and old != new
    assert "不对" in say("phone", f"绑定 {old}")
    assert "绑定成功" in say("phone", f"绑定 {new}")


def test_a_member_bound_elsewhere_cannot_be_bound_twice(unbound, engine, config, say):
    with new_session(engine) as session:
        liming = session.exec(select(Member).where(Member.userid == "liming")).one()
        (_, first, _), = binding.issue_codes(session, members=[liming], key=config.wechat.secret, days=14)
        session.commit()
    assert "绑定成功" in say("phone", f"绑定 {first}")
    with new_session(engine) as session:                      # a code issued anyway (not by invite)
        (_, second, _), = binding.issue_codes(session, members=[liming], key=config.wechat.secret, days=14)
        session.commit()
    assert "已绑定其他微信" in say("other-phone", f"绑定 {second}")
    assert bound_to(engine, "oTest_other-phone") is None


def test_two_phones_racing_with_one_code_bind_one(unbound, engine, capsys, config_file, app, sim):
    code, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    barrier, replies = threading.Barrier(4), []

    def race(phone):
        client = app.test_client()
        params, body = sim.text(phone, f"绑定 {code}")
        barrier.wait(5)
        response = client.post(f"/wechat?{sim.query(params)}", data=body)
        replies.append(sim.open_reply(response.data)["Content"])
    threads = [threading.Thread(target=race, args=(f"racer{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum("绑定成功" in r for r in replies) == 1 and sum("已经用过" in r for r in replies) == 3
    assert count(engine, MemberBinding) == 1


def test_a_secretary_unbinds_in_reach_audited_then_the_member_rebinds(unbound, engine, capsys, config_file,
                                                                      say, send_text):
    code, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    assert "绑定成功" in say("lost-phone", f"绑定 {code}")
    assert "解绑 姓名" in send_text("zhangsj", "帮助")
    assert send_text("liming-other", "解绑 李明") == HOW_TO_BIND           # an unbound stranger
    assert send_text("wangfang", "解绑 李明") == "抱歉，您没有使用该功能的权限。发送「帮助」查看可用命令。"
    assert "没有找到" in send_text("chensj", "解绑 李明")                   # another branch
    assert bound_to(engine, "oTest_lost-phone") == "liming"
    assert send_text("zhangsj", "解绑 李明").startswith("已解除 李明 的微信绑定")
    assert "还没有绑定" in send_text("zhangsj", "解绑 李明")
    with new_session(engine) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "unbind")).one()
    assert audit.target == "member:liming"
    assert say("lost-phone", "我的积分") == HOW_TO_BIND
    new, _ = invite(capsys, config_file, "--userid", "liming")["liming"]
    assert "绑定成功" in say("new-phone", f"绑定 {new}")
    assert bound_to(engine, "oTest_new-phone") == "liming"


def test_codes_are_random_over_an_unambiguous_alphabet():
    assert len(ALPHABET) == 32 and not set("01OI") & set(ALPHABET)
    codes = {binding.new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    assert binding.normalize(" abcd-efgh ") == "ABCDEFGH" and binding.normalize("ABCD EFG") is None


def test_binding_commands_exist_only_on_the_official_account():
    from handlers import HANDLER_MODULES
    from handlers.registry import Table
    names = {h.func.__name__ for h in Table.from_modules(HANDLER_MODULES, channel="wecom").handlers}
    assert "bind" not in names and "unbind" not in names
    names = {h.func.__name__ for h in Table.from_modules(HANDLER_MODULES, channel="mp").handlers}
    assert {"bind", "unbind"} <= names


def test_chat_binds_and_reports_against_a_real_server(server, capsys):
    """`hongling chat --as OPENID` on mp: a new phone binds with its code, then reports."""
    from models.db import make_engine
    from tests.test_server import HONGLING
    engine = make_engine(server["config"].database_url)
    with new_session(engine) as session:
        session.exec(delete(MemberBinding))
        session.commit()
    engine.dispose()
    code, _ = invite(capsys, server["config_path"])["liming"]
    result = subprocess.run([HONGLING, "--config", str(server["config_path"]), "chat", "--as",
                             "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"], input=f"读书一本\n绑定 {code}\n读书一本《红岩》\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("还没有绑定党员名册") == 1
    assert "李明同志，绑定成功" in result.stdout and "已记录：读书 1 本《红岩》+2 分。" in result.stdout
