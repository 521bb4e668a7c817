"""The WeChat Official Account (公众号) channel adapter: plain and safe mode.

Transport only, like bot/wecom.py. Plain mode (`[wechat] encoding_aes_key = ""`) checks
`signature` = SHA-1 of the sorted token, timestamp and nonce and reads the XML body as it
is; safe mode (安全模式) wants `encrypt_type=aes` and checks `msg_signature` over the
`Encrypt` element too, then opens it with the AES key, which also proves it is for our
AppID. Either way a message in the other mode is refused, so a configured key cannot be
bypassed by sending plain text. The sender (`Incoming.userid`) is an openid.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Mapping

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.parser import parse_message
from wechatpy.replies import TextReply

from bot.channel import (ChannelError, Incoming, cdata_safe, check_signed, incoming_from, parse_xml,
                         strip_control)
from bot.config import WeChatConfig

log = logging.getLogger(__name__)
# Events by which a person opens the 48-hour customer-service window (WeChat's list);
# other events (unsubscribe, VIEW, LOCATION, delivery reports) are not messages from a person.
INTERACTIONS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})
MAX_ECHO_CHARS = 128


class MpChannel:
    """Verifies, opens and seals the callback traffic of one Official Account."""

    def __init__(self, cfg: WeChatConfig, *, now: Callable[[], float] = time.time):
        self.cfg = cfg
        self.now = now
        self.safe = bool(cfg.encoding_aes_key)
        self.crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.app_id) if self.safe else None

    def _check(self, args: Mapping[str, str], param: str, payload: str = "") -> None:
        check_signed(args, param=param, token=self.cfg.token, payload=payload, now=self.now(),
                     max_skew=self.cfg.max_clock_skew_seconds)

    def verify_url(self, args: Mapping[str, str]) -> str:
        """Answer the console's URL check (in both modes): the echostr, exactly."""
        echostr = args.get("echostr") or ""
        if not echostr or len(echostr) > MAX_ECHO_CHARS:
            raise ChannelError(400, "missing or oversized echostr")
        self._check(args, "signature")
        return echostr

    def _decrypt(self, payload: str) -> str:
        try:
            return PrpCrypto(self.crypto.key).decrypt(payload, self.cfg.app_id)
        except Exception as exc:  # any failure to open the envelope is the sender's fault
            status = 403 if type(exc).__name__ == "InvalidAppIdException" else 400
            raise ChannelError(status, "cannot decrypt") from None

    def _plaintext(self, args: Mapping[str, str], body: bytes) -> bytes:
        """The verified message XML, decrypted in safe mode."""
        encrypted_request = (args.get("encrypt_type") or "raw").lower() != "raw"
        if not self.safe:
            if encrypted_request:
                raise ChannelError(400, "encrypted message, but no encoding_aes_key is configured")
            self._check(args, "signature")
            try:
                return strip_control(body.decode("utf-8")).encode("utf-8")
            except UnicodeDecodeError:
                raise ChannelError(400, "malformed XML: not UTF-8") from None
        if (args.get("encrypt_type") or "").lower() != "aes":
            raise ChannelError(400, "safe mode: expected encrypt_type=aes")
        encrypted = parse_xml(body).get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise ChannelError(400, "no Encrypt element")
        self._check(args, "msg_signature", encrypted)
        return strip_control(self._decrypt(encrypted)).encode("utf-8")

    def open(self, args: Mapping[str, str], body: bytes) -> Incoming:
        """Verify (and in safe mode decrypt) a callback POST into an `Incoming`."""
        plain = self._plaintext(args, body)
        inner = parse_xml(plain)
        try:
            msg = parse_message(plain.decode("utf-8"))
        except Exception:  # wechatpy raises assorted errors on odd fields
            raise ChannelError(400, "unreadable message") from None
        event = str(inner.get("Event") or "").lower()
        interaction = msg.type != "event" or event in INTERACTIONS
        if not interaction:
            log.info("mp event %s: a notification, not a message from a person", event[:40] or "?")
        return incoming_from(msg, inner, interaction=interaction)

    def seal(self, incoming: Incoming, text: str, nonce: str) -> str:
        """The passive reply: plain XML, or encrypted in safe mode; `]]>` cannot break it."""
        reply = TextReply(source=incoming.account or "", target=incoming.userid,
                          content=cdata_safe(text)).render()
        if not self.safe:
            return reply
        return self.crypto.encrypt_message(reply, nonce, str(int(self.now())))
