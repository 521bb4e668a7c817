"""Logs at INFO never carry secrets or what members wrote."""
from __future__ import annotations

import logging


def test_info_logs_hold_no_secrets_and_no_message_text(send_text, post, sim, config, caplog):
    caplog.set_level(logging.INFO)
    secret_text = "读书一本《绝密的书名XYZ》"
    send_text("liming", secret_text)
    send_text("stranger", "陌生人的私密话ABC")
    params, body = sim.text("liming", "伪造的消息DEF")
    params["msg_signature" if "msg_signature" in params else "signature"] = "0" * 40
    assert post(params, body).status_code == 403
    send_text("liming", "你好GHI")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "expected some INFO logging"
    for needle in (config.wechat.token, config.wechat.encoding_aes_key, config.wechat.secret,
                   "绝密的书名XYZ", "私密话ABC", "伪造的消息DEF", "GHI", body.decode()[-60:]):
        assert not needle or needle not in logged          # (mp plain mode has no AES key)
