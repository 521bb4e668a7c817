"""Hostile and broken input: refused with a 4xx or answered politely; never a 5xx, never stored."""
from __future__ import annotations

import os
import shutil

import pytest

from sqlmodel import func, select

from bot.config import build_config
from bot.simulator import simulator_for
from models.db import new_session
from models.tables import Entry, InboundMessage
from tests.channel import openid_for
from tests.conftest import app_with_roster

BOMB = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><ToUserName>{corp}</ToUserName>
<FromUserName>liming</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content>
<MsgId>77</MsgId><AgentID>{agent}</AgentID></xml>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]><xml>
<ToUserName>{corp}</ToUserName><FromUserName>liming</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&ext;</Content><MsgId>78</MsgId><AgentID>{agent}</AgentID></xml>"""


def counts(engine) -> tuple[int, int]:
    with new_session(engine) as session:
        return (session.exec(select(func.count()).select_from(Entry)).one(),
                session.exec(select(func.count()).select_from(InboundMessage)).one())


def test_body_over_64kb_is_413(post, sim, engine):
    params, _ = sim.text("liming", "读书一本")
    assert post(params, b"<xml>" + b"a" * 70_000 + b"</xml>").status_code == 413
    assert counts(engine) == (0, 0)


def test_entity_bomb_and_external_entity_inside_a_valid_envelope_are_refused(post, sim, config, engine):
    for template in (BOMB, EXTERNAL):
        xml = template.format(corp=config.wechat.corp_id, agent=config.wechat.agent_id)
        assert post(*sim.sign(xml)).status_code == 400
    assert counts(engine) == (0, 0)


def test_doctype_in_the_envelope_is_refused(post, sim):
    params, body = sim.text("liming", "读书一本")
    assert post(params, b'<!DOCTYPE x [<!ENTITY a "b">]>' + body).status_code == 400


def test_truncated_and_non_utf8_inner_xml_are_refused(post, sim, engine):
    assert post(*sim.sign("<xml><ToUserName>")).status_code == 400
    assert post(*sim.sign("<xml>\udcff</xml>".encode("utf-8", "surrogateescape").decode("latin-1"))).status_code in (400, 403)
    assert counts(engine) == (0, 0)


@pytest.mark.wecom
def test_wrong_agent_id_is_refused(post, sim, config, engine):
    xml = sim.message_xml("liming", "text", {"Content": "读书一本"}).replace(
        f"<AgentID>{config.wechat.agent_id}</AgentID>", "<AgentID>999</AgentID>")
    assert post(*sim.sign(xml)).status_code == 403
    assert counts(engine) == (0, 0)


def test_cdata_terminator_echoed_back_keeps_the_reply_valid(send_text):
    reply = send_text("liming", "读书一本《a]]>b》")
    assert "《a]]>b》" in reply


def test_absurd_quantity_is_refused_politely(send_text, engine):
    reply = send_text("liming", "读书10000本")
    assert "不合常理" in reply or "是要登记" in reply
    assert counts(engine)[0] == 0


def test_ten_kilobyte_message_emoji_and_control_characters(send_text, engine):
    assert send_text("liming", "读" * 10_000)
    assert send_text("liming", "😀🎉\x01\x02 你好")
    assert counts(engine)[0] == 0


def test_member_sending_too_fast_is_slowed_politely(send_text, app):
    limit = app.extensions["hongling"].config.messages_per_minute
    for _ in range(limit):
        send_text("liming", "你好")
    assert "太快" in send_text("liming", "读书一本")
    assert "太快" not in send_text("wangfang", "你好")


def test_database_outage_answers_503_and_the_retry_is_recorded_once(tmp_path, config_data, clock, sqlite_template):
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "h.db")
    config_data["database"]["url"] = f"sqlite:///{folder / 'h.db'}"
    config = build_config(config_data, source="test")
    app = app_with_roster(config, clock, roster=[("李明", "liming", "一支部", "member")])
    engine = app.extensions["hongling"].engine
    sim = simulator_for(config.wechat, openid=openid_for)
    params, body = sim.text("liming", "读书一本")
    client = app.test_client()
    engine.dispose()
    os.rename(folder, tmp_path / "away")
    try:
        down = client.post(f"/wechat?{sim.query(params)}", data=body)
        assert down.status_code == 503
    finally:
        engine.dispose()
        shutil.move(tmp_path / "away", folder)
    for _ in range(2):
        up = client.post(f"/wechat?{sim.query(params)}", data=body)
        assert up.status_code == 200 and "已记录" in sim.open_reply(up.data)["Content"]
    assert counts(engine) == (1, 1)
    engine.dispose()
