"""Property: whatever bytes arrive at /wechat, the answer is never a 5xx and nothing is stored."""
from __future__ import annotations

import base64

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import func, select

from models.db import new_session
from models.tables import Entry, InboundMessage

SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutate(body: bytes, position: int, byte: int) -> bytes:
    if not body:
        return bytes([byte])
    position %= len(body)
    return body[:position] + bytes([byte]) + body[position + 1:]


bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=512).map(lambda t: f"<xml><Encrypt><![CDATA[{t}]]></Encrypt></xml>".encode("utf-8", "surrogatepass")),
    st.text(alphabet="<>/![]CDATAxmlEncrypt&;\"' =", max_size=300).map(lambda t: t.encode()),
    st.binary(min_size=16, max_size=600).map(lambda b: f"<xml><Encrypt>{base64.b64encode(b).decode()}</Encrypt></xml>".encode()),
)


@SETTINGS
@given(body=bodies, position=st.integers(0, 10_000), byte=st.integers(0, 255), mode=st.sampled_from(["raw", "valid-params", "flipped"]))
def test_no_generated_body_gets_a_5xx_or_stores_anything(post, sim, engine, body, position, byte, mode):
    params, valid_body = sim.text("liming", "你好")
    with new_session(engine) as session:
        before = session.exec(select(func.count()).select_from(InboundMessage)).one()
    if mode == "raw":
        response = post({"msg_signature": "x" * 40, "timestamp": params["timestamp"], "nonce": "n"}, body)
    elif mode == "valid-params":
        response = post(params, body)
    else:
        response = post(params, _mutate(valid_body, position, byte))
    assert response.status_code in (200, 400, 403, 413)
    assert response.status_code != 200 or mode == "flipped"  # only a harmless flip of a valid body passes
    with new_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Entry)).one() == 0
        if mode != "flipped":
            assert session.exec(select(func.count()).select_from(InboundMessage)).one() == before
