"""The worker's life as the supervisor runs it: start one (the standby one when it fits, else
a fresh process), wait until it serves and say where, watch over it (heartbeat, crash, backoff),
and restart it. ``Supervisor`` decides when; this mixin does it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import cast

from devserver.errors import ExitCode
from devserver.protocol import ReadyMessage, WorkerSpec, encode_config
from devserver.runtime import remove_server_files

from .console import announce
from .hooks import Core
from .kernels import describe_kept
from .liveness import channel_died_first, heartbeat
from .process import WorkerProcess

log = logging.getLogger("devserver")


class Workers:
    """Starting, watching and restarting the worker (a mixin of ``Supervisor``)."""

    #: Declared here too: mypy would take ``_spawn``'s assignment for this class's own attribute.
    worker: WorkerProcess | None

    async def _restart(self: Core, reason: str) -> None:
        log.info("restarting the worker: %s", reason)
        began = time.monotonic()
        if self.worker is not None:
            await self.worker.stop(self.options.stop_timeout)
        await self._spawn(reason, began)

    async def _spawn(self: Core, reason: str, began: float | None = None) -> None:
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
        if self.installing is None:  # else once the install has ended (``installs``)
            await self.standby.prepare(self._start_standby, self.installs)

    def _spec(self: Core, reason: str) -> WorkerSpec:
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

    async def _await_ready(self: Core, worker: WorkerProcess) -> bool:
        """Whether ``worker`` came up; either way the user is told."""
        if await worker.wait_ready(self.options.ready_timeout):
            # Decoded JSON that the worker built to the contract's ReadyMessage.
            ready = cast(ReadyMessage, worker.ready_info)
            announce(ready, self.token, installing=self.installing is not None)
            await self.frontends.resend()
            return True
        if worker.running:
            log.error(
                "the worker did not start serving within %g s (--DevServer.ready_timeout); "
                "stopping it. Fix what holds it (its output is above) and save.",
                self.options.ready_timeout,
            )
            await worker.stop(self.options.stop_timeout)
        elif not ends_the_dev_server(worker):
            log.error(
                "the worker exited with code %s before serving: its output is above. "
                "Fix the error and save: the dev server retries.",
                worker.proc.returncode if worker.proc else "unknown",
            )
        return False

    async def _unresponsive(self: Core, worker: WorkerProcess, reason: str) -> None:
        """End a worker that stopped answering; its monitor restarts it as a crash."""
        log.error("%s (stopped, or its event loop blocked): restarting it", reason)
        await worker.terminate(min(self.options.stop_timeout, 2.0))

    async def _start(self: Core, spec: WorkerSpec, standby: bool = False) -> WorkerProcess:
        """A new worker process with its own kernel channel; a ``standby`` one waits for its
        spec."""
        return await WorkerProcess.launch(spec, self.token, self.kernels.connect(), standby)

    async def _start_standby(self: Core) -> WorkerProcess:
        return await self._start(self._spec("standby"), standby=True)

    async def _watch_worker(self: Core, worker: WorkerProcess) -> None:
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
        served = worker.ready_info is not None
        delay = self.backoff.next(time.monotonic() - self.worker_started, served)
        when = f"restarting in {delay:.1f} s" if delay else "restarting now"
        log.error("the worker exited (code %s); %s", code, when)
        try:
            await asyncio.wait_for(self.stopping.wait(), delay)
            return
        except TimeoutError:
            pass
        async with self.lock:
            if worker is self.worker and not self.stopping.is_set():
                await self._spawn(f"the worker exited with code {code}")

    def _server_config(self: Core) -> dict[str, dict[str, object]]:
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


def ends_the_dev_server(worker: WorkerProcess) -> bool:
    """Whether ``worker`` is a first worker whose ``--app`` names no ExtensionApp: its own message
    names the apps it found, and ``devserver run`` ends with exit code 2, since no save can fix
    an option (nothing is retried, so nothing may say so)."""
    refused = worker.proc is not None and worker.proc.returncode == ExitCode.NO_SUCH_APP
    return refused and not worker.spec.generation
