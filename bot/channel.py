"""What every channel adapter shares: the `Incoming` message, refusals, and the hardening.

A channel adapter (bot/wecom.py for WeCom, bot/mp.py for a WeChat Official Account) has
the same three methods: `verify_url(args) -> str`, `open(args, body) -> Incoming` and
`seal(incoming, text, nonce) -> str`. The pieces here are the ones both must get exactly
right: SHA-1 signatures compared in constant time, the timestamp window, XML without DTDs,
control characters stripped, `]]>` kept out of CDATA. (The 64 KB body limit is the app's.)
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Mapping, Protocol

import xmltodict
from xml.parsers.expat import ExpatError

MAX_TEXT_CHARS = 2000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class ChannelError(Exception):
    """A request the channel refuses; `status` is the HTTP answer (400/403)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Incoming:
    """One verified message, reduced to what the dispatcher needs.

    `userid` is the sender as the channel names them: the WeCom userid, or on a WeChat
    Official Account the openid. `account` is who it was sent to (the Official Account's
    original id, needed to reply). `interaction` is False for platform notifications
    (unsubscribe, template delivery reports …) that are no message from a person.
    """

    userid: str
    message_type: str
    text: str
    dedup_key: str
    media_id: str | None = None
    pic_url: str | None = None
    event: str | None = None
    inbound_id: int | None = None
    account: str | None = None
    interaction: bool = True


class Channel(Protocol):
    """The interface the webhook and the app factory rely on."""

    def verify_url(self, args: Mapping[str, str]) -> str:
        """Answer the platform's URL check."""

    def open(self, args: Mapping[str, str], body: bytes) -> Incoming:
        """Verify a callback POST and turn it into an `Incoming`."""

    def seal(self, incoming: Incoming, text: str, nonce: str) -> str:
        """The passive reply body for `text`."""


def signature(token: str, timestamp: str, nonce: str, payload: str = "") -> str:
    """SHA-1 over the sorted token, timestamp, nonce (and payload, when there is one)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, payload])).encode()).hexdigest()


def check_signed(args: Mapping[str, str], *, param: str, token: str, payload: str, now: float,
                 max_skew: int) -> None:
    """Refuse a request whose `param` signature, timestamp or nonce is missing, stale or wrong."""
    sig, ts, nonce = (args.get(k) or "" for k in (param, "timestamp", "nonce"))
    if not (sig and ts and nonce):
        raise ChannelError(400, f"missing {param}, timestamp or nonce")
    if not ts.isdigit() or abs(now - int(ts)) > max_skew:
        raise ChannelError(403, "stale or invalid timestamp")
    if not hmac.compare_digest(signature(token, ts, nonce, payload), sig.lower()):
        raise ChannelError(403, "bad signature")


def parse_xml(data: bytes) -> dict:
    """Parse callback XML, refusing DTDs (entity bombs, external entities) and non-UTF-8."""
    if _DECLARATIONS.search(data):
        raise ChannelError(400, "XML declarations are not accepted")
    try:
        parsed = xmltodict.parse(data.decode("utf-8"))
    except (UnicodeDecodeError, ExpatError) as exc:
        raise ChannelError(400, f"malformed XML: {type(exc).__name__}") from None
    root = parsed.get("xml") if isinstance(parsed, dict) else None
    if not isinstance(root, dict):
        raise ChannelError(400, "no <xml> root")
    return root


def strip_control(text: str) -> str:
    """The text without control characters (which XML 1.0 cannot carry)."""
    return CONTROL.sub("", text)


def clean(text: str | None) -> str:
    """Message text as handlers see it: no control characters, trimmed, at most 2000 characters."""
    return strip_control(text or "").strip()[:MAX_TEXT_CHARS]


def cdata_safe(text: str) -> str:
    """Text that cannot end the CDATA section it is rendered into."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def incoming_from(msg, inner: dict, *, interaction: bool = True) -> Incoming:
    """An `Incoming` from a parsed wechatpy message and its raw fields.

    Text, and voice with speech recognition, carry text; messages are deduplicated by
    MsgId, events by sender, CreateTime and event.
    """
    userid = clean(inner.get("FromUserName"))
    if not userid:
        raise ChannelError(400, "no sender")
    kind = msg.type
    text = ""
    if kind == "text":
        text = clean(msg.content)
    elif kind == "voice" and inner.get("Recognition"):
        kind, text = "text", clean(inner.get("Recognition"))
    msg_id = str(inner.get("MsgId") or "")
    if kind == "event" or not msg_id.isdigit():
        key = f"evt:{userid}:{inner.get('CreateTime')}:{inner.get('Event') or kind}"
    else:
        key = f"msg:{msg_id}"
    account = inner.get("ToUserName")
    return Incoming(userid=userid, message_type=kind, text=text, dedup_key=key[:200],
                    media_id=inner.get("MediaId"), pic_url=inner.get("PicUrl"),
                    event=(inner.get("Event") or "").lower() or None,
                    account=account if isinstance(account, str) else None, interaction=interaction)
