"""Kernel processes the supervisor starts for its workers, so they outlive any one worker.

A worker's kernel provisioner (``devserver.agent.kernels``) asks, over a private socket pair,
"launch this argv/env/cwd"; the supervisor starts the process with ``JPY_PARENT_PID`` set to its
own pid (ipykernel's parent poller then ends the kernel when the supervisor dies, SIGKILL
included), in a session of its own, reaps it, and keeps a table of kernel id → pid. The next
worker asks for the table and adopts every kernel still running. A kernel that exits while no
worker is connected is dropped from the table and reported.

Framed JSON objects in both directions (``devserver.protocol.encode``/``read_message``)::

    worker → supervisor   {"op": "launch", "id": 1, "kernel_id", "kernel_name", "argv", "env",
                                "cwd", "connection_file"}      → {"op": "reply", "id": 1, "pid"}
                          {"op": "list", "id": 2}          → {"op": "reply", "id": 2, "kernels",
                                                               "dropped"}
                          {"op": "detach", "id": 3, "kernels": {id: state}, "terminals": n}
    supervisor → worker   {"op": "exited", "kernel_id", "pid", "code"}
                          {"op": "final", "id": 4}         → {"op": "reply", "id": 4}
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
import socket
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devserver.kernel_messages import (
    DroppedKernel,
    ExitedNotice,
    FinalRequest,
    KernelJson,
    KernelReply,
    LaunchRequest,
    ToSupervisor,
    for_supervisor,
)
from devserver.protocol import ChannelError, encode, read_message
from devserver.runtime import runtime_folder

log = logging.getLogger("devserver")


@dataclass
class KernelLink:
    """The supervisor's end of one worker's kernel channel."""

    writer: asyncio.StreamWriter
    replies: dict[int, asyncio.Future[KernelReply]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, message: KernelReply | FinalRequest | ExitedNotice) -> None:
        if not self.writer.is_closing():
            self.writer.write(encode(message))

    async def request(self, message: FinalRequest, timeout: float) -> KernelReply:
        request_id = next(self.ids)
        future: asyncio.Future[KernelReply] = asyncio.get_running_loop().create_future()
        self.replies[request_id] = future
        self.send({**message, "id": request_id})
        return await asyncio.wait_for(future, timeout)


class KernelHost:
    """The table of kernels and the processes behind it."""

    def __init__(self) -> None:
        #: The kernels by id, as ``list`` tells them (``state``: what the last worker knew when
        #: it detached).
        self.kernels: dict[str, KernelJson] = {}
        self.procs: dict[int, asyncio.subprocess.Process] = {}
        #: Kernels that exited while no worker was there to see it, not yet reported to one.
        self.dropped: list[DroppedKernel] = []
        #: Terminals the last worker had open when it stopped (they are not kept).
        self.terminals_closed = 0
        #: The channel of the worker that owns the kernels now (the one that listed them last).
        self.link: KernelLink | None = None
        self._released = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the channel -------------------------------------------------------------------------
    def connect(self) -> socket.socket:
        """A new channel for the next worker; returns the end the worker inherits."""
        ours, theirs = socket.socketpair()
        self._spawn(self._serve(ours))
        theirs.set_inheritable(True)
        return theirs

    async def _serve(self, sock: socket.socket) -> None:
        reader, writer = await asyncio.open_unix_connection(sock=sock)
        link = KernelLink(writer)
        try:
            while (message := await read_message(reader)) is not None:
                if not for_supervisor(message):
                    error = f"unknown op or missing fields: {sorted(message)}"
                    link.send({"op": "reply", "id": _id_of(message), "error": error})
                elif message["op"] == "reply":
                    future = link.replies.pop(message["id"] or 0, None)
                    if future is not None and not future.done():
                        future.set_result(message)
                else:
                    link.send(await self._handle(message, link))
        except (ConnectionError, ValueError, ChannelError) as exc:
            log.warning("kernel channel of the worker closed: %s", exc)
        finally:
            if self.link is link:
                self.link = None
                self._released.set()
            for future in link.replies.values():
                future.cancel()
            writer.close()

    async def _handle(self, message: ToSupervisor, link: KernelLink) -> KernelReply:
        reply = KernelReply(op="reply", id=message.get("id"))
        if message["op"] == "launch":
            try:
                reply["pid"] = await self.launch(message)
            except OSError as exc:
                reply["error"] = f"cannot start the kernel: {exc}"
        elif message["op"] == "list":
            await self._take_over(link)
            reply["dropped"], self.dropped = self.dropped, []
            reply["terminals"], self.terminals_closed = self.terminals_closed, 0
            reply["kernels"] = [r.copy() for r in self.kernels.values()]
            for record in self.kernels.values():
                record["state"] = {}  # told once: after a crash, the state is no one's to tell
        elif message["op"] == "detach":
            for kernel_id, state in message["kernels"].items():
                if kernel_id in self.kernels:
                    self.kernels[kernel_id]["state"] = state
            self.terminals_closed = message["terminals"]
        return reply

    async def _take_over(self, link: KernelLink) -> None:
        """Make ``link`` the owner once the previous owner's channel closed (its process
        exited), so a kernel it started while stopping is in the list."""
        while self.link is not None and self.link is not link:
            self._released.clear()
            await self._released.wait()
        self.link = link

    async def final(self, timeout: float = 5.0) -> None:
        """Tell the connected worker that this stop is the last one: it shuts its kernels down
        (politely, through jupyter_client) instead of leaving them for the next worker."""
        if self.link is None or not self.kernels:
            return
        with contextlib.suppress(TimeoutError, asyncio.CancelledError, ConnectionError):
            await self.link.request({"op": "final"}, timeout)

    # -- the processes -----------------------------------------------------------------------
    async def launch(self, message: LaunchRequest) -> int:
        env = {str(k): str(v) for k, v in message["env"].items()}
        # ipykernel's ParentPollerUnix: the kernel ends as soon as its parent (we) is gone.
        env["JPY_PARENT_PID"] = str(os.getpid())
        cwd = message["cwd"]
        proc = await asyncio.create_subprocess_exec(
            *message["argv"],
            env=env,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            # Its own process group: a Ctrl-C in the terminal reaches the supervisor only, and
            # an interrupt reaches the kernel and what it started.
            start_new_session=True,
        )
        record = KernelJson(
            kernel_id=str(message["kernel_id"]),
            kernel_name=message["kernel_name"],
            pid=proc.pid,
            connection_file=str(message["connection_file"]),
            argv=[str(a) for a in message["argv"]],
            env={k: v for k, v in env.items() if k != "JPY_PARENT_PID"},
            cwd=cwd,
            started=time.time(),
            state={},
        )
        self.kernels[record["kernel_id"]] = record
        self.procs[proc.pid] = proc
        self._spawn(self._reap(record, proc))
        return proc.pid

    async def _reap(self, record: KernelJson, proc: asyncio.subprocess.Process) -> None:
        code = await proc.wait()
        self.procs.pop(proc.pid, None)
        current = self.kernels.get(record["kernel_id"])
        if current is not None and current["pid"] == proc.pid:
            del self.kernels[record["kernel_id"]]
        else:
            current = None  # restarted under the same id: the table already has the new one
        if self.link is not None:
            self.link.send(
                {"op": "exited", "kernel_id": record["kernel_id"], "pid": proc.pid, "code": code}
            )
        elif current is not None:
            log.warning(
                "kernel %s (pid %s) exited with code %s while no worker was running: dropped",
                record["kernel_id"],
                proc.pid,
                code,
            )
            self.dropped.append({"kernel_id": record["kernel_id"], "pid": proc.pid, "code": code})
            Path(record["connection_file"]).unlink(missing_ok=True)

    async def stop_all(self, timeout: float) -> None:
        """SIGTERM every kernel still running, wait ``timeout``; then SIGKILL. Their connection
        files go with them."""
        if not self.procs:
            return
        records = list(self.kernels.values())  # reaping takes them out of the table
        log.info("stopping %d kernel(s) (SIGTERM)", len(self.procs))
        self._signal_all(signal.SIGTERM)
        waits = [p.wait() for p in list(self.procs.values())]
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout)
        except TimeoutError:
            log.warning("kernels still running after %.0f s: SIGKILL", timeout)
            self._signal_all(signal.SIGKILL)
            await asyncio.gather(*(p.wait() for p in list(self.procs.values())))
        for record in records:
            Path(record["connection_file"]).unlink(missing_ok=True)
        self.kernels.clear()

    async def close(self) -> None:
        """End the channels (after ``stop_all``)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _signal_all(self, sig: signal.Signals) -> None:
        for pid in list(self.procs):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, sig)

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _id_of(message: Mapping[str, object]) -> int | None:
    request_id = message.get("id")
    return request_id if isinstance(request_id, int) else None


