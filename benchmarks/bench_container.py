"""The dev server in a container (`docker compose up`), beside the same server on the host.

Figures: image size (beside its base image), time from `docker compose up` to healthy (beside
`devserver run` on the host reaching its first answer), hot-reload latency of an edit made on the
host through the bind mount, p50 and p95 over 20 edits (beside the same edits on the host), and
the time `docker compose stop` takes (beside the grace period after which Docker would kill).

``BENCH_CONTAINER_UPS`` sets how many fresh `compose up`s are timed (default 3, each on a new
copy of the examples, so each installs them; the median is reported, and how many were healthy
while that install still ran), ``BENCH_CONTAINER_EDITS`` the number of edits (default 20).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.container.stack import Image, Stack, engine_problem
from tests.container.stack import run as command

from .common import (
    devserver_cmd,
    free_port,
    isolated_env,
    p50,
    percentile,
    poll,
    row,
    server,  # fmt: skip
    workspace,
)

EDITS = max(1, int(os.environ.get("BENCH_CONTAINER_EDITS", "20")))
UPS = max(1, int(os.environ.get("BENCH_CONTAINER_UPS", "3")))
#: The supervisor's line when the editable install of the mounted examples has ended.
INSTALLED = "(editable): done in"
HANDLER = "hello_ext/hello_ext/handlers.py"
GRACE_SECONDS = 30  # compose.yaml's stop_grace_period


def edit_latencies(client: Any, handler: Path, edits: int) -> list[float]:
    """Milliseconds from writing a new greeting into ``handler`` until a response carries it."""
    original = handler.read_text()
    latencies = []
    for i in range(edits):
        word = f"Edit{i:03d}"
        started = time.perf_counter()
        handler.write_text(original.replace('"Hello"', f'"{word}"'))
        poll(lambda w=word: w in client.get("hello").text, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def on_host() -> dict[str, float]:
    """Start-up and reload latency of `devserver run` on the host, same examples, same edits."""
    with workspace("hello_ext", "greeter_app", "uses_hello") as root:
        port = free_port()
        started = time.monotonic()
        with server(devserver_cmd(root, port), root, port, isolated_env(root)) as srv:
            ready = time.monotonic() - started
            lat = edit_latencies(srv.client, root / "extensions" / HANDLER, EDITS)
    return {"ready": ready, "p50": p50(lat), "p95": percentile(lat, 95)}


def in_container(image: Image) -> dict[str, float]:
    """``UPS`` fresh starts, then edits and a stop on the first one's stack."""
    ups = [fresh_up(image) for _ in range(UPS - 1)]
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        stack = Stack.on_examples(image, Path(tmp), free_port())
        try:
            ups.insert(0, (stack.up(), INSTALLED not in stack.logs()))
            lat = edit_latencies(stack.client, stack.extensions / HANDLER, EDITS)
            stop = stack.stop()
        finally:
            stack.down()
    healthy = statistics.median(seconds for seconds, _ in ups)
    early = sum(installing for _, installing in ups)
    spread = {"p50": p50(lat), "p95": percentile(lat, 95)}
    return {"healthy": healthy, "early": early, **spread, "stop": stop}


def fresh_up(image: Image) -> tuple[float, bool]:
    """Seconds from `compose up` to healthy on a new copy of the examples, and whether their
    install was still running then (the worker serves beside it)."""
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        stack = Stack.on_examples(image, Path(tmp), free_port())
        try:
            return stack.up(), INSTALLED not in stack.logs()
        finally:
            stack.down()


def run() -> list[dict[str, Any]]:
    problem = engine_problem()
    if problem:
        raise RuntimeError(problem)
    image = Image.build()
    try:
        base = image.env["DEVSERVER_BASE_IMAGE"]
        base_size = int(command("docker", "image", "inspect", "-f", "{{.Size}}", base).strip())
        size = image.size_bytes()
        box = in_container(image)
    finally:
        image.remove()
    host = on_host()
    name = "container"
    return [
        row(name, "image size", round(size / 1e6), "its base image (debootstrap, python3)",
            round(base_size / 1e6), "MB"),
        row(name, f"compose up -> healthy, median of {UPS}", round(box["healthy"], 1),
            "devserver run on the host -> first answer", round(host["ready"], 1), "s"),
        row(name, "healthy while the install still ran", int(box["early"]),
            "compose up runs", UPS, "runs"),
        row(name, "hot reload via bind mount, p50", round(box["p50"], 1),
            "same edit, devserver run on the host", round(host["p50"], 1), "ms"),
        row(name, "hot reload via bind mount, p95", round(box["p95"], 1),
            "same edit, devserver run on the host", round(host["p95"], 1), "ms"),
        row(name, "docker compose stop", round(box["stop"], 2),
            "stop_grace_period (SIGKILL after)", GRACE_SECONDS, "s"),
    ]  # fmt: skip
