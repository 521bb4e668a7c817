"""Run every benchmark on a synthetic company and write bench/RESULTS.md.

    make bench                      # full: 100,000 members, ~5 million entries (~15 min)
    make bench-quick                # quick: 10,000 members (a few minutes), bench/RESULTS-quick.md
    .venv/bin/python bench/run.py [--quick] [--reuse] [--skip-sqlite] [--workers N] [--out FILE]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth; database hongling_bench or
hongling_bench_quick is created and wiped) and nothing else: the fake WeCom API runs in this
process, the servers on loopback. Everything measured here is printed and written to the
results file between its `measured` markers; text outside them is kept.
"""
from __future__ import annotations

import argparse
import base64
import itertools
import json
import math
import os
import random
import secrets
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text as sql_text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import generate as gen  # noqa: E402
from bench.common import (children, machine, machine_busy_seconds, memory_kib, ms, postmaster,  # noqa: E402
                          summary, table, timed, tree_cpu_seconds)
from bench.fake_api import FakeWeCom  # noqa: E402
from bench.load import build_requests, percentile, run_load  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
DATA = ROOT / "bench" / ".data"
BIN = Path(sys.executable).parent
BEGIN, END = "<!-- measured: begin (bench/run.py writes this part) -->", "<!-- measured: end -->"
REPORTS = ["读书一本《{book}》", "本月读完了《{book}》", "看书2本", "今天在班组交流了业务心得", "心得交流一次",
           "解决难题：10kV线路频繁跳闸原因排查", "和支部书记深度会谈一次", "发表论文一篇《{paper}》",
           "参加公司安全培训8学时", "参加党课学习", "读书一本《{book}》，交流心得一次"]

# Runs a command and records its peak resident memory. A small process forks it, so the figure is
# the command's own (a child forked straight from this big process would report this one's size).
PEAK_WRAPPER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(json.dumps({"maxrss_kib": usage.ru_maxrss}))
sys.exit(os.waitstatus_to_exitcode(status))
"""

MODES = {
    "full": {"members": 100_000, "branches": 2_000, "months": 36, "db": "hongling_bench", "seconds": 15.0,
             "warmup": 3.0, "pool": 30_000, "n_fast": 200, "n_slow": 20, "budget": 20.0, "http_n": 40},
    "quick": {"members": 10_000, "branches": 200, "months": 36, "db": "hongling_bench_quick", "seconds": 5.0,
              "warmup": 1.5, "pool": 10_000, "n_fast": 60, "n_slow": 8, "budget": 6.0, "http_n": 15},
}
TARGETS = {"ratio": 0.70, "p99_ms": 150.0, "branch_p50_ms": 30.0, "all_branches_s": 1.0, "reminder_s": 60.0,
           "rss_mib": 150.0}


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# ---------------------------------------------------------------------------- set-up
def ensure_pg_database(url: str) -> str:
    """Create the bench database if missing; returns PostgreSQL's version string."""
    import psycopg
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{parsed.database}"')
        return conn.execute("SHOW server_version").fetchone()[0]


def fresh_wechat() -> dict:
    return {"token": secrets.token_urlsafe(12),
            "encoding_aes_key": base64.b64encode(secrets.token_bytes(32)).decode().rstrip("="),
            "corp_id": "ww" + secrets.token_hex(8), "agent_id": 1000005, "secret": secrets.token_hex(16)}


