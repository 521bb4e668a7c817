"""The WeCom channel adapter: signatures, AES envelopes and message parsing.

Transport only: it turns a callback request into an `Incoming` and a reply text into
an encrypted passive reply. It knows nothing about members, points or handlers.
"""
from __future__ import annotations

import time
from typing import Callable, Mapping

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.parser import parse_message
from wechatpy.enterprise.replies import TextReply

from bot.channel import (ChannelError, Incoming, cdata_safe, check_signed, incoming_from, parse_xml,
                         signature, strip_control)
from bot.config import WeChatConfig

__all__ = ["ChannelError", "Incoming", "WeComChannel", "signature"]


class WeComChannel:
    """Verifies, opens and seals WeCom callback traffic for one self-built app."""

    def __init__(self, cfg: WeChatConfig, *, now: Callable[[], float] = time.time):
        self.cfg = cfg
        self.now = now
        self.crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.corp_id)

    def _check(self, args: Mapping[str, str], payload: str) -> None:
        check_signed(args, param="msg_signature", token=self.cfg.token, payload=payload, now=self.now(),
                     max_skew=self.cfg.max_clock_skew_seconds)

    def _decrypt(self, payload: str) -> str:
        try:
            return PrpCrypto(self.crypto.key).decrypt(payload, self.cfg.corp_id)
        except Exception as exc:  # any failure to open the envelope is the sender's fault
            status = 403 if type(exc).__name__ == "InvalidCorpIdException" else 400
            raise ChannelError(status, "cannot decrypt") from None

    def verify_url(self, args: Mapping[str, str]) -> str:
        """Answer WeCom's URL check: the decrypted echostr, exactly."""
        echostr = args.get("echostr") or ""
        if not echostr:
            raise ChannelError(400, "missing echostr")
        self._check(args, echostr)
        return self._decrypt(echostr)

    def open(self, args: Mapping[str, str], body: bytes) -> Incoming:
        """Verify and decrypt a callback POST into an `Incoming`."""
        envelope = parse_xml(body)
        encrypted = envelope.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise ChannelError(400, "no Encrypt element")
        self._check(args, encrypted)
        plain = strip_control(self._decrypt(encrypted)).encode("utf-8")
        inner = parse_xml(plain)
        if inner.get("ToUserName") != self.cfg.corp_id or str(inner.get("AgentID", self.cfg.agent_id)) != str(self.cfg.agent_id):
            raise ChannelError(403, "message is for another corp or app")
        try:
            msg = parse_message(plain.decode("utf-8"))
        except Exception:  # wechatpy raises assorted errors on odd fields
            raise ChannelError(400, "unreadable message") from None
        return incoming_from(msg, inner)

    def seal(self, incoming: Incoming, text: str, nonce: str) -> str:
        """Encrypt a passive text reply; `]]>` in the text cannot break the XML."""
        reply = TextReply(source=self.cfg.corp_id, target=incoming.userid, agent=self.cfg.agent_id,
                          content=cdata_safe(text))
        return self.crypto.encrypt_message(reply.render(), nonce, str(int(self.now())))
