"""A fake WeCom server API on loopback for the reminder benchmark: gettoken and message/send.

Answers like WeCom (errcode 0, a token valid 7200 s) and counts what it was asked: calls,
recipients per call, recipients per distinct text. It keeps counts, not messages, so 10^5
recipients cost it little memory. Runs in a thread of the benchmark process.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from tests.fake_wecom import JsonHandler


@dataclass
class Counts:
    """What the fake was asked."""

    token_calls: int = 0
    send_calls: int = 0
    recipients: int = 0
    largest_call: int = 0
    per_text: Counter = field(default_factory=Counter)        # text -> recipients
    calls_per_text: Counter = field(default_factory=Counter)  # text -> calls
    first_call: float | None = None
    last_call: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class FakeWeCom:
    """Start with `with FakeWeCom(corp_id, secret) as fake:`; `fake.url` is its base URL."""

    def __init__(self, corp_id: str, secret: str):
        self.corp_id, self.secret = corp_id, secret
        self.counts = Counts()
        fake = self

        class Handler(JsonHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path != "/cgi-bin/gettoken":
                    self.send_error(404)
                    return
                with fake.counts.lock:
                    fake.counts.token_calls += 1
                if query.get("corpid") != fake.corp_id or query.get("corpsecret") != fake.secret:
                    self._reply({"errcode": 40001, "errmsg": "invalid credential"})
                else:
                    self._reply({"errcode": 0, "errmsg": "ok", "access_token": "bench-token", "expires_in": 7200})

            def do_POST(self):  # noqa: N802
                url = urlparse(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if url.path != "/cgi-bin/message/send":
                    self.send_error(404)
                    return
                body = json.loads(raw or b"{}")
                users = [u for u in str(body.get("touser", "")).split("|") if u]
                text = body.get("text", {}).get("content", "") or json.dumps(body.get(body.get("msgtype", ""), ""))
                counts = fake.counts
                with counts.lock:
                    now = time.perf_counter()
                    counts.first_call = counts.first_call or now
                    counts.last_call = now
                    counts.send_calls += 1
                    counts.recipients += len(users)
                    counts.largest_call = max(counts.largest_call, len(users))
                    counts.per_text[text] += len(users)
                    counts.calls_per_text[text] += 1
                if len(users) > 1000:
                    self._reply({"errcode": 40058, "errmsg": "touser exceeds 1000"})
                else:
                    self._reply({"errcode": 0, "errmsg": "ok", "invaliduser": ""})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def reset(self) -> None:
        self.counts = Counts()

    def __enter__(self) -> "FakeWeCom":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
