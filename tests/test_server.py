"""A real server process (gunicorn, two workers) over loopback HTTP: chat, concurrent retries."""
from __future__ import annotations

import concurrent.futures
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import build_config
from bot.simulator import simulator_for
from models.db import make_engine
from tests.channel import bind_roster, openid_for
from tests.test_cli import write_config

HONGLING = str(Path(sys.executable).parent / "hongling")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(tmp_path, config_data, roster_lines: list[str]) -> tuple:
    """A config file on a free port with `roster_lines` (name,userid,branch,role) imported (and bound on mp)."""
    port = free_port()
    config_data["server"] = {"host": "127.0.0.1", "port": port}
    path = write_config(tmp_path / "server.toml", config_data)
    roster = tmp_path / "roster.csv"
    roster.write_text("name,userid,branch,role\n" + "".join(f"{line}\n" for line in roster_lines), encoding="utf-8")
    assert main(["--config", str(path), "members", "import", str(roster)]) == 0
    if config_data["wechat"].get("channel") == "mp":
        engine = make_engine(config_data["database"]["url"])
        bind_roster(engine)
        engine.dispose()
    return path, port


def start_server(path, port) -> subprocess.Popen:
    """`hongling serve --workers 2` in its own process group, once /healthz answers."""
    log = path.parent / "server.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen([HONGLING, "--config", str(path), "serve", "--workers", "2"],
                                stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(log.read_text(encoding="utf-8", errors="replace"))
            time.sleep(0.05)
    raise AssertionError("server did not start")


@pytest.fixture
def server(tmp_path, config_data, capsys):
    path, port = prepare(tmp_path, config_data, ["李明,liming,一支部,党员"])
    capsys.readouterr()
    proc = start_server(path, port)
    yield {"url": f"http://127.0.0.1:{port}", "config_path": path, "config": build_config(config_data, source="test")}
    proc.terminate()
    proc.wait(timeout=20)


def post(url: str, sim, params, body) -> tuple[int, str]:
    request = urllib.request.Request(f"{url}/wechat?{sim.query(params)}", data=body)
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.status, sim.open_reply(response.read())["Content"]


def test_chat_command_talks_to_the_server(server):
    as_user = openid_for("liming") if server["config"].wechat.channel == "mp" else "liming"
    result = subprocess.run([HONGLING, "--config", str(server["config_path"]), "chat", "--as", as_user],
                            input="读书一本《红岩》\n我的积分\n", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "已记录：读书 1 本《红岩》+2 分。" in result.stdout
    assert "积分 2 / 60" in result.stdout


def test_concurrent_retries_across_workers_record_one_entry(server, capsys):
    sim = simulator_for(server["config"].wechat, openid=openid_for)
    signed = [sim.text("liming", f"读书一本《书{i}》", msg_id=900_000 + i) for i in range(4)]
    jobs = [signed[i % 4] for i in range(32)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda job: post(server["url"], sim, *job), jobs))
    assert {status for status, _ in answers} == {200}
    for i in range(4):
        replies = {text for (status, text), job in zip(answers, jobs) if job is signed[i]}
        assert len(replies) == 1 and f"《书{i}》" in replies.pop()
    assert main(["--config", str(server["config_path"]), "entries", "export"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["title"] for r in rows) == [f"书{i}" for i in range(4)]
