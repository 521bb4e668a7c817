"""A fake WeCom server API on loopback: real HTTP, scriptable answers, a record of every call.

It issues tokens from `gettoken` (checking corpid and corpsecret), and `message/send` delivers
to each recipient, honouring `enable_duplicate_check` the way WeCom does (the same text to the
same user inside the interval is dropped). `delivered` is what users would see on their phones.

Use the `fake_wecom` fixture (import it into a test module) and `point_config_at(...)`.
When the suite runs on a WeChat Official Account (HONGLING_TEST_CHANNEL=mp, see
tests/channel.py) the fixture serves tests/fake_mp.py's FakeMp instead: the same record of
what each member received, so the flows' assertions hold on both channels.
"""
from __future__ import annotations

import contextlib
import json
from email import policy
from email.parser import BytesParser
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tests.channel import ON_MP


@dataclass
class SendCall:
    """One message/send request as received."""

    token: str
    touser: list[str]
    content: str
    body: dict
    answer: dict


@dataclass
class FakeApi:
    """What every fake platform API records and lets a test script; all methods are thread-safe."""

    secret: str = ""
    url: str = ""
    tokens: set[str] = field(default_factory=set)
    token_calls: int = 0
    sends: list = field(default_factory=list)
    delivered: list[tuple[str, str]] = field(default_factory=list)
    invalid_users: set[str] = field(default_factory=set)
    script: deque = field(default_factory=deque)
    hang_on_call: int | None = None
    hung: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next_sends(self, *answers: dict) -> None:
        """Answer the next send calls with these bodies (nothing is delivered for them)."""
        with self.lock:
            self.script.extend(answers)

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (42001)."""
        with self.lock:
            self.tokens.clear()

    def messages_for(self, userid: str) -> list[str]:
        """The texts a user received, in order."""
        with self.lock:
            return [text for user, text in self.delivered if user == userid]

    def recipients(self) -> dict[str, list[str]]:
        """userid -> the texts delivered to them."""
        with self.lock:
            found: dict[str, list[str]] = {}
            for user, text in self.delivered:
                found.setdefault(user, []).append(text)
            return found


@dataclass
class FakeWeCom(FakeApi):
    """WeCom's server API: gettoken, message/send, media/upload."""

    corp_id: str = ""
    media: dict = field(default_factory=dict)
    _delivered_at: dict = field(default_factory=dict)

    # --- the two endpoints -------------------------------------------------
    def gettoken(self, query: dict) -> dict:
        with self.lock:
            self.token_calls += 1
            if query.get("corpid") != self.corp_id or query.get("corpsecret") != self.secret:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"tok-{self.token_calls}"
            self.tokens.add(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def upload(self, token: str, filename: str, data: bytes) -> dict:
        """media/upload: keep the file, answer its media_id."""
        with self.lock:
            if token not in self.tokens:
                return {"errcode": 42001, "errmsg": "access_token expired"}
            media_id = f"media-{len(self.media) + 1}"
            self.media[media_id] = (filename, data)
            return {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id}

    def file_for(self, userid: str) -> tuple[str, bytes] | None:
        """The last file a user received: (filename, bytes)."""
        files = [text for text in self.messages_for(userid) if text.startswith("[file:")]
        return self.media[files[-1][len("[file:"):-1]] if files else None

    def send(self, token: str, body: dict) -> dict:
        touser = [u for u in str(body.get("touser", "")).split("|") if u]
        content = body.get("text", {}).get("content", "")
        if body.get("msgtype") == "file":
            content = f"[file:{body.get('file', {}).get('media_id')}]"
        with self.lock:
            number = len(self.sends) + 1
            if token not in self.tokens:
                answer = {"errcode": 42001 if token.startswith("tok-") else 40014, "errmsg": "access_token expired"}
            elif self.script:
                answer = self.script.popleft()
            else:
                answer = self._deliver(touser, content, body)
            self.sends.append(SendCall(token, touser, content, body, answer))
        if number == self.hang_on_call:
            self.hung.set()
            self.release.wait(30)
        return answer

    def _deliver(self, touser: list[str], content: str, body: dict) -> dict:
        invalid, now = [], time.monotonic()
        window = body.get("duplicate_check_interval", 1800) if body.get("enable_duplicate_check") else 0
        for user in touser:
            if user in self.invalid_users:
                invalid.append(user)
                continue
            last = self._delivered_at.get((user, content))
            if window and last is not None and now - last < window:
                continue
            self._delivered_at[(user, content)] = now
            self.delivered.append((user, content))
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid)}


class JsonHandler(BaseHTTPRequestHandler):
    """An API request handler that answers JSON, as WeCom's and WeChat's servers do."""

    def _reply(self, answer: dict) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _handler(fake: FakeWeCom):
    class Handler(JsonHandler):

        def do_GET(self):  # noqa: N802 (http.server's naming)
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/cgi-bin/gettoken":
                self._reply(fake.gettoken(query))
            else:
                self.send_error(404)

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if url.path == "/cgi-bin/media/upload":
                message = BytesParser(policy=policy.default).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw)
                part = next(message.iter_parts())
                self._reply(fake.upload(query.get("access_token", ""), part.get_filename(),
                                        part.get_payload(decode=True)))
                return
            body = json.loads(raw or b"{}")
            if url.path == "/cgi-bin/message/send":
                self._reply(fake.send(query.get("access_token", ""), body))
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request (the crash tests) is expected


@contextlib.contextmanager
def running(fake, handler_for):
    """Serve `fake` (handler class from `handler_for(fake)`) on 127.0.0.1 until the block ends."""
    server = _Server(("127.0.0.1", 0), handler_for(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def fake_wecom():
    """A running FakeWeCom (FakeMp when the suite runs on mp) on 127.0.0.1, stopped after the test."""
    if ON_MP:
        from tests.fake_mp import FakeMp, handler_for
        with running(FakeMp(), handler_for) as fake:
            yield fake
        return
    with running(FakeWeCom(), _handler) as fake:
        yield fake


def point_config_at(config_data: dict, fake, **reminders) -> dict:
    """Send through the fake API (delivery = "api"), quiet hours off, plus `[reminders]` overrides.

    `fake` is a FakeWeCom for a WeCom config, a FakeMp (tests/fake_mp.py) for an mp config.
    """
    wechat = config_data["wechat"]
    wechat.update(api_base_url=fake.url, delivery="api")
    if wechat.get("channel") == "mp":
        fake.app_id, fake.secret = wechat["app_id"], wechat["secret"]
        fake.template_id = wechat.get("template", {}).get("id", "")
    else:
        fake.corp_id, fake.secret = wechat["corp_id"], wechat["secret"]
    config_data["reminders"] = {"quiet_hours": "", **reminders}
    return config_data