def write_config(path: Path, *, url: str, port: int, wechat: dict, api_url: str) -> Path:
    """A config file for the bench database, the fake API, loopback and no rate-limit refusals."""
    data = {"wechat": {**wechat, "api_base_url": api_url, "delivery": "api"},
            "database": {"url": url},
            "server": {"host": "127.0.0.1", "port": port, "messages_per_minute": 1_000_000},
            "reminders": {"quiet_hours": ""}}
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def people(engine) -> dict:
    """Who asks: secretaries of 80-member branches, an admin, ordinary members."""
    with engine.connect() as conn:
        full = [row[0] for row in conn.execute(sql_text(
            "SELECT branch_id FROM member GROUP BY branch_id HAVING count(*) = 80 ORDER BY branch_id"))]
        full = [b for b in full if b != 1] or full
        secretaries = [tuple(row) for row in conn.execute(sql_text(
            "SELECT userid, branch_id FROM member WHERE role = 'secretary' ORDER BY id"))]
        by_branch = {branch: userid for userid, branch in secretaries}
        admin = conn.execute(sql_text("SELECT userid FROM member WHERE role = 'admin' ORDER BY id")).scalar()
        members = [row[0] for row in conn.execute(sql_text(
            "SELECT userid FROM member WHERE role = 'member' ORDER BY id"))]
    return {"branches80": full, "secretaries80": [by_branch[b] for b in full if b in by_branch],
            "admin": admin, "members": members}


def report_messages(rng: random.Random, members: list[str], n: int) -> list[tuple[str, str]]:
    """n report messages from distinct-ish members, in the words of shared/domain.md."""
    senders = rng.sample(members, n) if n <= len(members) else [rng.choice(members) for _ in range(n)]
    return [(userid, rng.choice(REPORTS).format(book=rng.choice(gen.BOOKS), paper=rng.choice(gen.RESULTS)))
            for userid in senders]


# ---------------------------------------------------------------------------- in-process chat commands
def chat_benches(config, mode: dict, label: str, today: date) -> dict:
    """Chat commands through the dispatcher (session, member, claim, handler, commit): no HTTP, no crypto."""
    from bot import create_app
    from bot.wecom import Incoming
    from models.archive import build_archive
    from models.db import new_session

    app = create_app(config)
    state = app.extensions["hongling"]
    engine, dispatcher = state.engine, state.dispatcher
    who = people(engine)
    rng = random.Random(11)
    counter = itertools.count()
    stamp = time.time_ns()
    replies: dict[str, str] = {}

    def ask(userid: str, text: str) -> str:
        incoming = Incoming(userid=userid, message_type="text", text=text,
                            dedup_key=f"bench:{stamp}:{next(counter)}")
        return dispatcher.handle(incoming)

    def rotating(users: list[str], text: str, name: str):
        cycle = itertools.cycle(users)

        def once() -> None:
            replies[name] = ask(next(cycle), text)
        return once

    out = {}
    plan = [
        ("支部情况", rotating(who["secretaries80"], "支部情况", "支部情况"), mode["n_fast"]),
        ("积分排名", rotating(who["secretaries80"], "积分排名", "积分排名"), mode["n_fast"]),
        ("我的积分", rotating(rng.sample(who["members"], min(500, len(who["members"]))), "我的积分", "我的积分"),
         mode["n_fast"]),
        ("全部支部", rotating([who["admin"]], "全部支部", "全部支部"), mode["n_slow"]),
    ]
    reports = report_messages(rng, who["members"], mode["n_fast"] + 5)
    report_iter = iter(reports)

    def report_once() -> None:
        replies["report"] = ask(*next(report_iter))
    plan.append(("report (读书一本… as a member)", report_once, mode["n_fast"]))
    for name, fn, n in plan:
        log(f"{label}: {name} ×{n}")
        times = timed(fn, n=n, budget=mode["budget"], warmup=3 if n > 20 else 1)
        out[name] = summary(times)
    export_branch = who["branches80"][0]

    def export_once() -> None:
        with new_session(engine) as session:
            replies["export_bytes"] = len(build_archive(session, branch_id=export_branch, year=today.year,
                                                        rules=config.rules))
    log(f"{label}: 导出 (build_archive) ×{mode['n_slow']}")
    out["导出 (XLSX of an 80-member branch's year)"] = summary(
        timed(export_once, n=mode["n_slow"], budget=mode["budget"], warmup=1))
    with engine.connect() as conn:
        rows = conn.execute(sql_text(
            "SELECT count(*) FROM entry JOIN member ON member.id = entry.member_id "
            "WHERE member.branch_id = :b AND entry.occurred_on >= :s AND entry.occurred_on <= :e"),
            {"b": export_branch, "s": date(today.year, 1, 1), "e": date(today.year, 12, 31)}).scalar()
    out["_export"] = {"bytes": replies.get("export_bytes", 0), "rows": rows}
    out["_replies"] = {k: v for k, v in replies.items() if isinstance(v, str)}
    engine.dispose()
    return out


