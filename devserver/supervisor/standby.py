"""A standby worker: started ahead of need, it imports jupyter_server and waits for its spec on
a pipe, so a restart does not wait for those imports (about a second of the worker's start).

It is started once a worker serves (the first one at once, by ``boot``), and used by the next
start, unless something it may have imported differently changed since (an install that changed
a dependency), or it died: then a fresh process is started as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Awaitable, Callable

from devserver.protocol import WorkerSpec

from .process import WorkerProcess

log = logging.getLogger("devserver")


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
        if installs == self._installs and await worker.configure(spec):
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
