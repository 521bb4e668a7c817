"""Helpers shared by the benchmarks: the machine, processes' CPU and memory, tables, timing."""
from __future__ import annotations

import os
import platform
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from bench.load import percentile

TICK = os.sysconf("SC_CLK_TCK")


def machine(pg_version: str | None = None) -> dict[str, str]:
    """nproc, memory, CPU model, kernel, Python, SQLite and PostgreSQL versions."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    info = {"nproc": str(os.cpu_count()), "memory": f"{mem_kib / 2**20:.1f} GiB", "cpu": model,
            "kernel": platform.release(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    if pg_version:
        info["postgresql"] = pg_version
    return info


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from state (3rd) on


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime of these processes (their own, not their children's)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, steal): CPU time all processes used so far, summed over the cores (user, nice, system,
    irq, softirq), and time the hypervisor kept the virtual cores from running (steal)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / TICK, steal / TICK


def tree_cpu_seconds(root: int) -> float:
    """CPU of a process and all its descendants, including those that exited meanwhile
    (a parent's cutime/cstime hold its reaped children's CPU: PostgreSQL backends come and go)."""
    fields = _stat(root)
    if not fields:
        return 0.0
    total = sum(int(v) for v in fields[11:15]) / TICK
    return total + sum(tree_cpu_seconds(child) for child in children(root))


def postmaster() -> int | None:
    """The PostgreSQL server's main process (a `postgres` whose parent is not one)."""
    found = set(processes_named("postgres"))
    for pid in found:
        fields = _stat(pid)
        if fields and int(fields[1]) not in found:
            return pid
    return None


def children(ppid: int) -> list[int]:
    """Direct children of a process."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[1]) == ppid:
                found.append(int(entry))
    return found


def processes_named(name: str) -> list[int]:
    """Every process whose command name is `name` (e.g. postgres)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == name:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(line.split()[1])
    except OSError:
        pass
    return found


def timed(fn: Callable[[], object], *, n: int, budget: float, warmup: int = 1, at_least: int = 3) -> list[float]:
    """Run fn `warmup` times unmeasured, then up to n times (at least `at_least`) within `budget` seconds."""
    for _ in range(warmup):
        fn()
    times = []
    started = time.perf_counter()
    while len(times) < n and (len(times) < at_least or time.perf_counter() - started < budget):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def ms(seconds: float) -> str:
    """A duration in milliseconds, 3 significant-ish digits."""
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def summary(times: Sequence[float]) -> dict[str, float]:
    return {"n": len(times), "p50": percentile(times, 0.5), "p99": percentile(times, 0.99),
            "max": max(times) if times else 0.0}


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
