"""Kernels that outlive the worker: the worker's end of the supervisor's kernel channel.

Every kernel is started by the supervisor (``devserver.supervisor.kernels``), so a worker restart
does not end it. This module gives jupyter_server what it needs to use such kernels:

- ``SupervisedProvisioner``: a jupyter_client kernel provisioner (``LocalProvisioner`` with the
  launch done by the supervisor, and exits reported by it), so starting, interrupting, restarting
  and shutting down a kernel through the REST API work as before;
- ``KeptKernelManager``: the ``ServerKernelManager`` that gives each new kernel that provisioner;
- ``SupervisorLink``: requests to the supervisor, and its notices (a kernel exited; this stop is
  the last one).

Adopting the kernels of the previous worker and leaving them behind at a stop is in
``devserver.agent.adopt``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import signal
import socket
import uuid

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

from devserver.kernel_messages import KernelReply, WorkerRequest, for_worker
from devserver.protocol import encode, read_message

log = logging.getLogger("devserver.agent")


class KernelChannelError(RuntimeError):
    """The supervisor refused a request or is gone."""


class SupervisorLink:
    """Requests to the supervisor over the kernel channel, and its notices."""

    def __init__(self, fd: int) -> None:
        self._sock = socket.socket(fileno=fd)
        self._sock.setblocking(False)
        self._writer: asyncio.StreamWriter | None = None
        self._replies: dict[int, asyncio.Future[KernelReply]] = {}
        self._ids = itertools.count(1)
        self._exits: dict[int, int] = {}
        self._exit_waiters: dict[int, list[asyncio.Future[int]]] = {}
        self._task: asyncio.Task[None] | None = None
        #: Set when the supervisor said this stop is its last: kernels are shut down, not kept.
        self.final = False

    async def open(self) -> None:
        reader, self._writer = await asyncio.open_unix_connection(sock=self._sock)
        self._task = asyncio.ensure_future(self._read(reader))

    async def request(self, message: WorkerRequest, timeout: float = 30.0) -> KernelReply:
        if self._writer is None or self._writer.is_closing():
            raise KernelChannelError("the supervisor's kernel channel is closed")
        request_id = next(self._ids)
        future: asyncio.Future[KernelReply] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = future
        self._writer.write(encode({**message, "id": request_id}))
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise KernelChannelError(reply["error"])
        return reply

    def exit_code(self, pid: int) -> int | None:
        """The exit code of a kernel process the supervisor reaped; None while it runs."""
        return self._exits.get(pid)

    async def wait_exit(self, pid: int) -> int:
        if pid in self._exits:
            return self._exits[pid]
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._exit_waiters.setdefault(pid, []).append(future)
        return await future

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while (message := await read_message(reader)) is not None:
            if not for_worker(message):
                log.warning("devserver: ignoring a kernel channel message: %r", message)
            elif message["op"] == "reply":
                future = self._replies.pop(message["id"] or 0, None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif message["op"] == "exited":
                self._exited(message["pid"], message["code"])
            elif message["op"] == "final":
                self.final = True
                assert self._writer is not None
                self._writer.write(encode({"op": "reply", "id": message.get("id")}))
        for future in self._replies.values():
            if not future.done():
                future.set_exception(KernelChannelError("the supervisor went away"))

    def _exited(self, pid: int, code: int) -> None:
        self._exits[pid] = code
        for future in self._exit_waiters.pop(pid, []):
            if not future.done():
                future.set_result(code)


def find_link(obj: object) -> SupervisorLink | None:
    """The link of the ServerApp above ``obj`` in its traitlets parents, if it has one."""
    while obj is not None:
        link = getattr(obj, "kernel_link", None)
        if isinstance(link, SupervisorLink):
            return link
        obj = getattr(obj, "parent", None)
    return None


class SupervisedProvisioner(LocalProvisioner):
    """A LocalProvisioner whose kernel process is started and reaped by the supervisor."""

    @property
    def link(self) -> SupervisorLink:
        link = find_link(self.parent)
        if link is None:
            raise KernelChannelError("no kernel channel to the supervisor")
        return link

    def adopt(self, pid: int, connection_info: KernelConnectionInfo, cwd: str | None) -> None:
        """Take over a running kernel process started for an earlier worker."""
        self.pid = self.pgid = pid
        self.connection_info = connection_info
        self.cwd = cwd
        # Its ports are taken: a restart reuses them and its connection file, as
        # LocalProvisioner does for a kernel it launched (new ports would race the new process
        # reading the old file).
        self.ports_cached = True

    @property
    def has_process(self) -> bool:
        return self.pid is not None and self.link.exit_code(self.pid) is None

    async def poll(self) -> int | None:
        return 0 if self.pid is None else self.link.exit_code(self.pid)

    async def wait(self) -> int | None:
        if self.pid is None:
            return 0
        code = await self.link.wait_exit(self.pid)
        self.pid = self.pgid = None
        return code

    async def send_signal(self, signum: int) -> None:
        """To the kernel's process group (it leads one), as LocalProvisioner does."""
        if self.pid is not None and self.has_process:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)

    async def launch_kernel(self, cmd: list[str], **kwargs: object) -> KernelConnectionInfo:
        km = self.parent
        cwd = kwargs.get("cwd")
        env = kwargs.get("env")
        reply = await self.link.request(
            {
                "op": "launch",
                "kernel_id": self.kernel_id,
                "kernel_name": str(getattr(km, "kernel_name", "")),
                "argv": list(cmd),
                "env": dict(env if isinstance(env, dict) else os.environ),
                "cwd": str(cwd) if cwd else None,
                "connection_file": str(getattr(km, "connection_file", "")),
            }
        )
        if "pid" not in reply:
            raise KernelChannelError("the supervisor's launch reply has no pid")
        self.pid = self.pgid = reply["pid"]
        self.cwd = cwd or os.getcwd()
        return self.connection_info


class KeptKernelManager(ServerKernelManager):
    """A ServerKernelManager whose kernels the supervisor starts, so they outlive the worker.
    A kernel spec that names a provisioner of its own keeps it (and is not kept)."""

    async def _async_pre_start_kernel(
        self, *, transport_encryption: str | None = None, **kw: object
    ) -> tuple[list[str], dict[str, object]]:
        self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
        spec = self.kernel_spec
        named = spec is not None and spec.metadata.get("kernel_provisioner")
        if self.provisioner is None and not named and find_link(self) is not None:
            self.provisioner = SupervisedProvisioner(
                kernel_id=self.kernel_id, kernel_spec=spec, parent=self
            )
        return await super()._async_pre_start_kernel(
            transport_encryption=transport_encryption, **kw
        )
