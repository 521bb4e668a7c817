"""Pushing text messages: WeCom's message/send API, or the console on the embedded default.

A transport's `send(userids, content)` answers with a `SendResult` the sender turns into
row statuses; it never raises for WeCom's or the network's errors. Every transport also says
how many recipients one call takes (`max_recipients`), whether the platform drops a resent
copy (`drops_duplicates`: WeCom's duplicate check), and may look recipients up once per
claimed batch (`prepare`). The Official Account's transport is scheduler/mp_api.py.
"""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, TextIO

import requests

from scheduler.calls import SendResult, TokenError, call_api
from scheduler.settings import WECOM_MAX_RECIPIENTS, ReminderSettings
from scheduler.tokens import TokenBusy

__all__ = ["ConsoleTransport", "SendResult", "TokenError", "WeComApi"]
log = logging.getLogger(__name__)
ALL_INVALID = 81013


class ConsoleTransport:
    """`[wechat] delivery = "console"`: print each message instead of sending it."""

    max_recipients = WECOM_MAX_RECIPIENTS
    drops_duplicates = True

    def __init__(self, out: TextIO | None = None, *, label: str = "企业微信"):
        self.out = out or sys.stdout
        self.label = label

    def prepare(self, userids: Iterable[str]) -> None:
        """Nothing to look up."""

    def send(self, userids: list[str], content: str) -> SendResult:
        """Print the message with its recipients."""
        print(f"[{self.label} → {'|'.join(userids)}]\n{content}", file=self.out, flush=True)
        return SendResult("ok")

    def send_file(self, userids: list[str], filename: str, data: bytes) -> SendResult:
        """Save the file under ./exports and print where it is."""
        folder = Path("exports")
        folder.mkdir(exist_ok=True)
        path = folder / Path(filename).name
        path.write_bytes(data)
        print(f"[{self.label} → {'|'.join(userids)}] 文件 {path.resolve()}", file=self.out, flush=True)
        return SendResult("ok")

    def close(self) -> None:
        """Nothing to close."""


class WeComApi:
    """message/send with the shared token: refresh once on a token error, back off when busy."""

    max_recipients = WECOM_MAX_RECIPIENTS
    drops_duplicates = True

    def __init__(self, wechat, settings: ReminderSettings, tokens, *,
                 sleep: Callable[[float], None] = time.sleep):
        self.wechat, self.settings, self.tokens, self.sleep = wechat, settings, tokens, sleep
        self.base = wechat.api_base_url.rstrip("/")
        self.http = requests.Session()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def prepare(self, userids: Iterable[str]) -> None:
        """WeCom addresses members by userid: nothing to look up."""

    def _fetch_token(self) -> tuple[str, int]:
        try:
            response = self.http.get(f"{self.base}/cgi-bin/gettoken", timeout=self.settings.http_timeout_seconds,
                                     params={"corpid": self.wechat.corp_id, "corpsecret": self.wechat.secret})
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TokenError(f"gettoken failed: {type(exc).__name__}") from None
        if not isinstance(answer, dict) or answer.get("errcode", 0) != 0 or not answer.get("access_token"):
            raise TokenError(f"gettoken refused: {answer.get('errcode') if isinstance(answer, dict) else answer} "
                             f"{answer.get('errmsg', '') if isinstance(answer, dict) else ''}".strip())
        return answer["access_token"], int(answer.get("expires_in", 7200))

    def _post(self, token: str, body: dict) -> dict | None:
        try:
            response = self.http.post(f"{self.base}/cgi-bin/message/send", params={"access_token": token},
                                      json=body, timeout=self.settings.http_timeout_seconds)
            answer = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            log.warning("message/send: %s", type(exc).__name__)
            return None
        return answer if isinstance(answer, dict) else None

    def _upload(self, token: str, filename: str, data: bytes) -> dict | None:
        try:
            response = self.http.post(f"{self.base}/cgi-bin/media/upload",
                                      params={"access_token": token, "type": "file"},
                                      files={"media": (filename, data)}, timeout=self.settings.http_timeout_seconds)
            answer = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            log.warning("media/upload: %s", type(exc).__name__)
            return None
        return answer if isinstance(answer, dict) else None

    def send(self, userids: list[str], content: str) -> SendResult:
        """Send one text to up to 1000 users."""
        return self._deliver(userids, "text", lambda token: {"content": content})

    def send_file(self, userids: list[str], filename: str, data: bytes) -> SendResult:
        """Upload a file as temporary media and send it to up to 1000 users."""
        def payload(token: str) -> dict | None:
            answer = self._upload(token, filename, data)
            if answer is None or answer.get("media_id"):
                return answer and {"media_id": answer["media_id"]}
            return {"errcode": answer.get("errcode") or 44001, "errmsg": answer.get("errmsg", "upload failed")}
        return self._deliver(userids, "file", payload)

    def _deliver(self, userids: list[str], msgtype: str, payload: Callable[[str], dict | None]) -> SendResult:
        """message/send with a payload built per token (an upload needs one too)."""
        dup = self.settings.duplicate_check_seconds
        try:
            token = self.tokens.get(self._fetch_token)
        except (TokenError, TokenBusy) as exc:
            return SendResult("abort", errmsg=str(exc))

        def call(token: str) -> dict | None:
            part = payload(token)
            if part is None or "errcode" in part:
                return part
            return self._post(token, {"touser": "|".join(userids), "msgtype": msgtype,
                                      "agentid": self.wechat.agent_id, msgtype: part,
                                      "enable_duplicate_check": 1 if dup else 0,
                                      "duplicate_check_interval": dup or 1800})

        answer, _ = call_api(call, token=token, settings=self.settings, sleep=self.sleep,
                             refresh=lambda stale: self.tokens.get(self._fetch_token, stale=stale))
        if answer.status != "done":
            return SendResult(answer.status, answer.code, answer.errmsg)
        if answer.code == 0:
            invalid = frozenset(u for u in str(answer.body.get("invaliduser") or "").split("|") if u)
            return SendResult("ok", 0, answer.errmsg, invalid)
        if answer.code == ALL_INVALID:
            return SendResult("invalid", answer.code, answer.errmsg, frozenset(userids))
        return SendResult("failed", answer.code, answer.errmsg)
