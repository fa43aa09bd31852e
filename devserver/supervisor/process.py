"""One worker process and the supervisor's end of its control
channel. Starting, talking to and stopping a worker; nothing about when to do so."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
import socket
import sys
from dataclasses import replace
from typing import Any

from devserver.protocol import SPEC_ENV, STANDBY_ENV, WorkerSpec, decode, encode

from .standby import standby_pipe

log = logging.getLogger("devserver")


class WorkerGone(Exception):
    """The worker exited or closed its control channel before answering."""


class WorkerProcess:
    """A running ``python -m devserver.agent`` child."""

    def __init__(self, spec: WorkerSpec, env: dict[str, str]) -> None:
        self.spec = spec
        self._env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.ready_info: dict[str, Any] | None = None
        self._ready = asyncio.Event()
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        #: Set when the supervisor stops this worker on purpose (so it is no crash).
        self.stopped = False
        #: A standby worker's end of the pipe its spec goes through.
        self.spec_pipe: int | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self, standby: bool = False) -> None:
        """Start the process. A ``standby`` one imports jupyter_server, then waits for its
        spec (``devserver.supervisor.standby``), so a restart does not wait for the imports."""
        parent, child = socket.socketpair()
        spec = self.spec = replace(self.spec, control_fd=child.fileno())
        env, fds = dict(self._env), [spec.listen_fd, child.fileno(), spec.kernels_fd]
        if standby:
            fds.append(spec_read := standby_pipe(self))
            env[STANDBY_ENV] = str(spec_read)
        else:
            env[SPEC_ENV] = spec.to_env()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "devserver.agent",
            pass_fds=tuple(f for f in fds if f >= 0),
            env=env,
            # Its own session: a Ctrl-C in the terminal reaches the supervisor only; the worker
            # is stopped with SIGTERM (SIGINT makes ServerApp prompt for confirmation).
            start_new_session=True,
        )  # fmt: skip
        child.close()
        if standby:
            os.close(spec_read)
        reader, self._writer = await asyncio.open_unix_connection(sock=parent)
        self._reader_task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            message = decode(line)
            if message["op"] == "ready":
                self.ready_info = message
                self._ready.set()
            elif message["op"] == "reply":
                future = self._replies.pop(int(message["id"]), None)
                if future is not None and not future.done():
                    future.set_result(message)
        for future in self._replies.values():
            if not future.done():
                future.set_exception(WorkerGone("the worker closed its control channel"))
        self._replies.clear()

    async def wait_ready(self, timeout: float) -> bool:
        """True once the worker serves; False if it exited or timed out first."""
        assert self.proc is not None
        ready = asyncio.ensure_future(self._ready.wait())
        exited = asyncio.ensure_future(self.proc.wait())
        done, _ = await asyncio.wait(
            {ready, exited}, timeout=timeout, return_when="FIRST_COMPLETED"
        )
        for task in (ready, exited):
            if task not in done:
                task.cancel()
        return ready in done

    async def request(self, message: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
        """Send a request and wait for its reply."""
        if self._writer is None or self._writer.is_closing():
            raise WorkerGone("no control channel")
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        self._writer.write(encode({"id": request_id, **message}))
        await self._writer.drain()
        return await asyncio.wait_for(future, timeout)

    async def wait(self) -> int:
        assert self.proc is not None
        return await self.proc.wait()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self, timeout: float) -> int | None:
        """SIGTERM, wait ``timeout``; then SIGKILL, wait. Logs each branch."""
        self.stopped = True
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            log.info("stopping worker %s (SIGTERM)", self.proc.pid)
            self._signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                log.warning("worker %s still running after %.0f s: SIGKILL", self.proc.pid, timeout)
                self._signal(signal.SIGKILL)
                await self.proc.wait()
        await self._close()
        return self.proc.returncode

    def _signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, sig)

    async def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._reader_task is not None:
            with contextlib.suppress(Exception):
                await self._reader_task
