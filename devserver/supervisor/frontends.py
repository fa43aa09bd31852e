"""Every project's frontend, for the supervisor: which are watched, and what the worker is told.

The supervisor holds one ``Frontends``. ``start`` runs a ``FrontendWatch`` for each project
with a JupyterLab frontend (``--frontend=auto|off|watch``); each finished build is sent to the
worker (``{"op": "frontend", ...}``), which keeps it on the extension's record, publishes a
``frontend`` event and so makes open JupyterLab pages reload or show the errors. A new worker
is told the current states again (``resend``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from devserver.errors import ConfigError
from devserver.protocol import FrontendRequest

from .buildlog import BuildState
from .frontend import Frontend, FrontendMode, child_env, detect, package_manager, wanted
from .frontend_watch import FrontendWatch
from .layout import Layout

log = logging.getLogger("devserver")
Send = Callable[[FrontendRequest], Awaitable[None]]


class Frontends:
    """The frontend watches of one supervisor."""

    def __init__(self, mode: FrontendMode, layout: Layout, send: Send, poll: bool) -> None:
        self.mode = mode
        self.send = send
        self.poll = poll
        self.found = [f for p in layout.projects if (f := detect(p.root, p.extensions))]
        self.watches: list[FrontendWatch] = []
        #: Frontends found but not watched, and why (state ``off``).
        self.skipped: list[tuple[Frontend, BuildState]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def output_dirs(self) -> list[Path]:
        """What the builds write: the file watcher leaves these to the build's own events."""
        return [f.output_dir for f in self.found]

    def start(self) -> None:
        """Start watching each frontend, or say in one line why not. ``--frontend=watch``
        makes a frontend that cannot be watched an error (ConfigError)."""
        manager = package_manager()
        if self.mode == "watch" and not self.found:
            raise ConfigError("--frontend=watch: " + str(wanted("watch", None, manager)))
        for frontend in self.found:
            why_not = wanted(self.mode, frontend, manager)
            if why_not is not None and self.mode == "watch":
                raise ConfigError(f"--frontend=watch: frontend {frontend.package}: {why_not}")
            if why_not is not None:
                log.info("frontend %s: %s", frontend.package, why_not)
                self.skipped.append((frontend, BuildState(reason=why_not)))
                continue
            assert manager is not None
            env = child_env(dict(os.environ), self.poll)
            watch = FrontendWatch(frontend, manager, env, self._built)
            self.watches.append(watch)
            task = asyncio.create_task(watch.run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _built(self, frontend: Frontend, state: BuildState) -> None:
        await self.send(message(frontend, state))

    async def resend(self) -> None:
        """Tell a new worker the state of every watched frontend."""
        states = [*self.skipped, *((w.frontend, w.state) for w in self.watches)]
        for frontend, state in states:
            await self.send(message(frontend, state))

    async def stop(self) -> None:
        for watch in self.watches:
            await watch.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def message(frontend: Frontend, state: BuildState) -> FrontendRequest:
    """The control-channel request that tells the worker about a build."""
    return {
        "op": "frontend",
        "extensions": list(frontend.extensions),
        "package": frontend.package,
        "frontend": state.to_json(),
    }
