"""Fault 2: the worker and its kernels end within 2 s of the supervisor's death, whether the
worker is starting or serving (it used to keep the port under PID 1)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from ..conftest import Factory, alive, wait_until
from .conftest import SteadyClient, descendants, no_process_left

pytestmark = pytest.mark.e2e

#: The issue's limit, plus the polling of this test on a loaded machine.
LIMIT = 2.0 + 0.5


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _gone_within(pids: set[int], limit: float) -> float:
    started = time.monotonic()
    wait_until(lambda: not [p for p in pids if alive(p)], limit, what=f"{sorted(pids)} to end")
    return time.monotonic() - started


def test_supervisor_killed_while_serving_ends_worker_and_kernel(
    devserver_factory: Factory, steady: list[SteadyClient]
) -> None:
    """SIGKILL of a serving supervisor: worker and kernel end within 2 s, the port is free."""
    server = devserver_factory("hello_ext")
    server.client.post("api/kernels", json={"name": "python3"}).raise_for_status()
    # The supervisor owns the kernels (they outlive worker restarts): look in its whole tree.
    wait_until(lambda: any(_is_kernel(p) for p in descendants(server.proc.pid)), what="a kernel")
    tree = descendants(server.proc.pid)
    assert server.worker_pid() in tree
    server.proc.send_signal(signal.SIGKILL)
    _gone_within(tree, LIMIT)


def test_supervisor_killed_while_the_worker_starts_ends_it(devserver_factory: Factory) -> None:
    """SIGKILL of the supervisor while its worker is still importing: the worker ends too."""
    server = devserver_factory("hello_ext", wait=False)
    worker = wait_until(server.worker_pid, 30, interval=0.005, what="the worker process")
    assert "dashboard: http" not in server.log()
    server.proc.send_signal(signal.SIGKILL)
    _gone_within({worker}, LIMIT)


def test_supervisor_killed_while_the_loop_is_blocked_ends_worker(
    devserver_factory: Factory,
) -> None:
    """A worker whose event loop is blocked (SIGTERM cannot be acted on) still ends in 2 s."""
    server = devserver_factory("hello_ext")
    server.edit(
        "hello_ext/hello_ext/handlers.py",
        'self.finish({"message": greeting("world")})',
        "import time; time.sleep(60)  # noqa",
    )
    server.wait_for_log("✓ reloaded hello_ext")
    with pytest.raises(Exception):  # noqa: B017, PT011 - it must not answer: it is blocked
        server.get("hello", timeout=0.5)
    tree = {server.proc.pid, *descendants(server.proc.pid)}
    server.proc.send_signal(signal.SIGKILL)
    _gone_within(tree, LIMIT)
    no_process_left(tree)
