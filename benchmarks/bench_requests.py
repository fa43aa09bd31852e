"""The request log's cost (issue 12): recording on against off, and its memory bound.

1. ``GET /api/status`` on two dev servers started alike, one recording requests (the default)
   and one with ``--RequestLog.enabled=False``: sequential throughput and p50 latency, rounds
   alternating between the two to share the machine's noise. Target: within 3 %.
2. The recording worker's RSS after the ring has filled once (2 x the ring size) and after
   100,000 requests: the ring keeps 1,000 entries, so the second figure should not grow with the
   count.

``python -m benchmarks.bench_requests --small`` runs it with small counts, as a check that it works.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from .common import devserver_cmd, free_port, isolated_env, p50, row, server, workspace

RING = 1000


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def rounds_of(srv: Any, seconds: float) -> tuple[float, list[float]]:
    """Requests per second and each request's latency (ms) over ``seconds``."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        begun = time.perf_counter()
        srv.client.get("api/status")
        times.append((time.perf_counter() - begun) * 1000)
    return len(times) / (time.perf_counter() - started), times


def run(total: int = 100_000, rounds: int = 8, seconds: float = 1.0) -> list[dict[str, Any]]:
    """The request log's rows for ``make bench``."""
    with workspace("hello_ext") as on_root, workspace("hello_ext") as off_root:
        p_on, p_off = free_port(), free_port()
        cmd_on = devserver_cmd(on_root, p_on, "--ServerApp.log_level=WARN")
        cmd_off = devserver_cmd(
            off_root, p_off, "--ServerApp.log_level=WARN", "--RequestLog.enabled=False"
        )
        with (
            server(cmd_on, on_root, p_on, isolated_env(on_root)) as on,
            server(cmd_off, off_root, p_off, isolated_env(off_root)) as off,
        ):
            assert on.client.get("_introspect/api/requests").json()["requests"]
            assert not off.client.get("_introspect/api/requests").json()["requests"]
            rates: dict[str, list[float]] = {"on": [], "off": []}
            latencies: dict[str, list[float]] = {"on": [], "off": []}
            for _ in range(rounds):
                for key, srv in (("off", off), ("on", on)):
                    rate, times = rounds_of(srv, seconds)
                    rates[key].append(rate)
                    latencies[key].extend(times)
            worker = on.client.get("_introspect/api/status").json()["pid"]
            filled = memory_after(on, worker, 2 * RING)
            after = memory_after(on, worker, total)
    name = "GET /api/status, request log on vs off"
    on_rate, off_rate = round(p50(rates["on"])), round(p50(rates["off"]))
    change = round((on_rate / off_rate - 1) * 100, 1)
    on_p50, off_p50 = round(p50(latencies["on"]), 3), round(p50(latencies["off"]), 3)
    return [
        row(name, "throughput, recording", on_rate, "not recording", off_rate, "req/s"),
        row(name, "throughput difference", change, "target", -3, "%"),
        row(name, "p50, recording", on_p50, "not recording", off_p50, "ms"),
        row("request log memory", f"worker RSS after {total:,} requests", after,
            f"after {2 * RING:,} (ring full)", filled, "KiB"),
    ]  # fmt: skip


def memory_after(srv: Any, pid: int, count: int) -> int:
    """The worker's RSS once ``count`` more requests were answered."""
    for _ in range(count):
        srv.client.get("api/status")
    return rss_kib(pid)


if __name__ == "__main__":
    small = "--small" in sys.argv[1:]
    for item in run(total=3000, rounds=2, seconds=0.3) if small else run():
        print(item)
