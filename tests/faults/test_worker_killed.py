"""A row of the fault matrix that already held, kept by a test: a worker SIGKILLed in the middle
of a reload. The supervisor's waiting request fails at once (the channel ends), a new worker
serves the code on disk, and nothing is left behind."""

from __future__ import annotations

import os
import signal

import pytest

from ..conftest import Factory, wait_until
from .conftest import HELLO, SteadyClient, no_process_left

pytestmark = pytest.mark.e2e


def test_worker_killed_during_a_reload_comes_back_with_the_new_code(
    devserver_factory: Factory, steady: list[SteadyClient]
) -> None:
    """Kill the worker while an import takes 3 s: a new worker serves the edited code well
    before the reload deadline would have passed, and stopping leaves no process behind."""
    server = devserver_factory("hello_ext", args=("--DevServer.reload_timeout=30",))
    client = SteadyClient(server).start()
    steady.append(client)
    worker = server.worker_pid()
    assert worker is not None
    path = server.root / HELLO
    started = server.root / "import-started"
    slow = f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(3)\n"
    path.write_text(path.read_text().replace('GREETING = "Hello"', slow + 'GREETING = "Slow"'))
    wait_until(started.exists, what="the reload's import to start")
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: client.last == "Slow, world!", timeout=60, what="the new worker")
    assert "the worker did not answer 'reload'" not in server.log()
    client.stop()
    assert server.stop() == 0
    no_process_left(client.pids)
