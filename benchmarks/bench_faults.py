"""Recovery from faults, beside plain `jupyter server` (no supervisor).

Rows: a SIGKILLed worker → serving again; a SIGKILLed supervisor → its worker and kernel gone;
an import that hangs → the saved fix served. Each fault runs ``FAULT_RUNS`` times (set
``BENCH_FAULT_RUNS=1`` for a quick check) with a steady client counting failed requests.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from devserver.agent.lifeline import children

from .common import (
    TOKEN,
    Server,
    devserver_cmd,
    free_port,
    isolated_env,
    jupyter_cmd,
    p50,
    poll,
    row,
    server,
    workspace,
)

FAULT_RUNS = int(os.environ.get("BENCH_FAULT_RUNS", "5"))
HANDLER = "extensions/hello_ext/hello_ext/handlers.py"
BASELINE = "jupyter server (no supervisor)"


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split()[2] != "Z"
    except OSError:
        return False


@contextmanager
def steady(srv: Server) -> Iterator[dict[str, int]]:
    """A client GETting /hello in a loop (new connection each, 30 s timeout) while inside."""
    counts = {"ok": 0, "failed": 0}
    stop = threading.Event()

    def loop() -> None:
        headers = {"Authorization": f"token {TOKEN}", "Connection": "close"}
        with httpx.Client(base_url=srv.url, headers=headers, timeout=30) as client:
            while not stop.is_set():
                try:
                    ok = client.get("hello").status_code == 200
                except httpx.HTTPError:
                    ok = False
                counts["ok" if ok else "failed"] += 1
                stop.wait(0.01)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield counts
    finally:
        stop.set()
        thread.join(60)


def serving(srv: Server) -> bool:
    return srv.client.get("hello", timeout=2).status_code == 200


def standby_waits(pid: int) -> bool:
    """Whether ``pid`` is blocked reading a pipe: a standby worker done with its imports."""
    try:
        return "pipe_read" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


def worker_sigkill(srv: Server) -> float:
    """Milliseconds from SIGKILL of the serving worker to the next good answer, once its standby
    waits for its spec (as it does a few seconds after any start)."""
    worker = int(srv.client.get("_introspect/api/status").json()["pid"])
    poll(lambda: any(standby_waits(p) for p in children(srv.proc.pid) if p != worker), 60)
    started = time.perf_counter()
    os.kill(worker, signal.SIGKILL)
    poll(lambda: not alive(worker), 10)
    poll(lambda: serving(srv), 60, interval=0.005)
    return (time.perf_counter() - started) * 1000


def hang_then_fix(srv: Server, root: Path, i: int) -> float:
    """Milliseconds from saving the fix of an import that hangs to the fix being served."""
    path = root / HANDLER
    log = root / "server.log"
    good = path.read_text()
    stuck = log.read_text(errors="replace").count("ImportStuck")
    path.write_text(good + "\nimport time\ntime.sleep(3600)\n")
    poll(lambda: log.read_text(errors="replace").count("ImportStuck") > stuck, 60, 0.05)
    word = f"Fixed{i:02d}"
    started = time.perf_counter()
    path.write_text(re.sub(r'GREETING = "\w+"', f'GREETING = "{word}"', good))
    poll(lambda: word in srv.client.get("hello").text, 60, interval=0.005)
    return (time.perf_counter() - started) * 1000


def kill_and_count_leftovers(srv: Server) -> tuple[float, int]:
    """SIGKILL the server process with a kernel running: milliseconds until every process
    under it has ended (or 10 s), and how many were still alive then."""
    srv.client.post("api/kernels", json={"name": "python3"}).raise_for_status()
    poll(lambda: any(_is_kernel(p) for p in _tree(srv.proc.pid)), 30, 0.05)
    tree = _tree(srv.proc.pid)
    started = time.perf_counter()
    srv.proc.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in tree):
        time.sleep(0.005)
    left = [p for p in tree if alive(p)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return (time.perf_counter() - started) * 1000, len(left)


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _tree(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children(todo.pop()):
            found.add(child)
            todo.append(child)
    return found


def _devserver(root: Path, port: int, *extra: str) -> Any:
    return server(devserver_cmd(root, port, *extra), root, port, isolated_env(root), "hello")


def _jupyter(root: Path, port: int) -> Any:
    env = isolated_env(root, {"PYTHONPATH": str(root / "extensions" / "hello_ext")})
    cmd = jupyter_cmd(root, port, "--ServerApp.jpserver_extensions=hello_ext=True")
    return server(cmd, root, port, env, "hello")


def run() -> list[dict[str, Any]]:
    rows = []
    # One kill per fresh server: a worker that keeps dying waits longer each time (backoff.py),
    # and what is measured is a kill, not a crash loop.
    restarts, ok, failed = [], 0, 0
    for _ in range(FAULT_RUNS):
        with workspace("hello_ext") as root, _devserver(root, free_port()) as srv:
            with steady(srv) as c:
                restarts.append(worker_sigkill(srv))
            ok, failed = ok + c["ok"], failed + c["failed"]
    name = "recovery: worker SIGKILL → serving again"
    rows.append(row(name, f"p50 over {FAULT_RUNS}", round(p50(restarts)), BASELINE, "never", "ms"))
    rows.append(row(name, "failed requests", f"{failed} of {ok + failed}", BASELINE,
                    "all after the kill", "requests"))  # fmt: skip

    with workspace("hello_ext") as root:
        args = ("--DevServer.reload_timeout=2", "--stop-timeout=2")
        with _devserver(root, free_port(), *args) as srv, steady(srv) as c:
            fixes = [hang_then_fix(srv, root, i) for i in range(FAULT_RUNS)]
    name = "recovery: import hangs → saved fix served"
    rows.append(row(name, f"p50 over {FAULT_RUNS}", round(p50(fixes)), BASELINE, "n/a", "ms"))
    rows.append(row(name, "failed requests", f"{c['failed']} of {c['ok'] + c['failed']}",
                    BASELINE, "n/a", "requests"))  # fmt: skip

    ours, base = [], []
    for _ in range(FAULT_RUNS):
        with workspace("hello_ext") as root, _devserver(root, free_port()) as srv:
            ours.append(kill_and_count_leftovers(srv))
        with workspace("hello_ext") as root, _jupyter(root, free_port()) as srv:
            base.append(kill_and_count_leftovers(srv))
    name = "recovery: server SIGKILL → worker and kernel gone"
    rows.append(row(name, f"p50 over {FAULT_RUNS}", round(p50([o[0] for o in ours])), BASELINE,
                    round(p50([b[0] for b in base])), "ms"))  # fmt: skip
    rows.append(row(name, "processes left after 10 s", sum(o[1] for o in ours), BASELINE,
                    sum(b[1] for b in base), "processes"))  # fmt: skip
    return rows
