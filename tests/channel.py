"""Which channel the suite talks over, and the test identities on a WeChat Official Account.

HONGLING_TEST_CHANNEL selects the default config of every test: "wecom" (the default),
"mp" (an Official Account in safe mode) or "mp-plain" (plain mode). On mp each roster member
is bound to the openid `openid_for(userid)`, so `send_text("liming", …)` and the fake API's
`recipients()` keep speaking in roster userids whatever the channel.
"""
from __future__ import annotations

import base64
import os
import secrets

from sqlmodel import select

from models.binding import MemberBinding
from models.db import new_session
from models.tables import Member

CHANNEL = os.environ.get("HONGLING_TEST_CHANNEL", "wecom")
if CHANNEL not in ("wecom", "mp", "mp-plain"):
    raise RuntimeError(f"HONGLING_TEST_CHANNEL must be wecom, mp or mp-plain, not {CHANNEL!r}")
ON_MP = CHANNEL != "wecom"
OPENID_PREFIX = "oTest_"
TEMPLATE_ID = "TPL-hongling-test"


def openid_for(user: str) -> str:
    """The test openid of a roster userid (or of any other name: a stranger's openid)."""
    return OPENID_PREFIX + user


def userid_for(openid: str) -> str:
    """The userid behind a test openid (the openid itself if it is not one)."""
    return openid[len(OPENID_PREFIX):] if openid.startswith(OPENID_PREFIX) else openid


def mp_secrets(*, plain: bool = False) -> dict:
    """`[wechat]` for a new Official Account (safe mode, or plain), with a one-field template."""
    return {"channel": "mp", "token": secrets.token_urlsafe(12),
            "encoding_aes_key": "" if plain else base64.b64encode(secrets.token_bytes(32)).decode().rstrip("="),
            "app_id": "wx" + secrets.token_hex(8), "secret": secrets.token_hex(16),
            "template": {"id": TEMPLATE_ID, "fields": {"first": "{content}"}}}


def bind_roster(engine, userids=None) -> int:
    """Bind roster members (all, or these userids) that have no openid yet to their test openid."""
    with new_session(engine) as session:
        query = select(Member).outerjoin(MemberBinding, MemberBinding.member_id == Member.id) \
            .where(MemberBinding.id.is_(None))
        if userids is not None:
            query = query.where(Member.userid.in_(list(userids)))
        members = session.exec(query).all()
        for member in members:
            session.add(MemberBinding(openid=openid_for(member.userid), member_id=member.id))
        session.commit()
    return len(members)
