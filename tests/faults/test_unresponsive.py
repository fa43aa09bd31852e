"""Fault 4: a stopped worker is noticed by the heartbeat and replaced; an event loop blocked
longer than the threshold is reported with the line where it was blocked."""

from __future__ import annotations

import os
import re
import signal

import pytest

from ..conftest import Factory, wait_until
from .conftest import HELLO, SteadyClient, no_process_left, replayed_events

pytestmark = pytest.mark.e2e


def test_stopped_worker_is_restarted_by_the_heartbeat(
    devserver_factory: Factory, steady: list[SteadyClient]
) -> None:
    """SIGSTOP the worker: within the limit the supervisor says so, a new worker serves, and the
    stopped one is gone."""
    server = devserver_factory(
        "hello_ext", args=("--DevServer.unresponsive_timeout=2", "--stop-timeout=1")
    )
    client = SteadyClient(server).start()
    steady.append(client)
    worker = server.worker_pid()
    assert worker is not None
    os.kill(worker, signal.SIGSTOP)
    server.wait_for_log("did not answer its heartbeat for 2 s", timeout=15)
    wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
    served = client.ok
    wait_until(lambda: client.ok > served + 3, timeout=30, what="the new worker to serve")
    client.stop()
    # Requests the stopped worker had taken die with it; the others wait and are served.
    assert len(client.failed) <= 2, client.failed
    assert server.stop() == 0
    no_process_left(client.pids)


def test_blocked_event_loop_is_reported_with_its_line(devserver_factory: Factory) -> None:
    """A handler that blocks the loop 1.5 s is reported in the log and as a ``blocked`` event
    naming handlers.py and the line of the blocking call."""
    server = devserver_factory("hello_ext", args=("--DevServer.blocked_threshold=0.5",))
    blocking = "import time; time.sleep(1.5)"
    server.edit(HELLO, 'self.finish({"message"', blocking + '\n        self.finish({"message"')
    server.wait_for_log("✓ reloaded hello_ext")
    line = next(
        n
        for n, text in enumerate((server.root / HELLO).read_text().splitlines(), 1)
        if blocking in text
    )
    assert server.get("hello").status_code == 200
    where = f"{server.root / HELLO}:{line}"
    server.wait_for_log("the event loop was blocked")
    assert re.search(rf"event loop was blocked 1\.\d s in {re.escape(where)}", server.log())
    blocked = [e["data"] for e in replayed_events(server) if e["kind"] == "blocked"]
    assert blocked
    assert blocked[0]["where"] == where
    assert blocked[0]["ms"] >= 1400
