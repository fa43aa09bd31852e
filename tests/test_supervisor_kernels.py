"""The supervisor's kernel table against real processes, driven over its channel as a worker
would (a sleeping Python process stands in for a kernel: the table does not care)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from devserver.protocol import encode, read_message
from devserver.supervisor.kernels import KernelHost, describe_kept

from .conftest import alive

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


class FakeWorker:
    """The worker's end of the kernel channel: requests out, notices in."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.notices: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.ids = itertools.count(1)

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_unix_connection(sock=self.sock)

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        self.writer.write(encode({"op": op, "id": next(self.ids), **fields}))
        while True:
            message = await self._next()
            if message["op"] == "reply":
                return message
            await self.notices.put(message)

    async def notice(self) -> dict[str, Any]:
        if not self.notices.empty():
            return self.notices.get_nowait()
        return await self._next()

    async def _next(self) -> dict[str, Any]:
        message = await asyncio.wait_for(read_message(self.reader), 10)
        assert message is not None, "the channel ended"
        return message

    async def launch(self, kernel_id: str, connection_file: Path) -> int:
        connection_file.write_text("{}")
        reply = await self.request(
            "launch", kernel_id=kernel_id, kernel_name="python3", argv=SLEEPER,
            env={"PATH": os.environ["PATH"]}, cwd=None, connection_file=str(connection_file),
        )  # fmt: skip
        return int(reply["pid"])

    def close(self) -> None:
        self.writer.close()


async def _worker(host: KernelHost) -> FakeWorker:
    worker = FakeWorker(host.connect())
    await worker.open()
    await worker.request("list")  # the worker that lists owns the kernels
    return worker


def test_kernel_is_listed_runs_under_the_supervisor_and_its_exit_is_told(tmp_path: Path) -> None:
    """A launched process is in the list, has JPY_PARENT_PID = the supervisor, and its exit is
    told to the worker and takes it out of the list."""

    async def scenario() -> None:
        host = KernelHost()
        worker = await _worker(host)
        pid = await worker.launch("k1", tmp_path / "k1.json")
        listed = (await worker.request("list"))["kernels"]
        assert [(k["kernel_id"], k["pid"]) for k in listed] == [("k1", pid)]
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"JPY_PARENT_PID={os.getpid()}".encode() in environ
        os.kill(pid, signal.SIGKILL)
        assert await worker.notice() == {"op": "exited", "kernel_id": "k1", "pid": pid, "code": -9}
        assert (await worker.request("list"))["kernels"] == []
        worker.close()
        await host.close()

    asyncio.run(scenario())


def test_exit_while_no_worker_runs_is_dropped_and_reported(tmp_path: Path) -> None:
    """A kernel that exits while no worker is connected leaves the table, loses its connection
    file, and is reported to the next worker once."""

    async def scenario() -> None:
        host = KernelHost()
        first = await _worker(host)
        pid = await first.launch("k1", tmp_path / "k1.json")
        first.writer.close()
        await asyncio.wait_for(_until(lambda: host.link is None), 10)
        os.kill(pid, signal.SIGKILL)
        await asyncio.wait_for(_until(lambda: bool(host.dropped)), 10)
        assert not (tmp_path / "k1.json").exists()
        second = FakeWorker(host.connect())
        await second.open()
        reply = await second.request("list")
        assert reply["kernels"] == []
        assert reply["dropped"] == [{"kernel_id": "k1", "pid": pid, "code": -9}]
        assert (await second.request("list"))["dropped"] == []
        second.close()
        await host.close()

    asyncio.run(scenario())


def test_stop_all_ends_every_kernel_and_its_connection_file(tmp_path: Path) -> None:
    """Stopping the dev server ends the kernels (SIGTERM) and removes their connection files."""

    async def scenario() -> None:
        host = KernelHost()
        worker = await _worker(host)
        pids = [await worker.launch(f"k{i}", tmp_path / f"k{i}.json") for i in range(2)]
        await host.stop_all(timeout=10)
        assert not any(alive(p) for p in pids)
        assert list(tmp_path.glob("*.json")) == []
        worker.close()
        await host.close()

    asyncio.run(scenario())


def test_a_kernel_that_cannot_start_is_an_error_reply(tmp_path: Path) -> None:
    """A launch whose program does not exist answers with the reason instead of failing."""

    async def scenario() -> None:
        host = KernelHost()
        worker = await _worker(host)
        reply = await worker.request(
            "launch", kernel_id="k1", kernel_name="x", argv=[str(tmp_path / "missing")],
            env={}, cwd=None, connection_file=str(tmp_path / "k1.json"),
        )  # fmt: skip
        assert reply["error"].startswith("cannot start the kernel:")
        assert host.kernels == {}
        worker.close()
        await host.close()

    asyncio.run(scenario())


def test_restart_line_counts_kept_kernels_sessions_and_closed_terminals() -> None:
    """The restart line says how many kernels and sessions were kept and terminals closed."""
    kept = {"kernels": ["a", "b"], "sessions": 1, "dropped": ["x"], "terminals_closed": 1}
    assert describe_kept(kept) == [
        "kept 2 kernels and 1 session across the restart; "
        "1 terminal closed (terminals are not kept)",
        "dropped: x",
    ]


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0.01)
