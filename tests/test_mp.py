"""The Official Account (公众号) callback protocol, in plain and in safe mode.

Requests are built as WeChat builds them (bot/simulator.py's MpSimulator, wechatpy's crypto)
and posted to the real app; every test runs in both modes, whatever HONGLING_TEST_CHANNEL is.
"""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
import xmltodict
from sqlmodel import func, select

from bot.simulator import MpSimulator
from models.binding import MemberBinding
from models.db import new_session
from models.tables import Entry, InboundMessage
from tests.channel import mp_secrets, openid_for


@pytest.fixture(params=["safe", "plain"])
def config_data(config_data, request):
    """An Official Account in safe mode (EncodingAESKey) or plain mode (none)."""
    config_data["wechat"] = mp_secrets(plain=request.param == "plain")
    return config_data


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_url_check_answers_the_echostr_after_the_plain_signature(client, sim):
    params = sim.verify_params("5821119836474927617")
    response = client.get(f"/wechat?{sim.query(params)}")
    assert response.status_code == 200 and response.get_data(as_text=True) == "5821119836474927617"
    params["signature"] = "0" * 40
    assert client.get(f"/wechat?{sim.query(params)}").status_code == 403
    stale = sim.verify_params("x") | {"timestamp": str(int(time.time()) - 301)}
    assert client.get(f"/wechat?{sim.query(stale)}").status_code == 403
    assert client.get("/wechat?echostr=x").status_code == 400


def test_a_report_is_recorded_and_the_reply_goes_back_to_the_openid(post, sim, engine):
    response = post(*sim.text("liming", "读书一本《红岩》"))
    assert response.status_code == 200
    if sim.safe:
        envelope = xmltodict.parse(response.data)["xml"]
        assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    reply = sim.open_reply(response.data)
    assert (reply["ToUserName"], reply["FromUserName"]) == (openid_for("liming"), sim.account)
    assert reply["Content"].startswith("已记录：读书 1 本《红岩》+2 分。")
    assert count(engine, Entry) == 1


def test_a_forged_or_stale_message_is_refused_and_changes_nothing(post, sim, config, engine):
    params, body = sim.text("liming", "读书一本")
    forged = dict(params)
    key = "msg_signature" if sim.safe else "signature"
    forged[key] = forged[key][::-1]
    assert post(forged, body).status_code == 403
    old = sim.sign(sim.message_xml("liming", "text", {"Content": "读书一本"}), timestamp=int(time.time()) - 301)
    assert post(*old).status_code == 403
    other = MpSimulator(replace(config.wechat, token="not-our-token"), openid=openid_for)
    assert post(*other.text("liming", "读书一本")).status_code == 403
    assert count(engine, Entry) == 0 and count(engine, InboundMessage) == 0


def test_a_message_in_the_other_mode_is_refused(post, sim, config, engine):
    if sim.safe:     # a plain message cannot bypass the configured key, even with a good signature
        plain = MpSimulator(replace(config.wechat, encoding_aes_key=""), openid=openid_for)
        assert post(*plain.text("liming", "读书一本")).status_code == 400
        other_app = MpSimulator(replace(config.wechat, app_id="wx0000000000000000"), openid=openid_for)
        assert post(*other_app.text("liming", "读书一本")).status_code == 403
    else:
        safe = MpSimulator(replace(config.wechat, encoding_aes_key=mp_secrets()["encoding_aes_key"]),
                           openid=openid_for)
        assert post(*safe.text("liming", "读书一本")).status_code == 400
    assert count(engine, Entry) == 0


def test_a_retried_message_is_recorded_once_and_answered_the_same(post, sim, engine):
    signed = sim.text("liming", "读书一本《红岩》", msg_id=6_900_000_000_000_000_001)
    first, again = (sim.open_reply(post(*signed).data)["Content"] for _ in range(2))
    assert first == again and count(engine, Entry) == 1


def test_events_are_deduplicated_by_sender_time_and_event(post, sim, engine):
    signed = sim.event("liming", "CLICK", create_time=1_790_000_000, EventKey="MENU_PROGRESS")
    for _ in range(2):
        assert post(*signed).status_code == 200
    assert count(engine, InboundMessage) == 1


def test_hostile_bodies_are_refused(post, sim, engine):
    params, body = sim.text("liming", "读书一本")
    assert post(params, b"<xml>" + b"a" * 70_000 + b"</xml>").status_code == 413
    assert post(params, b'<!DOCTYPE x [<!ENTITY a "b">]>' + body).status_code == 400
    bomb = ('<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><ToUserName>gh</ToUserName><FromUserName>'
            f'{openid_for("liming")}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>'
            '<Content>&a;</Content><MsgId>1</MsgId></xml>')
    assert post(*sim.sign(bomb)).status_code == 400
    assert post(params, b"not xml").status_code in (400, 403)
    assert count(engine, Entry) == 0 and count(engine, InboundMessage) == 0


def test_control_characters_and_cdata_terminators_are_harmless(send_text):
    assert "《a]]>b》" in send_text("liming", "读书一本《a]]>b》")
    assert send_text("liming", "😀\x01\x02 你好")


def test_subscribe_greets_a_bound_member_and_tells_a_new_follower_how_to_bind(post, sim, engine):
    bound = sim.open_reply(post(*sim.event("liming", "subscribe")).data)["Content"]
    assert bound.startswith("李明同志您好")
    stranger = sim.open_reply(post(*sim.event("newcomer", "subscribe", EventKey="qrscene_42")).data)["Content"]
    assert "欢迎关注" in stranger and "绑定" in stranger and "支部书记" in stranger


def test_unsubscribe_and_delivery_reports_store_nothing_and_keep_the_binding(post, sim, engine):
    before = count(engine, InboundMessage)
    for event, fields in (("unsubscribe", {}), ("TEMPLATESENDJOBFINISH", {"Status": "success"}),
                          ("VIEW", {"EventKey": "https://example.org"})):
        response = post(*sim.event("liming", event, **fields))
        assert response.status_code == 200 and response.data == b""
    assert count(engine, InboundMessage) == before
    with new_session(engine) as session:
        assert session.exec(select(MemberBinding).where(MemberBinding.openid == openid_for("liming"))).first()
