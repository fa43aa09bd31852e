"""Worker restarts: how soon the server serves again, and how soon a kernel runs code again.

The dev server is restarted by editing a config JSON (a change that cannot be hot-reloaded), with
its standby worker and with ``--no-standby`` (each worker started from scratch, as before the
standby existed); the baseline, ``jupyter server --autoreload``, by editing a handler module (the
only change it restarts on). After each edit: the milliseconds until ``/api/status`` reports a
new server start ("serving"), then until ``1+1`` runs on a kernel over the server's websocket
("kernel usable"). The dev server keeps its kernel; the baseline loses it, so a new one is
started, as its user would have to. ``BENCH_RESTARTS`` sets the count (default 10), and
``BENCH_SETTLE`` the seconds between restarts (default 3), which are not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

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

RESTARTS = int(os.environ.get("BENCH_RESTARTS", "10"))
CONFIG = "extensions/hello_ext/jupyter-config/jupyter_server_config.d/hello_ext.json"
HANDLER = "extensions/hello_ext/hello_ext/handlers.py"
BASELINE = "jupyter server --autoreload"
#: Seconds between restarts (not counted): time for the next standby worker to import.
SETTLE = float(os.environ.get("BENCH_SETTLE", "3"))


def started(srv: Server) -> Any:
    return srv.client.get("api/status").json()["started"]


def evaluate(srv: Server, kernel_id: str, timeout: float = 30.0) -> None:
    """Run ``1+1`` on the kernel over the server's websocket, as a notebook page does."""
    asyncio.run(_evaluate(srv, kernel_id, timeout))


async def _evaluate(srv: Server, kernel_id: str, timeout: float) -> None:
    url = srv.url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
    request = HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"})
    conn = await asyncio.wait_for(websocket_connect(request), timeout)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "session": msg_id,
              "username": "bench", "version": "5.3", "date": ""}  # fmt: skip
    content = {"code": "1+1", "silent": False, "store_history": False,
               "user_expressions": {}, "allow_stdin": False}  # fmt: skip
    conn.write_message(
        json.dumps({"header": header, "parent_header": {}, "metadata": {},
                    "content": content, "channel": "shell"})
    )  # fmt: skip
    try:
        while True:
            raw = await asyncio.wait_for(conn.read_message(), timeout)
            if raw is None:
                raise ConnectionError("the websocket closed")
            msg = json.loads(raw)
            if msg["msg_type"] == "execute_reply" and msg["parent_header"]["msg_id"] == msg_id:
                return
    finally:
        conn.close()
        with contextlib.suppress(TimeoutError):
            while await asyncio.wait_for(conn.read_message(), 5) is not None:
                pass


def new_kernel(srv: Server) -> str:
    return str(srv.client.post("api/kernels", json={"name": "python3"}).json()["id"])


def measure(srv: Server, path: Path, edit: str, settle: float = 0.0) -> dict[str, Any]:
    kernel = new_kernel(srv)
    evaluate(srv, kernel)
    serving, usable, kept = [], [], 0
    original = path.read_text()
    for i in range(RESTARTS):
        time.sleep(settle)
        before = started(srv)
        began = time.perf_counter()
        path.write_text(original + edit * (i + 1))
        poll(lambda before=before: started(srv) != before, timeout=60)
        serving.append((time.perf_counter() - began) * 1000)
        ids = [k["id"] for k in srv.client.get("api/kernels").json()]
        kept += kernel in ids
        kernel = kernel if kernel in ids else new_kernel(srv)
        evaluate(srv, kernel)
        usable.append((time.perf_counter() - began) * 1000)
    return {"serving": serving, "usable": usable, "kept": kept}


def run_devserver(*extra: str) -> dict[str, Any]:
    with workspace("hello_ext") as root:
        port = free_port()
        with server(devserver_cmd(root, port, *extra), root, port, isolated_env(root)) as srv:
            # Edits come seconds apart: the standby started after a restart has imported by then.
            return measure(srv, root / CONFIG, " ", settle=SETTLE)


def run_baseline() -> dict[str, Any]:
    with workspace("hello_ext") as root:
        port = free_port()
        env = isolated_env(root, {"PYTHONPATH": str(root / "extensions" / "hello_ext")})
        cmd = jupyter_cmd(
            root, port, "--autoreload", "--ServerApp.jpserver_extensions=hello_ext=True"
        )
        with server(cmd, root, port, env) as srv:
            # tornado's autoreload ignores an edit made before its first check of a new process.
            return measure(srv, root / HANDLER, "\n", settle=1.0)


def run() -> list[dict[str, Any]]:
    ours, cold, base = run_devserver(), run_devserver("--no-standby"), run_baseline()
    name = "worker restart (config edit)"
    rows = []
    for key, what in (("serving", "edit → serving"), ("usable", "edit → kernel runs 1+1")):
        for q in (50, 95):
            figure = f"{what} p{q} over {RESTARTS}"
            value = round(p50(ours[key]) if q == 50 else percentile(ours[key], q), 1)
            for label, other in (("devserver --no-standby", cold), (BASELINE, base)):
                theirs = p50(other[key]) if q == 50 else percentile(other[key], q)
                rows.append(row(name, figure, value, label, round(theirs, 1), "ms"))
    for label, other in (("devserver --no-standby", cold), (BASELINE, base)):
        figure = f"kernels kept over {RESTARTS} restarts"
        rows.append(row(name, figure, ours["kept"], label, other["kept"], "restarts"))
    return rows
