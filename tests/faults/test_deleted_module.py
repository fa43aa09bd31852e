"""Fault 7: deleting a module of a watched package fails the reload, old code kept, even when
another copy of the package is installed (this repo's examples are, editable, in the venv)."""

from __future__ import annotations

import pytest

from ..conftest import Factory, wait_until
from .conftest import HELLO, SteadyClient

pytestmark = pytest.mark.e2e


def test_deleted_module_is_a_failure_not_another_copy(
    devserver_factory: Factory, steady: list[SteadyClient]
) -> None:
    """After an edit, deleting handlers.py keeps the edited code serving and says the module is
    not in the watched folder; the installed copy of the repo ("Hello") is never served."""
    server = devserver_factory("hello_ext")
    server.edit(HELLO, 'GREETING = "Hello"', 'GREETING = "Edited"')
    client = SteadyClient(server).start()
    steady.append(client)
    wait_until(lambda: client.last == "Edited, world!", what="the edit")
    (server.root / HELLO).unlink()
    server.wait_for_log("reload of hello_ext failed: ModuleNotFoundError")
    assert "not in the watched folder" in server.log() or "No module named" in server.log()
    served = client.ok
    wait_until(lambda: client.ok > served + 3, what="more answers")
    client.stop()
    assert client.last == "Edited, world!"
    assert client.failed == []
