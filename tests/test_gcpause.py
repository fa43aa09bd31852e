"""A worker starts with the garbage collector off and its imports frozen (gcpause.py), and serves
with the collector on and the extensions' code collectable: a first worker, a restart served by
the standby, and a worker started without standby."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DevServer, Factory, wait_until

pytestmark = pytest.mark.e2e

PROBE = Path(__file__).parent / "fixtures" / "gcprobe_ext"
#: jupyter_server and tornado alone are well over this many objects.
FROZEN_AT_LEAST = 50_000


def assert_serving_with_the_collector_on(server: DevServer) -> None:
    state = server.get("gcprobe").json()
    assert state["enabled"] is True
    assert state["frozen"] > FROZEN_AT_LEAST
    # The extension's own code was imported after the freeze: a reload can free it.
    assert state["own_class_walked"] is True


@pytest.mark.parametrize("args", [(), ("--no-standby",)], ids=["standby", "no-standby"])
def test_a_serving_worker_collects_and_its_imports_are_frozen(
    devserver_factory: Factory, args: tuple[str, ...]
) -> None:
    server = devserver_factory(str(PROBE), args=args)
    assert_serving_with_the_collector_on(server)


def test_a_restarted_worker_collects_too(devserver_factory: Factory) -> None:
    """The restart is served by a standby that had time to spare (it collected, then froze)."""
    server = devserver_factory(str(PROBE))
    worker = server.worker_pid()
    server.edit("gcprobe_ext/pyproject.toml", 'description = "', 'description = "Edited. ')
    wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
    wait_until(lambda: server.get("gcprobe").status_code == 200, what="the new worker to answer")
    assert_serving_with_the_collector_on(server)
