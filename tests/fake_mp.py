"""A fake WeChat Official Account API on loopback: token, custom/send, template/send.

Like tests/fake_wecom.py: real HTTP, scriptable answers, a record of every call. It checks
appid and secret on `/cgi-bin/token`, the token on every send and the template id, and
answers as WeChat does for followers who cannot be reached: `invalid_users` (40003),
`unfollowed` (43004), `refusing_templates` (43101), `outside_window` (custom → 45015).
`recipients()` speaks in roster userids (tests/channel.py maps test openids back).

Use the `fake_mp` fixture (import it into a test module) and `point_config_at(...)`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import pytest

from tests.channel import userid_for
from tests.fake_wecom import FakeApi, JsonHandler


@dataclass
class MpCall:
    """One custom/send or template/send request as received."""

    token: str
    touser: list[str]
    content: str
    body: dict
    answer: dict
    kind: str


@dataclass
class FakeMp(FakeApi):
    """The Official Account's API: token, custom/send, template/send."""

    app_id: str = ""
    template_id: str = ""
    unfollowed: set[str] = field(default_factory=set)
    refusing_templates: set[str] = field(default_factory=set)
    outside_window: set[str] = field(default_factory=set)

    def kinds(self) -> dict[str, list[str]]:
        """userid -> how each delivered message went (custom | template)."""
        with self.lock:
            found: dict[str, list[str]] = {}
            for call in self.sends:
                if call.answer.get("errcode") == 0:
                    found.setdefault(call.touser[0], []).append(call.kind)
            return found

    @staticmethod
    def file_for(userid: str) -> None:
        """An Official Account cannot send files."""
        return None

    # --- the endpoints -------------------------------------------------------
    def token(self, query: dict) -> dict:
        with self.lock:
            self.token_calls += 1
            if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            if query.get("secret") != self.secret:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            token = f"tok-{self.token_calls}"
            self.tokens.add(token)
            return {"access_token": token, "expires_in": 7200}

    def send(self, kind: str, token: str, body: dict) -> dict:
        user = userid_for(str(body.get("touser", "")))
        if kind == "custom":
            content = str(body.get("text", {}).get("content", ""))
        else:
            content = "\n".join(str(v.get("value", "")) for v in body.get("data", {}).values())
        with self.lock:
            number = len(self.sends) + 1
            if token not in self.tokens:
                answer = {"errcode": 42001 if token.startswith("tok-") else 40001, "errmsg": "access_token expired"}
            elif self.script:
                answer = self.script.popleft()
            else:
                answer = self._deliver(kind, user, content, body)
            self.sends.append(MpCall(token, [user], content, body, answer, kind))
        if number == self.hang_on_call:
            self.hung.set()
            self.release.wait(30)
        return answer

    def _deliver(self, kind: str, user: str, content: str, body: dict) -> dict:
        if user in self.invalid_users:
            return {"errcode": 40003, "errmsg": "invalid openid"}
        if user in self.unfollowed:
            return {"errcode": 43004, "errmsg": "require subscribe"}
        if kind == "custom" and user in self.outside_window:
            return {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
        if kind == "template":
            if body.get("template_id") != self.template_id:
                return {"errcode": 40037, "errmsg": "invalid template_id"}
            if user in self.refusing_templates:
                return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
        self.delivered.append((user, content))
        return {"errcode": 0, "errmsg": "ok", **({"msgid": len(self.delivered)} if kind == "template" else {})}


def handler_for(fake: FakeMp):
    """The HTTP request handler class serving `fake`."""
    class Handler(JsonHandler):

        def do_GET(self):  # noqa: N802 (http.server's naming)
            url = urlparse(self.path)
            if url.path == "/cgi-bin/token":
                self._reply(fake.token({k: v[0] for k, v in parse_qs(url.query).items()}))
            else:
                self.send_error(404)

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            token = parse_qs(url.query).get("access_token", [""])[0]
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            kinds = {"/cgi-bin/message/custom/send": "custom", "/cgi-bin/message/template/send": "template"}
            if url.path in kinds:
                self._reply(fake.send(kinds[url.path], token, body))
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def fake_mp():
    """A running FakeMp on 127.0.0.1 (ephemeral port), stopped after the test."""
    from tests.fake_wecom import running
    with running(FakeMp(), handler_for) as fake:
        yield fake
