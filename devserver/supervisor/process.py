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

from devserver.protocol import (
    SPEC_ENV,
    STANDBY_ENV,
    SUPERVISOR_ENV,
    WorkerSpec,
    encode,
    read_message,
)

log = logging.getLogger("devserver")


class WorkerGone(Exception):
    """The worker exited or closed its control channel before answering."""


#: Seconds to write one request into the channel; a worker that reads nothing for this long
#: (stopped, or its loop blocked) is not answering.
WRITE_TIMEOUT = 10.0


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
        #: Set when the control channel ended: the worker closed it, or it carried garbage.
        self.channel_closed = asyncio.Event()
        #: Why the channel ended, for the restart's reason.
        self.channel_error: str | None = None
        #: Set when the supervisor stops this worker on purpose (so it is no crash).
        self.stopped = False
        #: A standby worker's end of the pipe its spec goes through.
        self.spec_pipe: int | None = None

    @classmethod
    async def launch(
        cls, spec: WorkerSpec, token: str, kernels_end: socket.socket, standby: bool = False
    ) -> WorkerProcess:
        """A started worker serving with ``token``, its kernel channel ``kernels_end`` (closed
        here once inherited); a ``standby`` one waits for its spec."""
        worker = cls(
            replace(spec, kernels_fd=kernels_end.fileno()), {**os.environ, "JUPYTER_TOKEN": token}
        )
        try:
            await worker.start(standby)
        finally:
            kernels_end.close()
        return worker

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self, standby: bool = False) -> None:
        """Start the process. A ``standby`` one imports jupyter_server, then waits for its
        spec (``devserver.supervisor.standby``), so a restart does not wait for the imports."""
        parent, child = socket.socketpair()
        spec = self.spec = replace(self.spec, control_fd=child.fileno())
        env, fds = dict(self._env), [spec.listen_fd, child.fileno(), spec.kernels_fd]
        # Before any spec (a standby worker gets its own later): the worker ends with us.
        env[SUPERVISOR_ENV] = str(os.getpid())
        if standby:
            spec_read, self.spec_pipe = os.pipe()
            fds.append(spec_read)
            env[STANDBY_ENV] = str(spec_read)
        else:
            env[SPEC_ENV] = spec.to_env()
        worker = (sys.executable, "-m", "devserver.agent")
        self.proc = await asyncio.create_subprocess_exec(
            *worker,
            pass_fds=tuple(f for f in fds if f >= 0),
            env=env,
            # Its own session: a Ctrl-C in the terminal reaches the supervisor only; the worker
            # is stopped with SIGTERM (SIGINT makes ServerApp prompt for confirmation).
            start_new_session=True,
        )
        child.close()
        if standby:
            os.close(spec_read)
        await self.open_channel(parent)

    async def configure(self, spec: WorkerSpec) -> bool:
        """Hand a standby worker its spec (the descriptors it was started with stay); False if
        it is gone."""
        fd, self.spec_pipe = self.spec_pipe, None
        if fd is None or not self.running:
            return False
        self.spec = replace(
            spec,
            listen_fd=self.spec.listen_fd,
            control_fd=self.spec.control_fd,
            kernels_fd=self.spec.kernels_fd,
        )
        try:
            await asyncio.to_thread(_write_all, fd, self.spec.to_env().encode())
        except OSError:
            return False
        return True

    async def open_channel(self, sock: socket.socket) -> None:
        """Talk to the worker over ``sock``, the supervisor's end of the socket pair."""
        reader, self._writer = await asyncio.open_unix_connection(sock=sock)
        self._reader_task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        """Dispatch the worker's messages until the channel ends; then fail every waiting
        request at once, whatever ended it (a request never waits for a reply that cannot come)."""
        reason = "the worker closed its control channel"
        try:
            while (message := await read_message(reader)) is not None:
                self._dispatch(message)
        # Whatever ends the channel is reported and the worker restarted, not swallowed.
        except Exception as exc:  # noqa: BLE001 - a broken channel is a dead worker
            reason = f"the control channel broke: {type(exc).__name__}: {exc}"
            log.error("%s", reason)
            self.channel_error = reason
        finally:
            self.channel_closed.set()
            for future in self._replies.values():
                if not future.done():
                    future.set_exception(WorkerGone(reason))
            self._replies.clear()
            if self._writer is not None:
                self._writer.close()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message["op"] == "ready":
            self.ready_info = message
            self._ready.set()
        elif message["op"] == "reply":
            future = self._replies.pop(int(message["id"]), None)
            if future is not None and not future.done():
                future.set_result(message)
        else:
            log.warning(
                "ignoring a control message the supervisor does not know: %r", message["op"]
            )

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

    async def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send a request and wait at most ``timeout`` seconds for its reply (``TimeoutError``);
        ``WorkerGone`` if the channel is or goes down first."""
        if self._writer is None or self._writer.is_closing() or self.channel_closed.is_set():
            raise WorkerGone(self.channel_error or "no control channel")
        request_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        try:
            self._writer.write(encode({"id": request_id, **message}))
            await asyncio.wait_for(self._writer.drain(), min(timeout, WRITE_TIMEOUT))
            return await asyncio.wait_for(future, timeout)
        finally:
            self._replies.pop(request_id, None)

    async def wait(self) -> int:
        assert self.proc is not None
        return await self.proc.wait()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self, timeout: float) -> int | None:
        """Stop on purpose (no crash): SIGTERM, wait ``timeout``; then SIGKILL, wait."""
        self.stopped = True
        return await self.terminate(timeout)

    async def terminate(self, timeout: float) -> int | None:
        """SIGTERM, wait ``timeout``; then SIGKILL, wait. Logs each branch."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            log.info("stopping worker %s (SIGTERM)", self.proc.pid)
            self._signal(signal.SIGTERM)
            self._signal(signal.SIGCONT)  # a stopped worker would never see the SIGTERM
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
            await self._reader_task  # it ends with the channel and catches what ends the channel


def _write_all(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
