"""Fault 9: what the supervisor says about a worker is true of that worker."""

from __future__ import annotations

import pytest

from ..conftest import Factory

pytestmark = pytest.mark.e2e


def test_live_worker_too_slow_to_start_is_named_as_such(devserver_factory: Factory) -> None:
    """A live worker past the ready timeout is "did not start serving within", never "did not
    start (exit code None)"."""
    server = devserver_factory("hello_ext", args=("--DevServer.ready_timeout=0.2",), wait=False)
    server.wait_for_log("the worker did not start serving within 0.2 s", timeout=30)
    assert "exit code None" not in server.log()