# ---------------------------------------------------------------------------- the monthly reminder
def reminder_bench(config_path: Path, config, fake: FakeWeCom, day: date, label: str) -> dict:
    """`hongling reminders run monthly` for every member, against the fake WeCom API."""
    from models.db import make_engine, new_session
    from scheduler.plan import plan
    from scheduler.settings import load_settings

    engine = make_engine(config.database_url)
    with engine.begin() as conn:
        conn.execute(sql_text("DELETE FROM outbox WHERE topic = 'monthly' AND occasion = :d"), {"d": day})
    with new_session(engine) as session:
        t = time.perf_counter()
        planned = plan(session, config=config, settings=load_settings(config), kind="monthly", day=day)
        plan_seconds = time.perf_counter() - t
    log(f"{label}: plan alone: {len(planned):,} members to remind in {plan_seconds:.2f} s")
    del planned
    fake.reset()
    argv = [str(BIN / "hongling"), "--config", str(config_path), "reminders", "run", "monthly", "--date", day.isoformat()]
    out_path, peak_path = DATA / f"reminder-{label}.log", DATA / f"reminder-{label}.peak"
    with open(out_path, "w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", PEAK_WRAPPER, str(peak_path), *argv], stdout=out,
                                stderr=subprocess.STDOUT)
        proc.wait()
        wall = time.perf_counter() - started
    peak_kib = json.loads(peak_path.read_text())["maxrss_kib"]
    counts = fake.counts
    with engine.connect() as conn:
        statuses = dict(conn.execute(sql_text(
            "SELECT status, count(*) FROM outbox WHERE topic = 'monthly' AND occasion = :d GROUP BY status"),
            {"d": day}).all())
    engine.dispose()
    floor = sum(math.ceil(n / 1000) for n in counts.per_text.values())
    result = {"command": shlex.join(["hongling", "--config", config_path.name, *argv[3:]]),
              "exit": proc.returncode, "wall_s": wall, "plan_s": plan_seconds, "peak_rss_mib": peak_kib / 1024,
              "recipients": counts.recipients, "texts": len(counts.per_text), "calls": counts.send_calls,
              "floor_calls": floor, "token_calls": counts.token_calls, "largest_call": counts.largest_call,
              "calls_per_text": sorted(counts.calls_per_text.values(), reverse=True),
              "recipients_per_text": sorted(counts.per_text.values(), reverse=True),
              "outbox": statuses, "output": out_path.read_text(encoding="utf-8")[-2000:]}
    log(f"{label}: reminder {wall:.1f} s, {counts.recipients:,} recipients, {counts.send_calls} calls "
        f"(floor {floor}), peak {result['peak_rss_mib']:.0f} MiB, exit {proc.returncode}")
    return result


