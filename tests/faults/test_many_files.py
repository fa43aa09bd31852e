"""Fault 1: a folder of 20,000 new data files in a watched package is one small event, and the
edit made after it is applied (it used to freeze the supervisor for good)."""

from __future__ import annotations

import pytest

from ..conftest import Factory, wait_until
from .conftest import HELLO, SteadyClient, no_process_left, replayed_events

pytestmark = pytest.mark.e2e


def test_twenty_thousand_new_files_then_an_edit_is_applied(
    devserver_factory: Factory, steady: list[SteadyClient]
) -> None:
    """20,000 new .txt files, then a handler edit: the edit is served, no request fails, change
    events list at most 50 paths each and count the rest, and no process is left behind."""
    server = devserver_factory("hello_ext")
    client = SteadyClient(server).start()
    steady.append(client)
    data = server.root / "hello_ext/hello_ext/data"
    data.mkdir()
    for i in range(20_000):
        (data / f"row-{i:05}.txt").touch()
    server.edit(HELLO, 'GREETING = "Hello"', 'GREETING = "Howdy"')
    wait_until(lambda: client.last == "Howdy, world!", timeout=20, what="the edit to be served")

    client.stop()
    changes = [e["data"] for e in replayed_events(server) if e["kind"] == "change"]
    assert changes, "no change event for the new files"
    # inotify's queue (16,384 by default) may drop some of the 20,000: most must be counted.
    assert sum(c["count"] for c in changes) > 10_000
    assert all(
        len(c["paths"]) <= 50 <= c["count"] or len(c["paths"]) == c["count"] for c in changes
    )

    assert client.failed == []
    assert "Traceback" not in server.log()
    assert "restarting the worker" not in server.log()
    assert server.stop() == 0
    no_process_left(client.pids)
