"""Hot reload against the baseline users have today: `jupyter server --autoreload`.

Both servers run the same extensions from the same temporary copy; both are driven the same
way: write a new greeting into hello_ext's handler module, then poll until it is served.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx

from .common import (
    TOKEN,
    Server,
    devserver_cmd,
    free_port,
    isolated_env,
    jupyter_cmd,
    p50,
    percentile,
    poll,
    row,
    server,
    workspace,
)

EDITS = 20
STREAM_RELOADS = 100
BASELINE_STREAM_RESTARTS = 5
HANDLER = "extensions/hello_ext/hello_ext/handlers.py"
BASELINE = "jupyter server --autoreload"


def edit_and_wait(
    srv: Server, path: Path, original: str, word: str, settle: float = 0.0, timeout: float = 30
) -> float:
    """Write ``word`` as the greeting; milliseconds until a response carries it.

    ``settle``: time given to the server before the edit, not counted. tornado's autoreload
    ignores edits made before its first check of a freshly started process (it takes the new
    mtime as its baseline), so the baseline gets 1 s to settle; the dev server needs none.
    """
    time.sleep(settle)
    started = time.perf_counter()
    path.write_text(original.replace('"Hello"', f'"{word}"'))
    poll(lambda: word in srv.client.get("hello").text, timeout)
    return (time.perf_counter() - started) * 1000


def measure(
    srv: Server, root: Path, edits: int, stream_edits: int, settle: float = 0.0
) -> dict[str, Any]:
    path = root / HANDLER
    original = path.read_text()
    kernel = srv.client.post("api/kernels", json={"name": "python3"}).json()["id"]
    latencies = [edit_and_wait(srv, path, original, f"Edit{i:03d}", settle) for i in range(edits)]
    kernels = [k["id"] for k in srv.client.get("api/kernels").json()]
    failures, requests = stream_through(srv, path, original, stream_edits, settle)
    return {
        "p50": p50(latencies),
        "p95": percentile(latencies, 95),
        "kernel_lost": kernel not in kernels,
        "failures": failures,
        "requests": requests,
    }


def stream_through(
    srv: Server, path: Path, original: str, edits: int, settle: float
) -> tuple[int, int]:
    """Failed and total requests of a steady client while ``edits`` reloads happen."""
    stop = threading.Event()
    counts = {"ok": 0, "failed": 0}

    def client_loop() -> None:
        with httpx.Client(
            base_url=srv.url, headers={"Authorization": f"token {TOKEN}"}, timeout=10
        ) as c:
            deadline = time.monotonic() + 600
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    ok = c.get("hello").status_code == 200
                except httpx.HTTPError:
                    ok = False
                counts["ok" if ok else "failed"] += 1

    thread = threading.Thread(target=client_loop, daemon=True)
    thread.start()
    for i in range(edits):
        edit_and_wait(srv, path, original, f"Stream{i:03d}", settle)
    stop.set()
    thread.join(30)
    return counts["failed"], counts["ok"] + counts["failed"]


def run() -> list[dict[str, Any]]:
    with workspace("hello_ext") as root:
        port = free_port()
        env = isolated_env(root)
        with server(devserver_cmd(root, port), root, port, env) as srv:
            ours = measure(srv, root, EDITS, STREAM_RELOADS)
    with workspace("hello_ext") as root:
        port = free_port()
        env = isolated_env(root, {"PYTHONPATH": str(root / "extensions" / "hello_ext")})
        cmd = jupyter_cmd(
            root, port, "--autoreload", "--ServerApp.jpserver_extensions=hello_ext=True"
        )
        with server(cmd, root, port, env) as srv:
            base = measure(srv, root, EDITS, BASELINE_STREAM_RESTARTS, settle=1.0)
    name = "hot reload: edit → new response"
    figures = [
        (f"p50 over {EDITS} edits", round(ours["p50"], 1), round(base["p50"], 1), "ms"),
        (f"p95 over {EDITS} edits", round(ours["p95"], 1), round(base["p95"], 1), "ms"),
        ("kernels lost", int(ours["kernel_lost"]), int(base["kernel_lost"]), "kernels"),
        (
            f"failed requests ({STREAM_RELOADS} reloads / {BASELINE_STREAM_RESTARTS} restarts)",
            f"{ours['failures']} of {ours['requests']}",
            f"{base['failures']} of {base['requests']}",
            "requests",
        ),
    ]
    return [
        row(name, figure, value, BASELINE, baseline, unit)
        for figure, value, baseline, unit in figures
    ]
