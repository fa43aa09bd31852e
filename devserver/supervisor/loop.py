"""``devserver run``'s main loop.

The supervisor never imports jupyter_server or user code. It owns the listening socket, starts a
worker (a ServerApp) on it, watches the sources, and for each batch of changes applies the plan:
hot-reload in the worker, or restart the worker when a change cannot be applied in place.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import socket
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Literal

from watchfiles import Change

from devserver.errors import ConfigError, ExitCode
from devserver.protocol import (
    Request,
)
from devserver.runtime import RuntimeFile

from .afterreload import AfterReload
from .backoff import Backoff
from .boot import Boot
from .configcheck import unreadable
from .frontend import frontend_mode
from .frontends import Frontends
from .installs import Installs
from .kernels import private_folder
from .layout import Layout, discover
from .listen import bind
from .options import DevServer
from .ownwrites import OwnWrites
from .plan import Plan, plan_changes, summarise
from .process import WorkerProcess
from .talk import REQUEST_TIMEOUT, Talk
from .watch import config_dirs, watch_changes
from .workers import Workers, ends_the_dev_server

log = logging.getLogger("devserver")


class Supervisor(Workers, Installs, Talk, AfterReload):
    """Supervises one worker for the extensions under ``paths``.

    >>> asyncio.run(Supervisor(DevServer(port=8888), [Path("examples")]).run())  # doctest: +SKIP
    """

    def __init__(
        self,
        options: DevServer,
        paths: list[Path],
        passthrough: dict[str, dict[str, object]] | None = None,
        boot: Boot | None = None,
    ) -> None:
        boot = boot or Boot.unbound(options)
        self.options = options
        self.paths = paths
        self.passthrough = passthrough or {}
        self.layout: Layout = discover(paths)
        self.token = boot.token
        self.stopping = asyncio.Event()
        self.lock = asyncio.Lock()
        self.backoff = Backoff()
        self.worker: WorkerProcess | None = None
        self.generation = 0
        self.worker_started = 0.0
        self.sock: socket.socket | None = boot.sock
        self.runtime: RuntimeFile | None = None
        self.changes: asyncio.Queue[set[tuple[Change, str]] | None] = asyncio.Queue()
        self.watch_paths = [Path(p).expanduser().resolve() for p in options.watch]
        self._monitors: set[asyncio.Task[None]] = set()
        self.frontends = Frontends(
            frontend_mode(options.frontend), self.layout, self._tell, options.poll
        )
        #: The kernels, started here so that they outlive every worker.
        self.kernels = boot.kernels
        self.state_dir: Path | None = None
        #: The standby worker: at start, the first worker (``boot``), then the next restart's.
        self.standby = boot.standby
        #: Installs so far that changed a dependency: a standby started before one is not used.
        self.installs = 0
        self.installing = None
        self.held: set[tuple[Change, str]] = set()
        self.install_lock = asyncio.Lock()
        self.own_writes = OwnWrites()
        #: Extensions whose last reload needed a restart, with the reason (shown by the worker).
        self.restart_only: dict[str, str] = {}
        #: Reload results seen per extension (a newer one outdates a fresh-process check).
        self.reloads: Counter[str] = Counter()
        #: The exit code of ``run()``: stays 0 unless something ends the dev server on error.
        self.exit_code = 0

    async def run(self) -> int:
        """Start, apply the plan of each batch of changes, shut down."""
        try:
            await self.start()
            async for plan in self.plans():
                await self.apply(plan)
        finally:
            await self.shutdown()
        return self.exit_code

    # -- start and stop ----------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stopping.set)
        # Watch before anything else starts, so that no edit made from now on is missed.
        self._watch_task = asyncio.create_task(self._watch())
        await asyncio.sleep(0)  # the watcher registers its OS watches in its first step
        if self.sock is None:  # bound already by ``boot`` but in unit tests
            self.sock = bind(self.options.ip, self.options.port)  # fails before pip runs
        warn_skipped(self.layout, ())
        # Beside the worker (``installs``): it loads the projects from their folders.
        await self._install_at_start(self.layout.projects)
        self.frontends.start()  # builds in the background while the worker starts
        port = self.sock.getsockname()[1]
        served = {
            "projects": [str(p) for p in self.layout.paths],
            "extensions": list(self.layout.extensions),
        }
        self.runtime = RuntimeFile.write(
            self.options.ip, port, self.options.base_url, self.token, served
        )
        self.state_dir = private_folder()
        async with self.lock:
            await self._spawn("start")
        self._refused_at_start()

    def _refused_at_start(self) -> None:
        """A first worker whose ``--app`` names no ExtensionApp (its message, above, names those
        it found) ends the dev server with exit code 2: no save can fix an option. Other refusals
        (an invalid spec) wait for the save that fixes them."""
        if self.worker is not None and ends_the_dev_server(self.worker):
            raise ConfigError("the server refused its configuration: see the message above")

    async def shutdown(self) -> None:
        started = self.sock is not None  # a start that failed before binding has nothing to stop
        self.stopping.set()
        await self.frontends.stop()
        async with self.lock:
            if self.worker is not None:
                await self.kernels.final()  # the worker shuts its kernels down as it stops
                await self.worker.stop(self.options.stop_timeout)
            await self.standby.stop(self.options.stop_timeout)
        await self.kernels.stop_all(self.options.stop_timeout)
        await self.kernels.close()
        if self.state_dir is not None:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        if self.sock is not None:
            self.sock.close()
        if self.runtime is not None:
            self.runtime.remove()
        if started:
            log.info("clean shutdown")

    # -- changes -----------------------------------------------------------------------------
    async def _watch(self) -> None:
        """Feed each batch of file changes into the queue that ``plans()`` reads; a watcher that
        fails ends the dev server (exit 1): it would otherwise serve code it no longer reloads."""
        watched = [p for p in (*self.layout.paths, *self.watch_paths, *config_dirs()) if p.exists()]
        try:
            if not await watch_changes(
                watched, self.options, self.stopping, self.changes, self.frontends.output_dirs
            ):
                self.exit_code = ExitCode.FAILURE
        finally:
            self.changes.put_nowait(None)

    async def plans(self) -> AsyncIterator[Plan]:
        """Each batch of file changes, as a non-empty plan, until asked to stop. Batches that
        arrived while the previous plan was being applied are merged into one."""
        while (batch := await self.changes.get()) is not None:
            while not self.changes.empty():
                more = self.changes.get_nowait()
                if more is None:  # the watcher stopped: act on what came, then end
                    self.changes.put_nowait(None)
                    break
                batch |= more
            for path, error in unreadable(batch).items():
                log.error("%s", error)
                batch = {(change, p) for change, p in batch if p != path}
            batch = self.own_writes.drop(self._unless_installing(batch))
            plan = plan_changes(batch, self.layout, self.watch_paths)
            if plan:
                yield plan

    async def apply(self, plan: Plan) -> None:
        """Carry out one plan: reinstall and restart, or hot-reload, or tell pages to refresh."""
        async with self.lock:
            restart = await self._refresh(plan)
            if restart or self.worker is None or not self.worker.running:
                await self._restart(restart or "the worker was down; a file changed")
                return
            await self._hot_apply(plan)

    async def _refresh(self, plan: Plan) -> str | None:
        """Bring the layout and the installs up to date with the plan; why to restart, if so."""
        restart = plan.restart
        if plan.rescan or restart:
            # A restart starts from the files as they are now: folders added or removed,
            # extensions enabled or disabled in a project's config JSON.
            restart = await self._rescan() or restart
        changed = [p for p in self.layout.projects if p.root in plan.reinstall]
        await self._install(changed, changed=True)
        return restart

    async def _hot_apply(self, plan: Plan) -> None:
        """The parts of a plan the running worker applies in place."""
        if plan.reload:
            reload: Request = {"op": "reload", "extensions": list(plan.reload)}
            reply = await self._request(reload, self.options.reload_request_timeout)
            await self._report(reply.get("results", []) if reply else [])
        changed: tuple[tuple[Literal["template", "static"], tuple[str, ...]], ...] = (
            ("template", plan.templates),
            ("static", plan.static),
        )
        for kind, paths in changed:
            if paths:
                listed, count = summarise(paths)
                message: Request = {"op": "changed", "kind": kind, "paths": listed, "count": count}
                await self._request(message, REQUEST_TIMEOUT)

    async def _rescan(self) -> str | None:
        """Look for the extension folders again; a reason to restart if they changed."""
        try:
            layout = discover(self.paths)
        except ConfigError as exc:
            log.error("%s (keeping the extensions found before)", exc)
            return None
        warn_skipped(layout, self.layout.skipped)
        if layout == self.layout:
            return None
        before, after = set(self.layout.extensions), set(layout.extensions)
        await self._install(layout.projects)
        self.layout = layout
        changes = (("added", after - before), ("removed", before - after))
        parts = [f"{what}: {', '.join(sorted(names))}" for what, names in changes if names]
        return "extensions " + "; ".join(parts) if parts else "the extension folders changed"

    def _track(self, work: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(work)
        self._monitors.add(task)
        task.add_done_callback(self._monitors.discard)


def warn_skipped(layout: Layout, known: tuple[tuple[Path, str], ...]) -> None:
    """One warning per project that cannot be used (and was not already reported)."""
    for folder, reason in layout.skipped:
        if (folder, reason) not in known:
            log.warning("skipping %s: %s", folder.name, reason)
