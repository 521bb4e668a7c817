"""The platform's side of the callback protocol, built with wechatpy's crypto.

Used by `hongling chat` (a terminal standing in for the WeCom app or WeChat) and by the
tests: `WeComSimulator` signs and encrypts messages exactly as WeCom does, `MpSimulator`
as a WeChat Official Account does (plain or safe mode), and both open the replies.
`simulator_for(cfg)` picks the one the config's channel needs.
"""
from __future__ import annotations

import itertools
import secrets
import time
from typing import Callable
from urllib.parse import urlencode

import xmltodict
from wechatpy.crypto import WeChatCrypto as MpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.channel import cdata_safe, signature
from bot.config import WeChatConfig


def _cdata(text: str) -> str:
    return "<![CDATA[" + cdata_safe(text) + "]]>"


class WeComSimulator:
    """Builds signed, encrypted callback requests and decrypts passive replies."""

    def __init__(self, cfg: WeChatConfig, *, first_msg_id: int | None = None):
        self.cfg = cfg
        self.crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.corp_id)
        self._ids = itertools.count(first_msg_id or time.time_ns() // 1000)

    @staticmethod
    def sender_id(user: str) -> str:
        """How the platform names `user` in messages: on WeCom, the userid itself."""
        return user

    def sign(self, inner_xml: str, *, timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """Query parameters and POST body for one inner message XML."""
        ts, nonce = str(timestamp or int(time.time())), secrets.token_hex(5)
        sealed = xmltodict.parse(self.crypto.encrypt_message(inner_xml, nonce, ts))["xml"]
        body = (f"<xml><ToUserName>{_cdata(self.cfg.corp_id)}</ToUserName>"
                f"<AgentID>{_cdata(str(self.cfg.agent_id))}</AgentID>"
                f"<Encrypt>{_cdata(sealed['Encrypt'])}</Encrypt></xml>")
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": nonce}
        return params, body.encode("utf-8")

    def message_xml(self, userid: str, msg_type: str, fields: dict[str, str], *,
                    msg_id: int | None = None, create_time: int | None = None) -> str:
        """The plaintext XML WeCom would send for a message or event from `userid`."""
        parts = [f"<ToUserName>{_cdata(self.cfg.corp_id)}</ToUserName>",
                 f"<FromUserName>{_cdata(userid)}</FromUserName>",
                 f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
                 f"<MsgType>{_cdata(msg_type)}</MsgType>"]
        parts += [f"<{k}>{_cdata(v)}</{k}>" for k, v in fields.items()]
        if msg_type != "event":
            parts.append(f"<MsgId>{msg_id if msg_id is not None else next(self._ids)}</MsgId>")
        parts.append(f"<AgentID>{self.cfg.agent_id}</AgentID>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text(self, userid: str, text: str, *, msg_id: int | None = None) -> tuple[dict[str, str], bytes]:
        """A signed, encrypted text message from `userid`."""
        return self.sign(self.message_xml(userid, "text", {"Content": text}, msg_id=msg_id))

    def verify_params(self, echo: str) -> dict[str, str]:
        """Query parameters for WeCom's URL verification of `echo`."""
        ts, nonce = str(int(time.time())), secrets.token_hex(5)
        sealed = xmltodict.parse(self.crypto.encrypt_message(echo, nonce, ts))["xml"]
        return {"msg_signature": sealed["MsgSignature"], "timestamp": ts, "nonce": nonce,
                "echostr": sealed["Encrypt"]}

    def open_reply(self, body: bytes | str) -> dict:
        """Verify and decrypt a passive reply; returns its fields (Content, ToUserName, …)."""
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        envelope = xmltodict.parse(body)["xml"]
        plain = self.crypto.decrypt_message(body, envelope["MsgSignature"], envelope["TimeStamp"],
                                            envelope["Nonce"])
        return xmltodict.parse(plain)["xml"]

    @staticmethod
    def query(params: dict[str, str]) -> str:
        """Params as a URL query string."""
        return urlencode(params)


class MpSimulator:
    """WeChat's side for an Official Account: plain mode, or safe mode (安全模式) with AES.

    `openid(user)` maps the names a caller uses to openids (tests pass roster userids and map
    them; `hongling chat --as` passes the openid itself).
    """

    def __init__(self, cfg: WeChatConfig, *, first_msg_id: int | None = None, account: str = "gh_hongling",
                 openid: Callable[[str], str] = lambda user: user):
        self.cfg = cfg
        self.account = account
        self.sender_id = openid
        self.safe = bool(cfg.encoding_aes_key)
        self.crypto = MpCrypto(cfg.token, cfg.encoding_aes_key, cfg.app_id) if self.safe else None
        self._ids = itertools.count(first_msg_id or time.time_ns() // 1000)

    def sign(self, inner_xml: str, *, timestamp: int | None = None, user: str = "") -> tuple[dict[str, str], bytes]:
        """Query parameters and POST body for one message XML, as WeChat posts it in this mode."""
        ts, nonce = str(timestamp or int(time.time())), secrets.token_hex(5)
        params = {"signature": signature(self.cfg.token, ts, nonce), "timestamp": ts, "nonce": nonce}
        if user:
            params["openid"] = self.sender_id(user)
        if not self.safe:
            return params, inner_xml.encode("utf-8")
        sealed = xmltodict.parse(self.crypto.encrypt_message(inner_xml, nonce, ts))["xml"]
        body = (f"<xml><ToUserName>{_cdata(self.account)}</ToUserName>"
                f"<Encrypt>{_cdata(sealed['Encrypt'])}</Encrypt></xml>")
        params.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        return params, body.encode("utf-8")

    def message_xml(self, user: str, msg_type: str, fields: dict[str, str], *,
                    msg_id: int | None = None, create_time: int | None = None) -> str:
        """The plaintext XML WeChat would send for a message or event from `user`."""
        parts = [f"<ToUserName>{_cdata(self.account)}</ToUserName>",
                 f"<FromUserName>{_cdata(self.sender_id(user))}</FromUserName>",
                 f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
                 f"<MsgType>{_cdata(msg_type)}</MsgType>"]
        parts += [f"<{k}>{_cdata(v)}</{k}>" for k, v in fields.items()]
        if msg_type != "event":
            parts.append(f"<MsgId>{msg_id if msg_id is not None else next(self._ids)}</MsgId>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text(self, user: str, text: str, *, msg_id: int | None = None) -> tuple[dict[str, str], bytes]:
        """A signed (and in safe mode encrypted) text message from `user`."""
        return self.sign(self.message_xml(user, "text", {"Content": text}, msg_id=msg_id), user=user)

    def event(self, user: str, event: str, *, create_time: int | None = None, **fields: str) -> tuple[dict, bytes]:
        """An event (subscribe, unsubscribe, CLICK …) from `user`."""
        xml = self.message_xml(user, "event", {"Event": event, **fields}, create_time=create_time)
        return self.sign(xml, user=user)

    def verify_params(self, echo: str) -> dict[str, str]:
        """Query parameters for the console's URL check (plain signature in both modes)."""
        ts, nonce = str(int(time.time())), secrets.token_hex(5)
        return {"signature": signature(self.cfg.token, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": echo}

    def open_reply(self, body: bytes | str) -> dict:
        """Verify and (in safe mode) decrypt a passive reply; returns its fields."""
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if not self.safe:
            return xmltodict.parse(body)["xml"]
        envelope = xmltodict.parse(body)["xml"]
        plain = self.crypto.decrypt_message(body, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
        return xmltodict.parse(plain)["xml"]

    @staticmethod
    def query(params: dict[str, str]) -> str:
        """Params as a URL query string."""
        return urlencode(params)


def simulator_for(cfg: WeChatConfig, **options):
    """The simulator for the config's channel (`openid=` applies to the Official Account only)."""
    if cfg.channel == "mp":
        return MpSimulator(cfg, **options)
    options.pop("openid", None)
    return WeComSimulator(cfg, **options)
