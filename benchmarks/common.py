"""Helpers shared by the benchmarks: servers started as users start them, and polling."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def row(
    benchmark: str, figure: str, value: Any, baseline: str, baseline_value: Any, unit: str
) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "figure": figure,
        "value": value,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "unit": unit,
    }


def poll(check: Callable[[], Any], timeout: float, interval: float = 0.001) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"no result within {timeout} s")


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    client: httpx.Client
    workdir: Path


def isolated_env(workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(workdir / "cfg"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "rt"),
        "JUPYTER_DATA_DIR": str(workdir / "data"),
    }
    env.update(extra or {})
    return env


@contextmanager
def server(
    cmd: list[str],
    workdir: Path,
    port: int,
    env: dict[str, str],
    ready_path: str = "api/status",
    interval: float = 0.05,
) -> Iterator[Server]:
    """Start a server command, wait until it answers (asking every ``interval`` seconds), stop it
    with SIGTERM afterwards."""
    log = (workdir / "server.log").open("ab")
    proc = subprocess.Popen(
        cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}/",
        timeout=10,
        headers={"Authorization": f"token {TOKEN}"},
    )
    try:
        poll(lambda: client.get(ready_path).status_code == 200, timeout=60, interval=interval)
        yield Server(proc, f"http://127.0.0.1:{port}/", client, workdir)
    finally:
        client.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def workspace(*examples: str) -> Iterator[Path]:
    """A temporary folder with copies of the named examples under ``extensions/``."""
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        root = Path(tmp)
        for name in examples:
            shutil.copytree(
                REPO / "examples" / name,
                root / "extensions" / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        yield root


def devserver_cmd(root: Path, port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "devserver",
        "run",
        str(root / "extensions"),
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--install=never",
        f"--ServerApp.root_dir={root}",
        *extra,
    ]


def jupyter_cmd(root: Path, port: int, *extra: str) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--no-browser",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        *extra,
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd
