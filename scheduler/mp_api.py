"""Pushing messages on a WeChat Official Account: customer-service or template messages.

An Official Account may write to a follower freely only within 48 hours of the follower's
last message to it (customer-service messages, 客服消息); outside that window only an
approved template message (模板消息) reaches them. Each outbox row names a member by userid:
`prepare` turns a whole claimed batch into openids and last-message times in one query
(members' messages are the `inbound_message` rows of their openid). Then, per member:

- inside the window (with a few minutes' margin): custom/send; if WeChat answers 45015
  (window closed) or 45047 (too many messages in the window), the template instead;
- outside it: the template (`[wechat.template]`); without one, the row is `invalid`;
- unfollowed (43004), refused (43101), invalid openid (40003), blacklisted (43019), or not
  bound at all: `invalid`, with WeChat's code and message on the row;
- busy (45009, -1) and token errors are retried as for WeCom (scheduler/calls.py).

`via` on each row says which way it went, `errmsg` why it went that way or failed.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

import requests

from models.binding import Target, targets
from models.db import new_session
from models.tables import utcnow
from scheduler.calls import SendResult, TokenError, call_api
from scheduler.tokens import TokenBusy

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=48) - timedelta(minutes=10)     # a margin before WeChat's 48 hours end
WINDOW_CLOSED = frozenset({45015, 45047})
UNREACHABLE = frozenset({43004, 43101, 40003, 43019})
_TITLE = re.compile(r"^【([^】]{1,20})】\s*")


def template_values(fields: dict[str, str], *, content: str, name: str, day: datetime) -> dict:
    """The template's `data`: each configured field's text with the placeholders filled in."""
    found = _TITLE.match(content)
    values = {"title": found.group(1) if found else "通知", "body": content[found.end():] if found else content,
              "content": content, "name": name, "date": f"{day.year}年{day.month}月{day.day}日"}
    return {field: {"value": text.format_map(values)} for field, text in fields.items()}


class MpApi:
    """custom/send and template/send with the shared token, one member per call."""

    max_recipients = 1
    drops_duplicates = False

    def __init__(self, config, settings, tokens, engine, *, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = utcnow):
        self.wechat, self.settings, self.tokens, self.engine = config.wechat, settings, tokens, engine
        self.tz = ZoneInfo(config.rules.timezone)
        self.sleep, self.now = sleep, now
        self.base = self.wechat.api_base_url.rstrip("/")
        self.http = requests.Session()
        self.known: dict[str, Target | None] = {}
        self.token: str | None = None

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def prepare(self, userids: Iterable[str]) -> None:
        """Look up openids and last messages for a batch of recipients (one query)."""
        userids = list(userids)
        with new_session(self.engine) as session:
            found = targets(session, userids=userids, since=self.now() - WINDOW)
        self.known.update({userid: found.get(userid) for userid in userids})

    def _fetch_token(self) -> tuple[str, int]:
        try:
            response = self.http.get(f"{self.base}/cgi-bin/token", timeout=self.settings.http_timeout_seconds,
                                     params={"grant_type": "client_credential", "appid": self.wechat.app_id,
                                             "secret": self.wechat.secret})
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TokenError(f"token request failed: {type(exc).__name__}") from None
        if not isinstance(answer, dict) or answer.get("errcode", 0) != 0 or not answer.get("access_token"):
            code = answer.get("errcode") if isinstance(answer, dict) else answer
            raise TokenError(f"token refused: {code} {answer.get('errmsg', '') if isinstance(answer, dict) else ''}"
                             .strip())
        return answer["access_token"], int(answer.get("expires_in", 7200))

    def _post(self, path: str, body: dict) -> tuple[str, int | None, str]:
        """("done", errcode, errmsg) | ("retry" | "abort", errcode, reason)."""
        if self.token is None:
            try:
                self.token = self.tokens.get(self._fetch_token)
            except (TokenError, TokenBusy) as exc:
                return "abort", None, str(exc)

        def call(token: str) -> dict | None:
            try:
                response = self.http.post(f"{self.base}{path}", params={"access_token": token}, json=body,
                                          timeout=self.settings.http_timeout_seconds)
                answer = response.json() if response.status_code == 200 else None
            except (requests.RequestException, ValueError) as exc:
                log.warning("%s: %s", path, type(exc).__name__)
                return None
            return answer if isinstance(answer, dict) else None

        answer, self.token = call_api(call, token=self.token, settings=self.settings, sleep=self.sleep,
                                      refresh=lambda stale: self.tokens.get(self._fetch_token, stale=stale))
        return answer.status, answer.code, answer.errmsg

    def _target(self, userid: str) -> Target | None:
        if userid not in self.known:
            self.prepare([userid])
        return self.known[userid]

    def send(self, userids: list[str], content: str) -> SendResult:
        """Send one text to one member (the sender never gives more: `max_recipients`)."""
        if len(userids) != 1:
            raise ValueError("the Official Account takes one recipient per call")
        userid = userids[0]
        target = self._target(userid)
        if target is None:
            return SendResult("invalid", None, invalid=frozenset(userids), note="未绑定微信（no openid）")
        if target.last_seen is not None and target.last_seen >= self.now() - WINDOW:
            status, code, errmsg = self._post("/cgi-bin/message/custom/send", {
                "touser": target.openid, "msgtype": "text", "text": {"content": content}})
            if status != "done" or code == 0:
                return SendResult("ok" if status == "done" else status, code, errmsg, via="custom")
            if code not in WINDOW_CLOSED:
                return self._unsent(userid, code, errmsg, "custom")
            window, reason = code, f"custom message refused: {code} {errmsg}"
        else:
            window, reason = 45015, "no message from the member in the last 48 h"
        if not self.wechat.template_id:
            return SendResult("invalid", window, invalid=frozenset(userids),
                              note=f"{reason}; no [wechat.template] id configured")
        return self._template(target, content, reason)

    def _template(self, target: Target, content: str, reason: str) -> SendResult:
        data = template_values(self.wechat.template_fields, content=content, name=target.name,
                               day=self.now().astimezone(self.tz))
        status, code, errmsg = self._post("/cgi-bin/message/template/send", {
            "touser": target.openid, "template_id": self.wechat.template_id, "data": data})
        if status != "done":
            return SendResult(status, code, errmsg, via="template")
        if code == 0:
            return SendResult("ok", 0, errmsg, via="template", note=reason[:200])
        return self._unsent(target.userid, code, errmsg, "template")

    @staticmethod
    def _unsent(userid: str, code: int | None, errmsg: str, via: str) -> SendResult:
        note = f"{code} {errmsg}".strip()
        if code in UNREACHABLE:
            return SendResult("invalid", code, errmsg, frozenset({userid}), via=via, note=note)
        return SendResult("failed", code, errmsg, via=via, note=note)

    def send_file(self, userids: list[str], filename: str, data: bytes) -> SendResult:
        """An Official Account cannot send files: recorded as failed, with the way out."""
        return SendResult("failed", None, note="公众号不能发送文件，请用 hongling report export 导出")
