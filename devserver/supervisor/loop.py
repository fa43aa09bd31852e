"""``devserver run``'s main loop.

The supervisor never imports jupyter_server or user code. It owns the listening socket, starts a
worker (a ServerApp) on it, watches the sources, and for each batch of changes applies the plan:
hot-reload in the worker, or restart the worker when a change cannot be applied in place.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import signal
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Coroutine, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, cast

from watchfiles import Change

from devserver.errors import ConfigError, ExitCode
from devserver.masking import console, secret_values
from devserver.protocol import (
    SPEC_ENV,
    FrontendRequest,
    ReadyMessage,
    ReloadJson,
    Request,
    WorkerSpec,
    encode_config,
)
from devserver.runtime import RuntimeFile, remove_server_files

from .backoff import Backoff
from .configcheck import unreadable
from .console import announce, report_results
from .fallback import failed_reloads, loads_in_fresh_process
from .frontend import frontend_mode
from .frontends import Frontends
from .install import editable_roots, install_editable, is_installed, needs_install
from .kernels import KernelHost, describe_kept, private_folder
from .layout import Layout, Project, discover
from .listen import bind
from .liveness import channel_died_first, heartbeat
from .options import DevServer
from .ownwrites import OwnWrites, snapshot
from .plan import Plan, plan_changes, summarise
from .process import WorkerGone, WorkerProcess
from .settle import changed_again, real_failures
from .standby import Standby
from .watch import config_dirs, watch_changes

log = logging.getLogger("devserver")
#: Seconds a worker gets to answer a request other than a reload.
REQUEST_TIMEOUT = 10.0


class Supervisor:
    """Supervises one worker for the extensions under ``paths``.

    >>> asyncio.run(Supervisor(DevServer(port=8888), [Path("examples")]).run())  # doctest: +SKIP
    """

    def __init__(
        self,
        options: DevServer,
        paths: list[Path],
        passthrough: dict[str, dict[str, object]] | None = None,
    ) -> None:
        self.options = options
        self.paths = paths
        self.passthrough = passthrough or {}
        self.layout: Layout = discover(paths)
        self.token = options.token or secrets.token_hex(24)
        self.stopping = asyncio.Event()
        self.lock = asyncio.Lock()
        self.backoff = Backoff()
        self.worker: WorkerProcess | None = None
        self.generation = 0
        self.worker_started = 0.0
        self.sock: socket.socket | None = None
        self.runtime: RuntimeFile | None = None
        self.changes: asyncio.Queue[set[tuple[Change, str]] | None] = asyncio.Queue()
        self.watch_paths = [Path(p).expanduser().resolve() for p in options.watch]
        self._monitors: set[asyncio.Task[None]] = set()
        self.frontends = Frontends(
            frontend_mode(options.frontend), self.layout, self._tell, options.poll
        )
        #: The kernels, started here so that they outlive every worker.
        self.kernels = KernelHost()
        self.state_dir: Path | None = None
        self.standby = Standby(options.standby)
        #: Editable installs done so far: a standby started before one is not used.
        self.installs = 0
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
        self.sock = bind(self.options.ip, self.options.port)  # a taken port fails before pip runs
        warn_skipped(self.layout, ())
        await self._install(self.layout.projects)
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
        worker = self.worker
        if worker is None or worker.proc is None or worker.running:
            return
        if worker.proc.returncode == ExitCode.NO_SUCH_APP:
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
            plan = plan_changes(self.own_writes.drop(batch), self.layout, self.watch_paths)
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

    async def _request(self, message: Request, timeout: float) -> dict[str, Any] | None:
        """Ask the worker; its reply, or None when it could not answer (it is restarted)."""
        assert self.worker is not None
        op = message["op"]
        try:
            reply = await self.worker.request(dict(message), timeout)
        except TimeoutError:
            await self._restart(f"the worker did not answer {op!r} within {timeout:.0f} s")
            return None
        except (WorkerGone, ConnectionError) as exc:
            await self._restart(f"the worker could not be asked to {op}: {exc}")
            return None
        if "error" in reply:
            error = console(str(reply["error"]), secret_values([self.token], os.environ))
            log.error("the worker failed to carry out %r: %s", op, error)
        if reply.get("restart"):
            await self._restart(str(reply["restart"]))
        return reply

    async def _report(self, results: list[ReloadJson]) -> None:
        """The console lines of a reload, but for failures of files still being written."""
        failed = real_failures(results)
        again = await changed_again(self.changes, self.layout, failed) if failed else set()
        if again:
            log.info("%s changed again while reloading: reloading again", ", ".join(sorted(again)))
        settled = [r for r in results if r["extension"] not in again]
        report_results(settled)
        self._restart_if_only_a_restart_helps(settled)

    def _restart_if_only_a_restart_helps(self, results: list[ReloadJson]) -> None:
        """The restart-only hook: a reload that failed only because the worker holds state of
        the previous version (the new code loads in a fresh process) restarts the worker. The
        check runs beside the loop, so the next edit is not kept waiting for it."""
        for result in results:
            self.reloads[result["extension"]] += 1
            if result["ok"]:
                self.restart_only.pop(result["extension"], None)
        failed = failed_reloads(results)
        if failed and self.worker is not None:
            env = {**os.environ, SPEC_ENV: self.worker.spec.to_env()}
            seen = {name: self.reloads[name] for name in failed}
            self._track(self._restart_if_fresh(failed, seen, env))

    async def _restart_if_fresh(
        self, failed: dict[str, str], seen: dict[str, int], env: dict[str, str]
    ) -> None:
        verdicts = await loads_in_fresh_process(list(failed), env)
        async with self.lock:
            for name in sorted(n for n, ok in verdicts.items() if not ok):
                log.info("%s fails in a fresh process too: the new code is at fault", name)
            # An extension reloaded again since has a newer verdict of its own.
            fresh = sorted(n for n, ok in verdicts.items() if ok and self.reloads[n] == seen[n])
            reasons = {name: failed[name] for name in fresh}
            if not reasons or self.stopping.is_set():
                return
            self.restart_only.update(reasons)
            started = time.monotonic()
            await self._restart("hot reload not possible for " + ", ".join(reasons))
        for name, reason in reasons.items():
            log.warning(
                "hot reload not possible for %s: %s; restarted in %.1f s",
                name, reason, time.monotonic() - started,
            )  # fmt: skip

    async def _tell(self, message: FrontendRequest) -> None:
        """Tell the worker something that needs no answer; a worker that is down or starting
        hears it in ``frontends.resend`` once it is ready."""
        worker = self.worker
        if worker is None or not worker.running or worker.ready_info is None:
            return
        try:
            await worker.request(dict(message), timeout=REQUEST_TIMEOUT)
        except (WorkerGone, TimeoutError, ConnectionError) as exc:
            log.debug("the worker did not hear %s: %s", message.get("op"), exc)

    async def _install(self, projects: Sequence[Project], changed: bool = False) -> None:
        """Install editable those of ``projects`` that need it (``needs_install``); a failure
        is shown and the dev server carries on with what it has. What the install writes into
        watched folders is not taken for the user's edits (``ownwrites``)."""
        mode = self.options.install
        editable = await asyncio.to_thread(editable_roots) if mode != "never" else set()
        todo = [
            p
            for p in projects
            if needs_install(p, mode, lambda p: is_installed(p, editable), changed)
        ]
        if not todo:
            return
        self.installs += 1  # a standby started before this install is not used
        roots = [p.root for p in todo] + [d for d in config_dirs() if d.exists()]
        before = await asyncio.to_thread(snapshot, roots)
        try:
            await asyncio.to_thread(install_editable, todo, self.options.pip_args, log.info)
        except ConfigError as exc:
            log.error("%s", exc)
        after = await asyncio.to_thread(snapshot, roots)
        self.own_writes.record(before, after, [p.root for p in todo])

    # -- the worker --------------------------------------------------------------------------
    async def _restart(self, reason: str) -> None:
        log.info("restarting the worker: %s", reason)
        began = time.monotonic()
        if self.worker is not None:
            await self.worker.stop(self.options.stop_timeout)
        await self._spawn(reason, began)

    async def _spawn(self, reason: str, began: float | None = None) -> None:
        """Start a worker (the standby one when it fits), watch over it, and tell the user
        where it serves, or why it does not."""
        spec = self._spec(reason)
        self.generation += 1
        self.worker_started = time.monotonic()
        timeout = self.options.stop_timeout
        worker = await self.standby.take(spec, self.installs, timeout) or await self._start(spec)
        self.worker = worker
        self._track(self._watch_worker(worker))
        if not await self._await_ready(worker):
            return
        self._track(heartbeat(worker, self.options.unresponsive_timeout, self._unresponsive))
        if spec.generation:
            took = time.monotonic() - (began or self.worker_started)
            log.info("worker restarted in %.2f s (%s)", took, reason)
            for line in describe_kept((worker.ready_info or {}).get("kept") or {}):
                log.info("%s", line)
        await self.standby.prepare(self._start_standby, self.installs)

    def _spec(self, reason: str) -> WorkerSpec:
        assert self.sock is not None
        return WorkerSpec(
            listen_fd=self.sock.fileno(),
            control_fd=-1,
            port=self.sock.getsockname()[1],
            extensions=self.layout.extensions,
            sys_path=tuple(str(p.source_root) for p in self.layout.projects),
            server_config=encode_config(self._server_config()),
            starter=self.options.app,
            enforce_specs=self.options.enforce_specs,
            reason=reason,
            generation=self.generation,
            restart_only=dict(self.restart_only),
            state_dir=str(self.state_dir or ""),
            reload_timeout=self.options.reload_timeout,
            blocked_threshold=self.options.blocked_threshold,
            verbose=self.options.verbose,
        )

    async def _await_ready(self, worker: WorkerProcess) -> bool:
        """Whether ``worker`` came up; either way the user is told."""
        if await worker.wait_ready(self.options.ready_timeout):
            # Decoded JSON that the worker built to the contract's ReadyMessage.
            announce(cast(ReadyMessage, worker.ready_info), self.token)
            await self.frontends.resend()
            return True
        if worker.running:
            log.error(
                "the worker did not start serving within %g s (--DevServer.ready_timeout); "
                "stopping it. Fix what holds it (its output is above) and save.",
                self.options.ready_timeout,
            )
            await worker.stop(self.options.stop_timeout)
        else:
            log.error(
                "the worker exited with code %s before serving: its output is above. "
                "Fix the error and save: the dev server retries.",
                worker.proc.returncode if worker.proc else "unknown",
            )
        return False

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._monitors.add(task)
        task.add_done_callback(self._monitors.discard)

    async def _unresponsive(self, worker: WorkerProcess, reason: str) -> None:
        """End a worker that stopped answering; its monitor restarts it as a crash."""
        log.error("%s (stopped, or its event loop blocked): restarting it", reason)
        await worker.terminate(min(self.options.stop_timeout, 2.0))

    async def _start(self, spec: WorkerSpec, standby: bool = False) -> WorkerProcess:
        """A new worker process with its own kernel channel; a ``standby`` one waits for its
        spec."""
        kernels_end = self.kernels.connect()
        worker = WorkerProcess(
            replace(spec, kernels_fd=kernels_end.fileno()),
            {**os.environ, "JUPYTER_TOKEN": self.token},
        )
        try:
            await worker.start(standby)
        finally:
            kernels_end.close()
        return worker

    async def _start_standby(self) -> WorkerProcess:
        return await self._start(self._spec("standby"), standby=True)

    async def _watch_worker(self, worker: WorkerProcess) -> None:
        """Bring this worker back if it dies on its own, with a growing delay while it keeps
        dying. A worker stopped on purpose, or one that refused its configuration (exit 2:
        retrying cannot help), waits for the next saved file instead. A worker whose control
        channel died while it runs on is restarted at once."""
        if await channel_died_first(worker):
            async with self.lock:
                if worker is self.worker and not (worker.stopped or self.stopping.is_set()):
                    await self._restart(worker.channel_error or "its control channel closed")
            return
        code = await worker.wait()
        if worker.pid is not None and code < 0:  # killed: it could not remove its server files
            remove_server_files(worker.pid)
        if self.stopping.is_set() or worker.stopped or worker is not self.worker:
            return
        if code in (ExitCode.CONFIG_ERROR, ExitCode.NO_SUCH_APP):
            if worker.spec.generation:  # the first worker's refusal ends `devserver run`
                log.error("the worker refused its configuration (see above): fix it and save")
            return
        delay = self.backoff.next(time.monotonic() - self.worker_started)
        log.error("the worker exited (code %s); restarting in %.1f s", code, delay)
        try:
            await asyncio.wait_for(self.stopping.wait(), delay)
            return
        except TimeoutError:
            pass
        async with self.lock:
            if worker is self.worker and not self.stopping.is_set():
                await self._spawn(f"the worker exited with code {code}")

    def _server_config(self) -> dict[str, dict[str, object]]:
        config: dict[str, dict[str, object]] = {
            section: dict(values) for section, values in self.passthrough.items()
        }
        server = config.setdefault("ServerApp", {})
        server.update(
            ip=self.options.ip, base_url=self.options.base_url, open_browser=False, port_retries=0
        )
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            server.setdefault("allow_root", True)
        config.setdefault("IdentityProvider", {})["token"] = self.token
        return config


def warn_skipped(layout: Layout, known: tuple[tuple[Path, str], ...]) -> None:
    """One warning per project that cannot be used (and was not already reported)."""
    for folder, reason in layout.skipped:
        if (folder, reason) not in known:
            log.warning("skipping %s: %s", folder.name, reason)
