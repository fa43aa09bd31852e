"""Talking to a kernel as clients do: over its ZMQ channels from the connection file, and over the
server's websocket; finding kernel processes under the supervisor."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from jupyter_client.blocking.client import BlockingKernelClient
from tornado.httpclient import HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from .conftest import DevServer, alive, children


def kernel_pids(supervisor_pid: int) -> list[int]:
    """The live ipykernel processes started by the supervisor."""
    pids = []
    for pid in children(supervisor_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmdline and alive(pid):
            pids.append(pid)
    return pids


def execute_zmq(connection_file: Path, code: str, timeout: float = 20.0) -> None:
    """Run ``code`` through a BlockingKernelClient; fail on an error reply."""
    client = BlockingKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    client.start_channels(hb=False)  # a loaded machine misses heartbeats; not the point here
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda _: None)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()


def evaluate_ws(server: DevServer, kernel_id: str, expression: str, timeout: float = 20.0) -> str:
    """``expression``'s value as text, evaluated over the server's kernel websocket."""
    return run_ws(server.url, server.token, kernel_id, "", expression, timeout)


def run_ws(
    url: str, token: str, kernel_id: str, code: str, expression: str = "None", timeout: float = 20.0
) -> str:
    """Run ``code`` on the kernel over the websocket at ``url``; ``expression``'s value as text."""
    return asyncio.run(_run_ws(url, token, kernel_id, code, expression, timeout))


async def _run_ws(
    url: str, token: str, kernel_id: str, code: str, expression: str, timeout: float
) -> str:
    ws_url = url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
    request = HTTPRequest(ws_url, headers={"Authorization": f"token {token}"})
    conn = await asyncio.wait_for(websocket_connect(request), timeout)
    msg_id = uuid.uuid4().hex
    conn.write_message(json.dumps(_execute_request(msg_id, code, expression)))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
            assert raw is not None, "the websocket closed"
            msg = json.loads(raw)
            if msg["msg_type"] == "execute_reply" and msg["parent_header"]["msg_id"] == msg_id:
                content = msg["content"]
                assert content["status"] == "ok", content
                return str(content["user_expressions"]["value"]["data"]["text/plain"])
    finally:
        await close_websocket(conn)
    raise AssertionError("no execute_reply")


async def close_websocket(conn: WebSocketClientConnection) -> None:
    """Close ``conn`` and read until the server's close frame, so that the socket is closed
    before the event loop ends (else it is reported unclosed when collected, at any later time)."""
    conn.close()
    with contextlib.suppress(TimeoutError):
        while await asyncio.wait_for(conn.read_message(), 5) is not None:
            pass


def _execute_request(msg_id: str, code: str, expression: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": uuid.uuid4().hex,
            "username": "test",
            "version": "5.3",
            "date": "",
        },
        "parent_header": {},
        "metadata": {},
        "channel": "shell",
        "content": {
            "code": code,
            "silent": False,
            "store_history": False,
            "user_expressions": {"value": expression},
            "allow_stdin": False,
        },
    }


class RefusalWatch:
    """Polls the server from a thread and records every request that was not answered 200."""

    def __init__(self, server: DevServer) -> None:
        self.server = server
        self.failures: list[str] = []
        self.answered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RefusalWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        with httpx.Client(
            base_url=self.server.url,
            headers={"Authorization": f"token {self.server.token}"},
            timeout=20,
        ) as client:
            while not self._stop.is_set():
                try:
                    status = client.get("api/kernels").status_code
                except httpx.HTTPError as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                else:
                    self.answered += 1
                    if status != 200:
                        self.failures.append(f"HTTP {status}")
                self._stop.wait(0.02)
