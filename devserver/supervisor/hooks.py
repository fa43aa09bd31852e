"""What the supervisor's parts need of it: the state and steps that ``loop.Supervisor`` holds
and its mixins (``workers``, ``talk``, ``afterreload``) use, stated once as a Protocol.

Each mixin method takes ``self: Core``; mypy checks that ``Supervisor`` provides all of it.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, Protocol

from watchfiles import Change

from devserver.apijson import ReloadJson
from devserver.protocol import Request, WorkerSpec

from .backoff import Backoff
from .frontends import Frontends
from .kernels import KernelHost
from .layout import Layout, Project
from .options import DevServer
from .ownwrites import OwnWrites
from .process import WorkerProcess
from .standby import Standby


class Core(Protocol):
    """The supervisor as its mixins see it."""

    options: DevServer
    passthrough: dict[str, dict[str, object]]
    layout: Layout
    token: str
    stopping: asyncio.Event
    lock: asyncio.Lock
    backoff: Backoff
    worker: WorkerProcess | None
    generation: int
    worker_started: float
    sock: socket.socket | None
    changes: asyncio.Queue[set[tuple[Change, str]] | None]
    frontends: Frontends
    kernels: KernelHost
    state_dir: Path | None
    standby: Standby
    installs: int
    installing: asyncio.Task[None] | None
    held: set[tuple[Change, str]]
    install_lock: asyncio.Lock
    own_writes: OwnWrites
    restart_only: dict[str, str]
    reloads: Counter[str]

    def _track(self, work: Coroutine[object, object, None]) -> None: ...
    async def _to_install(
        self, projects: Sequence[Project], changed: bool = False
    ) -> list[Project]: ...
    async def _install(
        self,
        projects: Sequence[Project],
        changed: bool = False,
        todo: list[Project] | None = None,
    ) -> list[str]: ...
    async def _install_beside_the_worker(self, todo: list[Project]) -> None: ...
    async def _restart(self, reason: str) -> None: ...
    async def _spawn(self, reason: str, began: float | None = None) -> None: ...
    def _spec(self, reason: str) -> WorkerSpec: ...
    async def _start(self, spec: WorkerSpec, standby: bool = False) -> WorkerProcess: ...
    async def _start_standby(self) -> WorkerProcess: ...
    async def _await_ready(self, worker: WorkerProcess) -> bool: ...
    async def _watch_worker(self, worker: WorkerProcess) -> None: ...
    async def _unresponsive(self, worker: WorkerProcess, reason: str) -> None: ...
    def _server_config(self) -> dict[str, dict[str, object]]: ...
    async def _request(self, message: Request, timeout: float) -> dict[str, Any] | None: ...
    async def _report(self, results: list[ReloadJson]) -> None: ...
    def _restart_if_only_a_restart_helps(self, results: list[ReloadJson]) -> None: ...
    async def _restart_if_fresh(
        self, failed: dict[str, str], seen: dict[str, int], env: dict[str, str]
    ) -> None: ...
