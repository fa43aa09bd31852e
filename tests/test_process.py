"""Stopping and waiting for a worker process, with plain child processes standing in for it."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import pytest

from devserver.protocol import WorkerSpec
from devserver.supervisor.process import WorkerProcess

#: A child that ignores SIGTERM (as a worker stuck in user code may) once it says "ready".
STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)
#: A child that ends on SIGTERM, as a healthy worker does.
POLITE = "import time; print('ready', flush=True); time.sleep(60)"


async def with_child(code: str) -> WorkerProcess:
    """A WorkerProcess whose process is ``python -c code``, once the child printed "ready"."""
    worker = WorkerProcess(WorkerSpec(listen_fd=-1, control_fd=-1, port=0), {})
    worker.proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    assert worker.proc.stdout is not None
    assert await asyncio.wait_for(worker.proc.stdout.readline(), 10) == b"ready\n"
    return worker


async def test_stop_escalates_to_sigkill(caplog: pytest.LogCaptureFixture) -> None:
    """A worker that ignores SIGTERM is killed after the timeout, and each step is logged."""
    worker = await with_child(STUBBORN)
    with caplog.at_level(logging.INFO, logger="devserver"):
        code = await worker.stop(timeout=0.3)
    assert code == -signal.SIGKILL
    assert worker.stopped
    assert not worker.running
    assert "(SIGTERM)" in caplog.text
    assert "still running after 0 s: SIGKILL" in caplog.text


async def test_stop_ends_a_polite_worker_with_sigterm(caplog: pytest.LogCaptureFixture) -> None:
    """A worker that ends on SIGTERM is never sent SIGKILL."""
    worker = await with_child(POLITE)
    with caplog.at_level(logging.INFO, logger="devserver"):
        assert await worker.stop(timeout=10) == -signal.SIGTERM
    assert "SIGKILL" not in caplog.text
    assert await worker.stop(timeout=10) == -signal.SIGTERM  # stopping twice is harmless


async def test_wait_ready_is_false_when_the_worker_exits_first() -> None:
    """A worker that exits before it is ready makes wait_ready answer False, without waiting
    for the timeout."""
    worker = await with_child("print('ready'); raise SystemExit(3)")
    assert await worker.wait_ready(timeout=30) is False
    assert await worker.wait() == 3
