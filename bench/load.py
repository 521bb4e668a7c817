"""A closed-loop HTTP load generator for the WeCom callback, over loopback.

`concurrency` connections (HTTP/1.1 keep-alive, asyncio, one thread) each send a request, wait
for the whole answer, and send the next, until the requests run out or `seconds` pass. Requests
are signed and encrypted beforehand (bot.simulator, exactly like WeCom), so the client spends
its CPU on the socket only; every request has its own MsgId. Latency is measured per request,
from the first byte written to the last byte read.
"""
from __future__ import annotations

import asyncio
import os
import resource
import time
from dataclasses import dataclass, field
from typing import Sequence
from urllib.parse import urlencode


@dataclass
class LoadResult:
    """One run: how many answers, how fast, how they looked."""

    concurrency: int
    completed: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list, repr=False)
    statuses: dict[int, int] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list, repr=False)
    client_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        """The q-quantile of latency, in milliseconds (nearest rank)."""
        return percentile(self.latencies, q) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile (q in 0..1) of unsorted values; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
    return ordered[rank - 1]


def build_requests(sim, host: str, port: int, messages: Sequence[tuple[str, str]], *,
                   first_msg_id: int) -> list[bytes]:
    """Raw HTTP requests for (userid, text) messages, signed and encrypted like WeCom's."""
    out = []
    for offset, (userid, text) in enumerate(messages):
        params, body = sim.text(userid, text, msg_id=first_msg_id + offset)
        head = (f"POST /wechat?{urlencode(params)} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n")
        out.append(head.encode("ascii") + body)
    return out


async def _session(host: str, port: int, requests: list[bytes], state: dict, result: LoadResult,
                   deadline: float, keep: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            index = state["next"]
            if index >= len(requests) or time.perf_counter() >= deadline:
                return
            state["next"] = index + 1
            started = time.perf_counter()
            writer.write(requests[index])
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                status = int(lines[0].split(b" ", 2)[1])
                length, close = 0, False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                body = await reader.readexactly(length) if length else b""
            except (asyncio.IncompleteReadError, ConnectionError):
                result.failed += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.completed += 1
            else:
                result.failed += 1
            if len(result.bodies) < keep:
                result.bodies.append(body)
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


def run_load(host: str, port: int, requests: list[bytes], *, concurrency: int, seconds: float,
             keep_bodies: int = 50) -> LoadResult:
    """Send `requests` over `concurrency` keep-alive connections for at most `seconds`."""
    result = LoadResult(concurrency)
    state = {"next": 0}

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_session(host, port, requests, state, result, deadline, keep_bodies)
                               for _ in range(concurrency)))

    cpu = os.times()
    started = time.perf_counter()
    asyncio.run(main())
    result.seconds = time.perf_counter() - started
    after = os.times()
    result.client_cpu = (after.user - cpu.user) + (after.system - cpu.system)
    return result


def self_rss_peak_kib() -> int:
    """This process's peak resident memory (KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