# ---------------------------------------------------------------------------- the servers under load
def start_server(argv: list[str], port: int, log_path: Path) -> subprocess.Popen:
    out = open(log_path, "w")
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            time.sleep(0.5)  # let every worker finish booting
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: see {log_path}\n{log_path.read_text()[-3000:]}")
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit(f"server did not come up: see {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def load_runs(name: str, proc: subprocess.Popen, port: int, sim, who: dict, mode: dict,
              msg_ids: itertools.count, check) -> dict:
    """Runs at concurrency 1, 8 and 32 against a running server, with CPU accounting."""
    rng = random.Random(23)
    workers = children(proc.pid)
    runs = []
    for concurrency in (1, 8, 32):
        warm = build_requests(sim, "127.0.0.1", port, report_messages(rng, who["members"], 1500),
                              first_msg_id=next(msg_ids) * 100_000)
        run_load("127.0.0.1", port, warm, concurrency=concurrency, seconds=mode["warmup"], keep_bodies=0)
        pool = build_requests(sim, "127.0.0.1", port, report_messages(rng, who["members"], mode["pool"]),
                              first_msg_id=next(msg_ids) * 100_000)
        pg = postmaster()
        before = (tree_cpu_seconds(proc.pid), tree_cpu_seconds(pg) if pg else 0.0, machine_busy_seconds())
        result = run_load("127.0.0.1", port, pool, concurrency=concurrency, seconds=mode["seconds"])
        after = (tree_cpu_seconds(proc.pid), tree_cpu_seconds(pg) if pg else 0.0, machine_busy_seconds())
        done = max(1, result.completed + result.failed)
        ours = (after[0] - before[0]) + (after[1] - before[1]) + result.client_cpu
        cores = (os.cpu_count() or 1) * result.seconds
        busy, steal = after[2][0] - before[2][0], after[2][1] - before[2][1]
        row = {"server": name, "concurrency": concurrency, "requests": result.completed, "failed": result.failed,
               "seconds": result.seconds, "rps": result.rps, "p50_ms": result.pct(0.5), "p99_ms": result.pct(0.99),
               "max_ms": max(result.latencies) * 1000 if result.latencies else 0,
               "server_cpu_ms": (after[0] - before[0]) / done * 1000,
               "pg_cpu_ms": (after[1] - before[1]) / done * 1000,
               "client_cpu_ms": result.client_cpu / done * 1000,
               "busy_pct": busy / cores * 100, "other_cpu_pct": max(0.0, busy - ours) / cores * 100,
               "steal_pct": steal / cores * 100,
               "statuses": result.statuses, "checked": check(result.bodies)}
        runs.append(row)
        log(f"{name} c={concurrency}: {row['rps']:,.0f} req/s, p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms, "
            f"{result.failed} failed, CPU/req server {row['server_cpu_ms']:.2f} ms, PostgreSQL "
            f"{row['pg_cpu_ms']:.2f} ms, client {row['client_cpu_ms']:.2f} ms; machine busy {row['busy_pct']:.0f} % "
            f"(others {row['other_cpu_pct']:.0f} %, steal {row['steal_pct']:.0f} %); replies {row['checked']}")
    return {"runs": runs, "workers": workers}


def worker_memory(proc: subprocess.Popen, workers: list[int]) -> dict:
    return {"master": memory_kib(proc.pid), "workers": [memory_kib(pid) for pid in workers]}


def server_benches(pg_config_path: Path, config, mode: dict, workers: int, port: int) -> dict:
    from bot.simulator import WeComSimulator
    from models.db import make_engine

    engine = make_engine(config.database_url)
    who = people(engine)
    engine.dispose()
    sim = WeComSimulator(config.wechat)
    msg_ids = itertools.count(int(time.time()) * 10)

    def opened(bodies: list[bytes]) -> dict:
        kinds: dict[str, int] = {}
        for body in bodies:
            try:
                text = sim.open_reply(body)["Content"]
            except Exception:
                text = "<unreadable>"
            key = "已记录/已提交" if text.startswith(("已记录", "已提交")) else text[:24]
            kinds[key] = kinds.get(key, 0) + 1
        return kinds

    out = {}
    bare_argv = [sys.executable, str(ROOT / "bench" / "bare.py"), "--config", str(pg_config_path),
                 "--workers", str(workers)]
    product_argv = [str(BIN / "hongling"), "--config", str(pg_config_path), "serve", "--workers", str(workers)]
    for name, argv in (("bare", bare_argv), ("hongling", product_argv)):
        log(f"starting {name}: {shlex.join(argv)}")
        proc = start_server(argv, port, DATA / f"server-{name}.log")
        try:
            found = load_runs(name, proc, port, sim, who, mode, msg_ids, opened)
            if name == "hongling":
                found["commands"] = http_commands(port, sim, who, mode, msg_ids)
            found["memory"] = worker_memory(proc, found["workers"])
            found["argv"] = shlex.join(["hongling" if a.endswith("/hongling") else
                                        ".venv/bin/python" if a == sys.executable else
                                        os.path.relpath(a, ROOT) if a.startswith(str(ROOT)) else a for a in argv])
            out[name] = found
        finally:
            stop_server(proc)
    return out


