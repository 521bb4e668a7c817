"""Faults: the server killed (kill -9) mid-burst loses nothing answered and doubles nothing."""
from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import signal
import threading
import urllib.error
import urllib.request

import pytest

from bot.cli import main
from bot.config import build_config
from bot.simulator import simulator_for
from tests.channel import openid_for
from tests.test_server import prepare, start_server

MEMBERS = [f"m{i:02d}" for i in range(10)]


def deliver(url, sim, signed) -> int | None:
    """POST one signed message; the HTTP status, or None if the connection died."""
    params, body = signed
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/wechat?{sim.query(params)}", data=body),
                                    timeout=10) as response:
            return response.status if sim.open_reply(response.read())["Content"] else None
    except (urllib.error.URLError, http.client.HTTPException, OSError):   # cut mid-response by kill -9
        return None


@pytest.fixture
def setup(tmp_path, config_data, capsys):
    path, port = prepare(tmp_path, config_data, [f"党员{u},{u},一支部,党员" for u in MEMBERS])
    capsys.readouterr()
    return path, port, build_config(config_data, source="test")


def test_kill_9_during_a_burst_then_retries_store_every_report_exactly_once(setup, capsys):
    path, port, config = setup
    url = f"http://127.0.0.1:{port}"
    sim = simulator_for(config.wechat, openid=openid_for)
    signed = [sim.text(MEMBERS[i % len(MEMBERS)], f"读书一本《第{i}本》", msg_id=700_000 + i) for i in range(60)]
    proc = start_server(path, port)
    answered, lock = set(), threading.Lock()

    def fire(i):
        if deliver(url, sim, signed[i]) == 200:
            with lock:
                answered.add(i)
                if len(answered) == 20:
                    os.killpg(proc.pid, signal.SIGKILL)

    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(fire, range(60)))
    finally:
        if proc.poll() is None and len(answered) < 20:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert 20 <= len(answered) < 60
    proc = start_server(path, port)
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda s: deliver(url, sim, s), signed))   # WeCom retries everything
        assert statuses == [200] * 60
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    assert main(["--config", str(path), "entries", "export"]) == 0
    titles = sorted(json.loads(line)["title"] for line in capsys.readouterr().out.splitlines())
    assert titles == sorted(f"第{i}本" for i in range(60))
