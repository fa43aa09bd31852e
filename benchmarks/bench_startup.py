"""Cold start: `devserver run` on the three examples until `/api/status` answers, beside plain
`jupyter server` with the same extensions enabled, started alternately in one run (the machine's
load then weighs on both alike). `compose up -> healthy` is bench_container's figure.

STARTS (default 5) starts of each; `BENCH_STARTS=2 make bench` for a quick check.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .common import (
    devserver_cmd,
    free_port,
    isolated_env,
    jupyter_cmd,
    p50,
    row,
    server,
    workspace,
)

EXAMPLES = ("hello_ext", "uses_hello", "greeter_app")
STARTS = int(os.environ.get("BENCH_STARTS", "5"))
POLL_SECONDS = 0.005


def time_to_status(cmd: list[str], root: Path, port: int) -> float:
    """Seconds from starting ``cmd`` to its first 200 on /api/status. Asked every 5 ms: a plain
    server refuses connections until it listens, while `devserver run` listens at once (its
    worker answers from the backlog), so a coarse poll would favour the dev server."""
    started = time.perf_counter()
    with server(cmd, root, port, isolated_env(root), interval=POLL_SECONDS):
        return time.perf_counter() - started


def run() -> list[dict[str, Any]]:
    devserver: list[float] = []
    plain: list[float] = []
    enabled = "{" + ", ".join(f"'{name}': True" for name in EXAMPLES) + "}"
    with workspace(*EXAMPLES) as root:
        for _ in range(STARTS):
            port = free_port()
            plain.append(time_to_status(
                jupyter_cmd(root, port, f"--ServerApp.jpserver_extensions={enabled}"), root, port
            ))  # fmt: skip
            port = free_port()
            devserver.append(time_to_status(devserver_cmd(root, port), root, port))
    ours, theirs = p50(devserver), p50(plain)
    return [
        row("startup", f"devserver run -> /api/status, p50 of {STARTS}", round(ours, 2),
            "jupyter server, same extensions", round(theirs, 2), "s"),
        row("startup", "ratio devserver / jupyter server", round(ours / theirs, 2),
            "target", 1.15, "x"),
    ]  # fmt: skip