def http_commands(port: int, sim, who: dict, mode: dict, msg_ids: itertools.count) -> dict:
    """Secretary and member commands over HTTP, one at a time (what a person waits for)."""
    out = {}
    n = mode["http_n"]
    asks = {"支部情况": [(who["secretaries80"][i % len(who["secretaries80"])], "支部情况") for i in range(n)],
            "积分排名": [(who["secretaries80"][i % len(who["secretaries80"])], "积分排名") for i in range(n)],
            "我的积分": [(who["members"][i * 37 % len(who["members"])], "我的积分") for i in range(n)],
            "全部支部": [(who["admin"], "全部支部") for _ in range(max(5, n // 4))]}
    for name, messages in asks.items():
        warm = build_requests(sim, "127.0.0.1", port, messages[:2], first_msg_id=next(msg_ids) * 100_000)
        run_load("127.0.0.1", port, warm, concurrency=1, seconds=60, keep_bodies=0)
        pool = build_requests(sim, "127.0.0.1", port, messages, first_msg_id=next(msg_ids) * 100_000)
        result = run_load("127.0.0.1", port, pool, concurrency=1, seconds=120, keep_bodies=1)
        out[name] = {"n": result.completed, "failed": result.failed, "p50": percentile(result.latencies, 0.5),
                     "p99": percentile(result.latencies, 0.99), "max": max(result.latencies or [0])}
        log(f"HTTP {name}: p50 {out[name]['p50'] * 1000:.1f} ms, p99 {out[name]['p99'] * 1000:.1f} ms")
    return out


# ---------------------------------------------------------------------------- the report
def render(results: dict) -> str:
    m = results["mode"]
    parts = [f"Measured by `{results['command']}` ({results['make']}) on {results['date']}, "
             f"{results['elapsed_min']:.0f} min in all.", ""]
    parts.append("**Machine**: " + ", ".join(f"{k} {v}" for k, v in results["machine"].items()) + ".")
    parts.append("")
    parts.append(f"Server runs: `{results['servers']['hongling']['argv']}` and `{results['servers']['bare']['argv']}` "
                 f"(the same `bot.server.serve`: gunicorn gthread, 8 threads per worker), config "
                 f"`[server] messages_per_minute = 1000000` so that no benchmark message is refused by the "
                 f"per-member limit (its query still runs on every message; the load spreads over "
                 f"{m['members']:,} members anyway). Clients, servers, PostgreSQL and the fake WeCom API share the "
                 f"same {results['machine']['nproc']} cores." if "servers" in results else "")
    parts.append("")
    parts.append("### Data")
    rows = []
    for label, stats in results["datasets"].items():
        rows.append([label, f"{stats['members']:,}", f"{stats['branches']:,}", f"{stats['entries']:,}",
                     f"{stats['inbound']:,}", f"{stats['outbox']:,}", f"{stats['first_day']} – {stats['today']}",
                     f"{stats['load_seconds']:.0f} s", f"{stats['index_seconds']:.0f} s",
                     f"{stats['analyze_seconds']:.0f} s", f"**{stats['total_seconds'] / 60:.1f} min**",
                     f"{stats['size_bytes'] / 2**30:.2f} GiB"])
    parts.append(table(["database", "members", "branches", "entries", "inbound msgs", "outbox history", "dates",
                        "generate + load", "indexes", "analyze", "total", "size"], rows))
    parts.append("")
    if "servers" in results:
        parts.append("### The callback: report messages (`读书一本《…》`, `交流心得一次` …) from random members")
        servers = results["servers"]
        bare = {r["concurrency"]: r for r in servers["bare"]["runs"]}
        rows = []
        for name in ("bare", "hongling"):
            for r in servers[name]["runs"]:
                ratio = r["rps"] / bare[r["concurrency"]]["rps"] if name == "hongling" else 1.0
                rows.append([name, r["concurrency"], f"{r['requests']:,}", r["failed"], f"{r['rps']:,.0f}",
                             f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}", f"{r['max_ms']:.0f}",
                             f"{r['server_cpu_ms']:.2f}", f"{r['pg_cpu_ms']:.2f}", f"{r['client_cpu_ms']:.2f}",
                             f"{r['busy_pct']:.0f} % ({r['other_cpu_pct']:.0f} %; steal {r['steal_pct']:.0f} %)",
                             f"**{ratio:.0%}**" if name == "hongling" else "—",
                             ", ".join(f"{k} {v}" for k, v in r["checked"].items())])
        parts.append(table(["server", "concurrency", "answered", "errors", "req/s", "p50 ms", "p99 ms", "max ms",
                            "server CPU ms/req", "PostgreSQL CPU ms/req", "client CPU ms/req",
                            "machine busy (others; steal)", "vs bare",
                            "replies opened (sample)"], rows))
        parts.append("")
        parts.append("CPU ms/req: CPU time during the run of the gunicorn master and workers, of the PostgreSQL "
                     "server and all its backends (those that exited meanwhile too), and of the load client, divided "
                     "by the requests answered. Machine busy: all CPU time used on the machine during the run (from "
                     "/proc/stat) over the time the cores had; in brackets what processes other than these used, and the "
                     "time the hypervisor kept the virtual cores from running (steal).")
        parts.append("")
    parts.append("### Chat commands")
    rows = []
    for label, chat in results["chat"].items():
        for name, s in chat.items():
            if name.startswith("_"):
                continue
            rows.append([name, label, "in process (dispatcher)", s["n"], ms(s["p50"]), ms(s["p99"]), ms(s["max"])])
    if "servers" in results:
        for name, s in results["servers"]["hongling"].get("commands", {}).items():
            rows.append([name, results["primary"], "HTTP, one at a time", s["n"], ms(s["p50"]), ms(s["p99"]),
                         ms(s["max"])])
    parts.append(table(["command", "database", "path", "n", "p50 ms", "p99 ms", "max ms"], rows))
    parts.append("")
    parts.append("In process: `Dispatcher.handle` on an `Incoming` (member lookup, rate-limit count, claim, handler, "
                 "commit), no HTTP or crypto. 支部情况 and 积分排名 by the secretaries of the 80-member branches in "
                 "turn; 全部支部 by an admin (all branches); 我的积分 by random members; 导出 is "
                 "`models.archive.build_archive` for an 80-member branch's current year "
                 + ", ".join(f"({label}: {c['_export']['rows']:,} entries, {c['_export']['bytes'] / 1024:.0f} KiB)"
                             for label, c in results["chat"].items()) + ".")
    parts.append("")
    parts.append("### The monthly reminder (`hongling reminders run monthly`) against the fake WeCom API")
    rows = []
    for label, r in results["reminders"].items():
        rows.append([label, f"{r['recipients']:,}", r["texts"], f"**{r['calls']}**", r["floor_calls"],
                     r["largest_call"], f"{r['plan_s']:.1f} s", f"**{r['wall_s']:.1f} s**",
                     f"{r['peak_rss_mib']:.0f} MiB", r["exit"]])
    parts.append(table(["database", "recipients", "distinct texts", "message/send calls",
                        "Σ ceil(recipients/1000) per text", "largest call", "plan alone (in process)",
                        "wall time (whole command)", "peak RSS", "exit"], rows))
    parts.append("")
    first = next(iter(results["reminders"].values()), None)
    if first:
        parts.append(f"Command: `{first['command']}` (date = today, every member not on leave considered; wall time "
                     f"from process start to exit: plan, outbox writes, drain with one HTTP call per batch).")
        parts.append("")
    parts.append("### Parser and memory")
    p = results["parser"]
    rows = [["parser alone (`handlers.parser.read`, one thread)", f"{p['per_second']:,.0f} messages/s "
             f"({p['corpus_lines']} corpus lines, {p['chars']:.1f} chars on average)"]]
    if "servers" in results:
        for name in ("hongling", "bare"):
            mem = results["servers"][name]["memory"]
            rss = ", ".join(f"{w.get('VmRSS', 0) / 1024:.0f}" for w in mem["workers"])
            peak = ", ".join(f"{w.get('VmHWM', 0) / 1024:.0f}" for w in mem["workers"])
            rows.append([f"{name}: resident memory per worker after the runs (MiB)",
                         f"{rss} (peak {peak}); master {mem['master'].get('VmRSS', 0) / 1024:.0f}"])
    parts.append(table(["what", "measured"], rows))
    parts.append("")
    parts.append("### Targets")
    parts.append(table(["target", "measured", "verdict"], targets(results)))
    return "\n".join(parts)


def verdict(ok: bool, measured: float, limit: float, unit: str, higher_better: bool = False) -> str:
    if ok:
        return "holds"
    if higher_better:
        return f"**misses** by {limit - measured:.3g}{unit} ({measured / limit:.0%} of the target)"
    return f"**misses** by {measured - limit:.3g}{unit} ({measured / limit:.1f}× the target)"


def targets(results: dict) -> list[list[str]]:
    rows = []
    primary = results["primary"]
    if "servers" in results:
        servers = results["servers"]
        bare = {r["concurrency"]: r for r in servers["bare"]["runs"]}
        for r in servers["hongling"]["runs"]:
            if r["concurrency"] in (8, 32):
                ratio = r["rps"] / bare[r["concurrency"]]["rps"]
                rows.append([f"callback throughput ≥ 70 % of bare, concurrency {r['concurrency']}",
                             f"{ratio:.0%} ({r['rps']:,.0f} vs {bare[r['concurrency']]['rps']:,.0f} req/s)",
                             verdict(ratio >= TARGETS["ratio"], ratio * 100, TARGETS["ratio"] * 100, " points", True)])
        for r in servers["hongling"]["runs"]:
            rows.append([f"callback p99 < 150 ms, concurrency {r['concurrency']}", f"{r['p99_ms']:.1f} ms",
                         verdict(r["p99_ms"] < TARGETS["p99_ms"], r["p99_ms"], TARGETS["p99_ms"], " ms")])
        workers = servers["hongling"]["memory"]["workers"]
        worst = max((w.get("VmRSS", 0) for w in workers), default=0) / 1024
        rows.append(["resident memory per worker < 150 MB", f"{worst:.0f} MiB (largest worker)",
                     verdict(worst < TARGETS["rss_mib"], worst, TARGETS["rss_mib"], " MiB")])
    chat = results["chat"].get(primary)
    if chat:
        p50 = chat["支部情况"]["p50"] * 1000
        rows.append([f"支部情况 p50 < 30 ms ({primary})", f"{p50:.1f} ms",
                     verdict(p50 < TARGETS["branch_p50_ms"], p50, TARGETS["branch_p50_ms"], " ms")])
        worst = chat["全部支部"]["p50"]
        rows.append([f"全部支部 < 1 s ({primary})", f"p50 {worst * 1000:.0f} ms, max {chat['全部支部']['max'] * 1000:.0f} ms",
                     verdict(chat["全部支部"]["max"] < TARGETS["all_branches_s"], chat["全部支部"]["max"],
                             TARGETS["all_branches_s"], " s")])
    reminder = results["reminders"].get(primary)
    if reminder:
        rows.append([f"monthly reminder for {results['mode']['members']:,} members < 60 s ({primary})",
                     f"{reminder['wall_s']:.1f} s",
                     verdict(reminder["wall_s"] < TARGETS["reminder_s"] and reminder["exit"] == 0,
                             reminder["wall_s"], TARGETS["reminder_s"], " s")])
        rows.append(["WeCom calls ≤ Σ ceil(recipients / 1000) per distinct text",
                     f"{reminder['calls']} calls, floor {reminder['floor_calls']}",
                     verdict(reminder["calls"] <= reminder["floor_calls"], reminder["calls"],
                             reminder["floor_calls"], " calls")])
    return rows


def write_results(path: Path, body: str) -> None:
    """Replace the measured part of `path`, keeping whatever is written around it."""
    measured = f"{BEGIN}\n{body}\n{END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            path.write_text(head + measured + tail, encoding="utf-8")
            return
    path.write_text("# Benchmark results\n\n" + measured + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hongling benchmarks")
    parser.add_argument("--quick", action="store_true", help="10,000 members and short load runs (a few minutes)")
    parser.add_argument("--reuse", action="store_true", help="keep the databases of an earlier run (no generation)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--skip-server", action="store_true", help="no HTTP load runs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for both servers (default 2)")
    parser.add_argument("--pg-url", default=None, help="default postgresql+psycopg://postgres@127.0.0.1:5432/hongling_bench")
    parser.add_argument("--out", default=None, help="default bench/RESULTS.md (quick: bench/RESULTS-quick.md)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    mode_name = "quick" if args.quick else "full"
    mode = MODES[mode_name]
    DATA.mkdir(parents=True, exist_ok=True)
    pg_url = args.pg_url or f"postgresql+psycopg://postgres@127.0.0.1:5432/{mode['db']}"
    sqlite_url = f"sqlite:///{DATA / (mode['db'] + '.db')}"
    out_path = Path(args.out) if args.out else ROOT / "bench" / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    today = datetime.now(TZ).date()
    pg_version = ensure_pg_database(pg_url)
    results = {"command": shlex.join([".venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
               "make": "make bench-quick" if args.quick else "make bench",
               "date": datetime.now(TZ).strftime("%Y-%m-%d %H:%M %Z"),
               "machine": machine(f"PostgreSQL {pg_version}"), "mode": {**mode, "name": mode_name},
               "primary": "PostgreSQL", "datasets": {}, "chat": {}, "reminders": {}}
    backends = [("PostgreSQL", pg_url)] + ([] if args.skip_sqlite else [("SQLite", sqlite_url)])
    stats_path = DATA / f"datasets-{mode_name}.json"
    saved = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    for label, url in backends:
        if args.reuse and label in saved:
            results["datasets"][label] = saved[label]
            continue
        log(f"generating the {label} company")
        stats = gen.generate(url, members=mode["members"], branches=mode["branches"], months=mode["months"],
                             today=today, log=log)
        results["datasets"][label] = saved[label] = asdict(stats)
        stats_path.write_text(json.dumps(saved, ensure_ascii=False, indent=1))
    today = date.fromisoformat(results["datasets"]["PostgreSQL"]["today"]) if args.reuse else today
    from bot.config import load_config
    wechat = fresh_wechat()
    port = free_port()
    with FakeWeCom(wechat["corp_id"], wechat["secret"]) as fake:
        configs = {}
        for label, url in backends:
            path = write_config(DATA / f"bench-{mode_name}-{label.lower()}.toml", url=url, port=port,
                                wechat=wechat, api_url=fake.url)
            configs[label] = (path, load_config(path))
        for label, (path, config) in configs.items():
            results["chat"][label] = chat_benches(config, mode, label, today)
        for label, (path, config) in configs.items():
            results["reminders"][label] = reminder_bench(path, config, fake, datetime.now(TZ).date(), label)
        if not args.skip_server:
            path, config = configs["PostgreSQL"]
            results["servers"] = server_benches(path, config, mode, args.workers, port)
    log("parser alone")
    from bench.parser_bench import measure
    results["parser"] = measure(3.0 if not args.quick else 1.0)
    results["elapsed_min"] = (time.perf_counter() - started) / 60
    (DATA / f"results-{mode_name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    body = render(results)
    print("\n" + body + "\n")
    write_results(out_path, body)
    log(f"wrote {out_path.relative_to(ROOT) if out_path.is_relative_to(ROOT) else out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
