"""The frontend's watch script as a supervised child of the supervisor.

``FrontendWatch.run`` prepares the frontend once (node packages installed, a first build,
the labextension linked for development), then runs ``<jlpm|npm> run watch`` in a process group
of its own, reads its output through ``BuildLog``, and tells ``on_build`` about each finished
build. Its output is condensed: one line per rebuild with its duration, or the errors with
``file:line``; every raw line goes to the debug log (``--verbose``). A watch script that dies is
started again with a growing delay; ``stop`` ends the whole group (TERM, wait, KILL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Awaitable, Callable

from .backoff import Backoff
from .buildlog import BuildError, BuildLog, BuildState, Step
from .frontend import Frontend, link
from .frontend_lifeline import command as lifeline_command
from .progress import run_step

log = logging.getLogger("devserver")
OnBuild = Callable[[Frontend, BuildState], Awaitable[None]]
#: What the worker was last told: the state, the errors and the bundle's files.
Told = tuple[str, tuple[BuildError, ...], frozenset[tuple[str, int]]]
#: Seconds of quiet after TypeScript's clean verdict or the bundler's "finished" before the
#: bundle on disk is taken as current (an edit that changed no emitted JavaScript, or a bundler
#: round that rewrote nothing, prints no "compiled ..." line).
SETTLE = 2.0


class FrontendWatch:
    """Builds and watches one project's frontend until ``stop``."""

    def __init__(
        self, frontend: Frontend, manager: list[str], env: dict[str, str], on_build: OnBuild
    ) -> None:
        self.frontend = frontend
        self.manager = manager
        self.env = env
        self.on_build = on_build
        self.state = BuildState()
        self.proc: asyncio.subprocess.Process | None = None
        #: The preparing step running now (node packages, the first build), for ``stop``.
        self.step: subprocess.Popen[str] | None = None
        self._stopping = asyncio.Event()
        self._settle: asyncio.TimerHandle | None = None
        self.backoff = Backoff()
        self.name = frontend.package
        #: The watch script's latest output, shown when it dies.
        self.last_lines: deque[str] = deque(maxlen=15)
        #: A build that changes none of what was last told is not told (no second reload).
        self._published: tuple[str, tuple[BuildError, ...], frozenset[tuple[str, int]]] | None = (
            None
        )

    async def run(self) -> None:
        """Prepare, then keep the watch script running until ``stop``."""
        if not await self._prepare():
            return
        while not self._stopping.is_set():
            started = time.monotonic()
            code = await self._watch_once()
            if self._stopping.is_set():
                return
            delay = self.backoff.next(time.monotonic() - started)
            last_lines = "\n".join(f"    {line}" for line in self.last_lines)
            message = "the watch script exited (code %s); restarting in %.1f s. Its last lines:\n%s"
            log.error("frontend %s: " + message, self.name, code, delay, last_lines)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _prepare(self) -> bool:
        """Node packages, a first build when there is none, the development link."""
        steps = []
        if not self.frontend.installed:
            steps.append(([*self.manager, "install"], "installing node packages", "install"))
        if not self.frontend.built:
            steps.append(([*self.manager, "run", "build"], "building the frontend", "build"))
        for cmd, what, key in steps:
            await self._publish("building", "")
            title = f"frontend {self.name}: {what} with {os.path.basename(cmd[0])}"
            if key == "install":  # an install cut short is begun again at the next start
                self.frontend.installing(True)
            # Under the lifeline, in a group of its own, as the watch script: it ends with the
            # supervisor, and ``stop`` ends it and what it started.
            done = await asyncio.to_thread(
                run_step,
                lifeline_command(os.getpid(), cmd),
                title,
                log.info,
                key=f"frontend {self.frontend.root} {key}",
                cwd=self.frontend.root,
                env=self.env,
                new_session=True,
                on_start=self._step_started,
            )
            if self._stopping.is_set():
                return False
            if key == "install" and done.returncode == 0:
                self.frontend.installing(False)
            if done.returncode != 0:
                failed = f"`{' '.join(cmd)}` failed (exit {done.returncode})"
                log.error("frontend %s: %s:\n%s", self.name, failed, done.output[-4000:])
                await self._publish("failed", f"`{' '.join(cmd)}` failed")
                return False
        where = link(self.frontend)
        output = self.frontend.output_dir
        log.info("frontend %s: %s → %s (development build)", self.name, where, output)
        return True

    async def _publish(self, state: str, reason: str) -> None:
        self.state.state = state  # type: ignore[assignment] # one of State, by the callers
        self.state.reason = reason
        await self.on_build(self.frontend, self.state)

    async def _watch_once(self) -> int:
        cmd = lifeline_command(os.getpid(), [*self.manager, "run", "watch"])
        self.proc = await asyncio.create_subprocess_exec(
            *cmd,
            cwd=self.frontend.root,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        manager = os.path.basename(self.manager[0])
        log.info("frontend %s: watching (%s run watch, pid %s)", self.name, manager, self.proc.pid)
        parser = BuildLog()
        assert self.proc.stdout is not None
        while raw := await self.proc.stdout.readline():
            line = raw.decode(errors="replace").rstrip()
            if line.strip():
                log.debug("frontend %s | %s", self.name, line)
                self.last_lines.append(line)
            step = parser.feed(line)
            if step is not None:
                await self._step(step)
        return await self.proc.wait()

    async def _step(self, step: Step) -> None:
        self._cancel_settle()
        sources = self.frontend.sources_mtime() if step.kind == "bundled" else None
        if self.state.apply(step, time.time(), sources):
            await self._built()
        elif step.kind == "finished" or (step.kind == "compiled" and step.ok):
            self._settle = asyncio.get_running_loop().call_later(SETTLE, self._settled)
        elif step.kind == "started" and (self._published or ("",))[0] != "building":
            # TypeScript started on an edit (the bundler alone rebuilding may write the same
            # bundle again: that is not told at all)
            self._published = ("building", (), frozenset())
            await self.on_build(self.frontend, self.state)

    def _cancel_settle(self) -> None:
        if self._settle is not None:
            self._settle.cancel()
            self._settle = None

    def _settled(self) -> None:
        if self.state.settle(time.time()):
            task = asyncio.ensure_future(self._built())
            task.add_done_callback(lambda t: t.exception())

    async def _built(self) -> None:
        s = self.state
        outcome = (s.state, tuple(s.errors), self.frontend.bundle())
        if outcome[2] and outcome == self._published:  # the same bundle again: no reload
            log.debug("frontend %s: the same bundle again", self.name)
            return
        self._published = outcome
        if s.state == "ok":
            log.info("frontend %s: ✓ built in %.1f s", self.name, (s.duration_ms or 0) / 1000)
        else:
            plural = "" if len(s.errors) == 1 else "s"
            log.error("frontend %s: ✗ build failed, %d error%s:", self.name, len(s.errors), plural)
            for error in s.errors:
                log.error("    %s", error)
        await self.on_build(self.frontend, s)

    def _step_started(self, proc: subprocess.Popen[str]) -> None:
        self.step = proc
        if self._stopping.is_set():  # stopped while it was starting
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)

    async def stop(self, timeout: float = 5.0) -> None:
        """End the watch script, or the step preparing it, and everything they started."""
        self._stopping.set()
        self._cancel_settle()
        step, proc = self.step, self.proc
        if step is not None and step.poll() is None:
            await self._end_group(step.pid, lambda: asyncio.to_thread(step.wait), timeout)
        if proc is not None and proc.returncode is None:
            await self._end_group(proc.pid, proc.wait, timeout)

    async def _end_group(
        self, pgid: int, wait: Callable[[], Awaitable[int]], timeout: float
    ) -> None:
        """TERM the process group ``pgid``; KILL it if its leader is still there after
        ``timeout`` seconds."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            try:
                await asyncio.wait_for(wait(), timeout)
                return
            except TimeoutError:
                log.warning("frontend %s: group %d ignored SIGTERM: SIGKILL", self.name, pgid)
