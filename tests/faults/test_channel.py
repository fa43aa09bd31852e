"""The supervisor's end of the control channel with plain fakes of the worker: a reply that
cannot come fails at once, a dead channel is told from an exiting worker, a failure the worker
reports or the file watcher raises is shown, never swallowed (issue 16, bugs 1 to 3)."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest

from devserver.errors import ExitCode
from devserver.protocol import HEADER, WorkerSpec, encode
from devserver.supervisor import watchroots
from devserver.supervisor.liveness import channel_died_first, heartbeat
from devserver.supervisor.loop import Supervisor
from devserver.supervisor.options import DevServer
from devserver.supervisor.process import WorkerGone, WorkerProcess

SPEC = WorkerSpec(listen_fd=-1, control_fd=-1, port=0)


async def _attached() -> tuple[WorkerProcess, socket.socket]:
    """A WorkerProcess talking to a socket the test plays the worker on."""
    ours, theirs = socket.socketpair()
    worker = WorkerProcess(SPEC, env={})
    await worker.open_channel(ours)
    return worker, theirs


def test_undecodable_message_fails_the_waiting_request_at_once() -> None:
    """A message the supervisor cannot decode fails the waiting reload with the reason at once
    (bug 1: it used to wait out the 60 s timeout, the reason hidden)."""

    async def scenario() -> tuple[str, bool]:
        worker, peer = await _attached()
        pending = asyncio.ensure_future(worker.request({"op": "reload"}, timeout=60))
        await asyncio.sleep(0)
        peer.sendall(HEADER.pack(5) + b"{nope")
        with pytest.raises(WorkerGone) as info:
            await asyncio.wait_for(pending, 5)
        peer.close()
        return str(info.value), worker.channel_closed.is_set()

    reason, closed = asyncio.run(scenario())
    assert "control channel broke" in reason
    assert "not JSON" in reason
    assert closed


def test_reply_after_the_deadline_is_a_timeout_and_is_forgotten() -> None:
    """A request waits no longer than its deadline; the late reply is dropped."""

    async def scenario() -> int:
        worker, peer = await _attached()
        with pytest.raises(TimeoutError):
            await worker.request({"op": "ping"}, timeout=0.2)
        peer.sendall(encode({"op": "reply", "id": 1}))
        await asyncio.sleep(0.05)
        waiting = len(worker._replies)
        peer.close()
        return waiting

    assert asyncio.run(scenario()) == 0


async def _process(code: str) -> WorkerProcess:
    worker = WorkerProcess(SPEC, env={})
    worker.proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code)
    return worker


def test_dead_channel_of_a_running_worker_is_told_from_an_exit() -> None:
    """A channel that ends while the process runs on is a dead channel; one that ends as the
    process exits is an exit (the crash path, with backoff)."""

    async def scenario() -> tuple[bool, bool]:
        running = await _process("import time; time.sleep(30)")
        ours, theirs = socket.socketpair()
        await running.open_channel(ours)
        theirs.close()
        dead = await asyncio.wait_for(channel_died_first(running), 10)
        await running.terminate(5)

        exiting = await _process("pass")
        ours, theirs = socket.socketpair()
        await exiting.open_channel(ours)
        theirs.close()
        exited = not await asyncio.wait_for(channel_died_first(exiting), 10)
        return dead, exited

    assert asyncio.run(scenario()) == (True, True)


def test_heartbeat_hands_over_a_worker_that_does_not_answer() -> None:
    """A ping left unanswered past the limit calls ``on_unresponsive`` once, with the reason."""

    async def scenario() -> list[str]:
        worker = await _process("import time; time.sleep(30)")
        ours, peer = socket.socketpair()  # nobody answers on ``peer``
        await worker.open_channel(ours)
        reasons: list[str] = []

        async def unresponsive(w: WorkerProcess, reason: str) -> None:
            reasons.append(reason)
            await w.terminate(5)

        await asyncio.wait_for(heartbeat(worker, 0.3, unresponsive, interval=0.05), 10)
        peer.close()
        return reasons

    assert asyncio.run(scenario()) == ["the worker did not answer its heartbeat for 0.3 s"]


class _FakeWorker:
    """Answers every request with ``reply``."""

    def __init__(self, reply: dict[str, Any]) -> None:
        self.reply = reply

    async def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        return self.reply


def _supervisor() -> Supervisor:
    return Supervisor(DevServer(port=0), [])


def test_error_reply_of_the_worker_is_shown(caplog: pytest.LogCaptureFixture) -> None:
    """``{"error": ...}`` from the worker is logged with the request it answers (bug 3: only
    ``results`` was read and the failure vanished)."""
    supervisor = _supervisor()
    supervisor.worker = _FakeWorker({"op": "reply", "id": 1, "error": "KeyError: 'paths'"})  # type: ignore[assignment]
    with caplog.at_level(logging.ERROR, "devserver"):
        asyncio.run(supervisor._request({"op": "changed"}, 1.0))
    assert "the worker failed to carry out 'changed': KeyError: 'paths'" in caplog.text


def test_reply_asking_for_a_restart_restarts() -> None:
    """A reload reply carrying ``restart`` (a stuck import) restarts the worker with that reason."""
    supervisor = _supervisor()
    supervisor.worker = _FakeWorker({"op": "reply", "results": [], "restart": "stuck"})  # type: ignore[assignment]
    reasons: list[str] = []

    async def restart(reason: str) -> None:
        reasons.append(reason)

    supervisor._restart = restart  # type: ignore[method-assign]
    asyncio.run(supervisor._request({"op": "reload", "extensions": []}, 1.0))
    assert reasons == ["stuck"]


def test_file_watching_that_fails_ends_the_plans_and_says_why(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If ``awatch`` raises, the error is logged, ``plans()`` ends and the exit code is 1
    (bug 2: watching ended without a word and the supervisor waited forever)."""

    async def broken(*args: object, **kwargs: object) -> AsyncIterator[set[Any]]:
        raise OSError(28, "inotify watch limit reached")
        yield set()  # pragma: no cover - makes this an async generator

    monkeypatch.setattr(watchroots, "awatch", broken)
    supervisor = _supervisor()

    async def scenario() -> list[object]:
        watching = asyncio.ensure_future(supervisor._watch())
        plans = [plan async for plan in supervisor.plans()]
        await watching
        return plans

    with caplog.at_level(logging.ERROR, "devserver"):
        plans = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert plans == []
    assert supervisor.exit_code == ExitCode.FAILURE
    assert "watching files failed (OSError: [Errno 28] inotify watch limit reached)" in caplog.text
