"""Fault 5: a config file that cannot be read restarts nothing: one short error with
file:line:col, the worker and its kernel stay, and the fix applies once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..conftest import Factory, wait_until

pytestmark = pytest.mark.e2e


def test_broken_config_json_and_pyproject_restart_nothing(
    devserver_factory: Factory, isolated_env: dict[str, str]
) -> None:
    """Broken JSON in jupyter_server_config.d and invalid TOML in pyproject.toml are reported
    as file:line:col and restart nothing; the fixed JSON restarts the worker once."""
    conf_d = Path(isolated_env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.d"
    conf_d.mkdir(parents=True)
    server = devserver_factory("hello_ext")
    worker = server.worker_pid()
    kernel = server.client.post("api/kernels", json={"name": "python3"}).json()["id"]

    broken = conf_d / "mine.json"
    broken.write_text('{"ServerApp": {\n  "ip": \n}}')
    server.wait_for_log(f"{broken}:3:1: Expecting value (not JSON)")
    pyproject = server.root / "hello_ext/pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[broken\n")
    server.wait_for_log(f"{pyproject}:")
    assert re.search(rf"{re.escape(str(pyproject))}:\d+:\d+: .* \(not TOML\)", server.log())
    assert "Traceback" not in server.log()
    assert "restarting the worker" not in server.log()
    assert server.worker_pid() == worker
    assert kernel in [k["id"] for k in server.get("api/kernels").json()]

    broken.write_text('{"ServerApp": {}}')
    server.wait_for_log("restarting the worker: config changed: mine.json")
    wait_until(lambda: server.get("hello").status_code == 200, what="the restarted worker")
    assert server.log().count("restarting the worker") == 1
