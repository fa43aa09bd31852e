"""Fault 6: an import of a half-written file is not reported as a failure when the file changes
again within the settle time; the complete file is what serves."""

from __future__ import annotations

import time

import pytest

from ..conftest import Factory, wait_until
from .conftest import HELLO, SteadyClient

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("saves", [1, 5])
def test_truncate_then_write_is_not_a_failure(
    devserver_factory: Factory, steady: list[SteadyClient], saves: int
) -> None:
    """An editor that truncates, pauses, then writes (once, or in a storm): every failed
    reload of a half-written file is retried, no request fails, and the last content serves."""
    server = devserver_factory("hello_ext")
    client = SteadyClient(server).start()
    steady.append(client)
    path = server.root / HELLO
    text = path.read_text()
    cut = text.index("class HelloHandler")
    for i in range(saves):
        path.write_text(text[:cut])  # the half written file: no HelloHandler yet
        time.sleep(0.1)  # the editor's pause between truncating and writing: the scenario itself
        path.write_text(text.replace('"Hello"', f'"Save{i}"'))
    wait_until(lambda: client.last == f"Save{saves - 1}, world!", what="the last save")
    client.stop()
    log = server.log()
    # The worker logs each failure where it happens (one line per failure, devserver.outcomes);
    # the supervisor retries each failed reload whose file changed again, and says so.
    failures = log.count("reload of hello_ext failed")
    assert log.count("hello_ext changed again while reloading: reloading again") >= failures
    assert client.failed == []
