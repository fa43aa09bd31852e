"""Fault 3: an import that hangs or spins is abandoned at the reload deadline, with the line it
is stuck on; the old code serves, other extensions reload, and the fix applies at once (it used
to be a 60 s outage followed by a restart into the same hang)."""

from __future__ import annotations

import re

import pytest

from ..conftest import Factory, wait_until
from .conftest import HELLO, SteadyClient, no_process_left

pytestmark = pytest.mark.e2e

HANGS = {
    "sleep": "import time\ntime.sleep(3600)\n",
    "spin": "while True:\n    pass\n",
}
GREETER = "greeter_app/greeter_app/handlers.py"


@pytest.mark.parametrize("hang", sorted(HANGS))
def test_hanging_import_is_abandoned_and_the_fix_applies(
    devserver_factory: Factory, steady: list[SteadyClient], hang: str
) -> None:
    """A hang at import fails the reload in about 2 s naming handlers.py:<line>, no request
    fails, another extension reloads meanwhile, and saving the fix serves it."""
    server = devserver_factory(
        "hello_ext", "greeter_app", args=("--DevServer.reload_timeout=2", "--stop-timeout=2")
    )
    client = SteadyClient(server).start()
    steady.append(client)
    path = server.root / HELLO
    good = path.read_text()
    path.write_text(good + HANGS[hang])
    stuck_line = len(good.splitlines()) + len(HANGS[hang].splitlines())
    server.wait_for_log("reload of hello_ext failed: ImportStuck", timeout=30)
    assert re.search(
        rf"stuck at {re.escape(str(path))}:{stuck_line - (hang == 'spin')}\b", server.log()
    )
    assert client.last == "Hello, world!"

    server.edit(GREETER, '"by": self.name', '"by": "edited"')
    wait_until(
        lambda: server.get("greeter/api/greet").json()["by"] == "edited",
        timeout=20,
        what="the other extension's edit",
    )

    path.write_text(good.replace('GREETING = "Hello"', 'GREETING = "Fixed"'))
    wait_until(lambda: client.last == "Fixed, world!", timeout=30, what="the fix to be served")
    assert "is still stuck; restarting the worker" in server.log()
    client.stop()
    assert client.failed == []
    assert server.stop() == 0
    no_process_left(client.pids)
