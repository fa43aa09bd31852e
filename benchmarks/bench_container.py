"""The dev server in a container (`docker compose up`), beside the same server on the host.

Figures: image size (beside its base image), time from `docker compose up` to healthy (beside
`devserver run` on the host reaching its first answer), hot-reload latency of an edit made on the
host through the bind mount, p50 and p95 over 20 edits (beside the same edits on the host), and
the time `docker compose stop` takes (beside the grace period after which Docker would kill).
"""

from __future__ import annotations

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

EDITS = 20
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
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        stack = Stack.on_examples(image, Path(tmp), free_port())
        try:
            healthy = stack.up()
            lat = edit_latencies(stack.client, stack.extensions / HANDLER, EDITS)
            stop = stack.stop()
        finally:
            stack.down()
    return {"healthy": healthy, "p50": p50(lat), "p95": percentile(lat, 95), "stop": stop}


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
        row(name, "compose up -> healthy", round(box["healthy"], 1),
            "devserver run on the host -> first answer", round(host["ready"], 1), "s"),
        row(name, "hot reload via bind mount, p50", round(box["p50"], 1),
            "same edit, devserver run on the host", round(host["p50"], 1), "ms"),
        row(name, "hot reload via bind mount, p95", round(box["p95"], 1),
            "same edit, devserver run on the host", round(host["p95"], 1), "ms"),
        row(name, "docker compose stop", round(box["stop"], 2),
            "stop_grace_period (SIGKILL after)", GRACE_SECONDS, "s"),
    ]  # fmt: skip