def private_folder() -> Path:
    """``devserver-<pid>.d`` in Jupyter's runtime folder, readable by its owner only: the
    session table lives there."""
    folder = runtime_folder() / f"devserver-{os.getpid()}.d"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def describe_kept(kept: Mapping[str, object]) -> list[str]:
    """The restart's lines about kernels, sessions and terminals, from the ``kept`` of the
    worker's ``ready`` message (``KeptJson``; what is missing or malformed counts as none).

    >>> describe_kept({"kernels": ["k1"], "sessions": 1, "dropped": [], "terminals_closed": 2})
    ['kept 1 kernel and 1 session across the restart; 2 terminals closed (terminals are not kept)']
    >>> describe_kept({"kernels": [], "sessions": 0, "dropped": ["kernel k2 exited"]})
    ['kept 0 kernels and 0 sessions across the restart', 'dropped: kernel k2 exited']
    """
    kernels, sessions = len(_list(kept, "kernels")), _count(kept, "sessions")
    line = (
        f"kept {kernels} kernel{'s' * (kernels != 1)} and {sessions} "
        f"session{'s' * (sessions != 1)} across the restart"
    )
    terminals = _count(kept, "terminals_closed")
    if terminals:
        line += f"; {terminals} terminal{'s' * (terminals != 1)} closed (terminals are not kept)"
    return [line, *(f"dropped: {d}" for d in _list(kept, "dropped"))]


def _list(data: Mapping[str, object], key: str) -> list[object]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _count(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) else 0
