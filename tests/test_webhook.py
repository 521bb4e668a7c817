"""The callback transport: URL verification, signatures, timestamps, replies, dedup."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from sqlmodel import func, select

from bot.simulator import simulator_for
from models.db import new_session
from models.tables import Entry, InboundMessage
from tests.channel import CHANNEL, openid_for


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_url_verification_returns_echostr_exactly(client, sim):
    params = sim.verify_params("1234567890123456789")
    response = client.get(f"/wechat?{sim.query(params)}")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "1234567890123456789"


def signed_by(params: dict) -> str:
    """The query parameter carrying the signature that matters (WeCom and mp safe mode: msg_signature)."""
    return "msg_signature" if "msg_signature" in params else "signature"


def test_url_verification_with_wrong_signature_is_refused(client, sim):
    params = sim.verify_params("echo")
    params[signed_by(params)] = "0" * 40
    assert client.get(f"/wechat?{sim.query(params)}").status_code == 403


def test_url_verification_without_params_is_bad_request(client):
    assert client.get("/wechat").status_code == 400


def test_report_is_recorded_and_answered(send_text, engine):
    reply = send_text("liming", "读书一本《红岩》")
    assert reply.startswith("已记录：读书 1 本《红岩》+2 分。")
    assert "本月五个一：读书 ✓ 心得 ✗" in reply
    assert reply.endswith("本年积分 2 / 60")
    assert count(engine, Entry) == 1


def test_forged_signature_is_refused_and_changes_nothing(post, sim, engine):
    params, body = sim.text("liming", "读书一本")
    params[signed_by(params)] = params[signed_by(params)][::-1]
    response = post(params, body)
    assert response.status_code == 403
    assert count(engine, Entry) == 0 and count(engine, InboundMessage) == 0


def test_stale_timestamp_is_refused(post, sim, engine):
    params, body = sim.sign(sim.message_xml("liming", "text", {"Content": "读书一本"}),
                            timestamp=int(time.time()) - 301)
    assert post(params, body).status_code == 403
    assert count(engine, Entry) == 0


@pytest.mark.skipif(CHANNEL == "mp-plain", reason="plain mode carries no AppID to check")
def test_message_for_another_corp_is_refused(post, config, engine):
    other = simulator_for(replace(config.wechat, corp_id="wwsomeoneelse", app_id="wxsomeoneelse"), openid=openid_for)
    assert post(*other.text("liming", "读书一本")).status_code == 403
    assert count(engine, Entry) == 0


def test_message_signed_with_another_token_is_refused(post, config, engine):
    other = simulator_for(replace(config.wechat, token="not-our-token"), openid=openid_for)
    assert post(*other.text("liming", "读书一本")).status_code == 403
    assert count(engine, Entry) == 0


def test_garbage_body_is_bad_request(post, sim):
    params, _ = sim.text("liming", "读书一本")
    assert post(params, b"not xml at all").status_code == 400
    assert post(params, b"\xff\xfe<xml>").status_code == 400
    assert post(params, b"<xml><Encrypt>").status_code == 400


def test_retried_message_is_recorded_once_and_answered_the_same(send_text, engine):
    first = send_text("liming", "读书一本《红岩》", msg_id=555001)
    again = send_text("liming", "读书一本《红岩》", msg_id=555001)
    assert again == first
    assert count(engine, Entry) == 1


def test_unknown_user_is_told_to_ask_the_secretary_and_nothing_is_stored(send_text, engine):
    reply = send_text("stranger", "读书一本")
    assert "支部书记" in reply and "名册" in reply
    assert count(engine, Entry) == 0 and count(engine, InboundMessage) == 0


def test_events_are_deduplicated_by_sender_time_and_event(post, sim, engine):
    xml = sim.message_xml("liming", "event", {"Event": "enter_agent", "EventKey": ""}, create_time=1_790_000_000)
    for _ in range(2):
        assert post(*sim.sign(xml)).status_code == 200
    assert count(engine, InboundMessage) == 1


def test_voice_with_recognition_is_read_like_text(post, sim, engine):
    xml = sim.message_xml("liming", "voice", {"MediaId": "m1", "Format": "amr", "Recognition": "读书一本"})
    reply = sim.open_reply(post(*sim.sign(xml)).data)["Content"]
    assert reply.startswith("已记录：读书 1 本")
    assert count(engine, Entry) == 1


def test_other_message_types_get_a_helpful_answer(post, sim, engine):
    xml = sim.message_xml("liming", "location", {"Location_X": "30.1", "Location_Y": "112.2", "Scale": "15",
                                                   "Label": "x"})
    reply = sim.open_reply(post(*sim.sign(xml)).data)["Content"]
    assert "文字" in reply
    assert count(engine, Entry) == 0
