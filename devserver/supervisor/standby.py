"""A standby worker: started ahead of need, it imports jupyter_server and waits for its spec on
a pipe, so a restart does not wait for those imports (about a second of the worker's start).

It is started once a worker serves, and used by the next restart, unless something it may have
imported differently changed since (an editable install), or it died: then a fresh process is
started as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from devserver.protocol import WorkerSpec

if TYPE_CHECKING:
    from .process import WorkerProcess

log = logging.getLogger("devserver")


def standby_pipe(worker: WorkerProcess) -> int:
    """A pipe for ``worker``'s spec: returns the end the process inherits."""
    read, worker.spec_pipe = os.pipe()
    return read


async def configure(worker: WorkerProcess, spec: WorkerSpec) -> bool:
    """Hand a standby worker its spec (the descriptors it was started with stay); False if it
    is gone."""
    fd, worker.spec_pipe = worker.spec_pipe, None
    if fd is None or not worker.running:
        return False
    worker.spec = replace(
        spec,
        listen_fd=worker.spec.listen_fd,
        control_fd=worker.spec.control_fd,
        kernels_fd=worker.spec.kernels_fd,
    )
    try:
        await asyncio.to_thread(_write_all, fd, worker.spec.to_env().encode())
    except OSError:
        return False
    return True


def _write_all(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class Standby:
    """At most one standby worker, and what it was started after (the number of installs)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.worker: WorkerProcess | None = None
        self._installs = -1

    async def prepare(self, start: Callable[[], Awaitable[WorkerProcess]], installs: int) -> None:
        if self.enabled and self.worker is None:
            self.worker = await start()
            self._installs = installs

    async def take(self, spec: WorkerSpec, installs: int, timeout: float) -> WorkerProcess | None:
        """The standby worker configured with ``spec``; None if there is none fit to use."""
        worker, self.worker = self.worker, None
        if worker is None:
            return None
        if installs == self._installs and await configure(worker, spec):
            return worker
        await worker.stop(timeout)
        return None

    async def stop(self, timeout: float) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            if worker.spec_pipe is not None:
                with contextlib.suppress(OSError):
                    os.close(worker.spec_pipe)  # end of file: the standby exits on its own
            await worker.stop(timeout)
