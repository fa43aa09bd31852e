"""``devserver requests``, ``devserver logs`` and ``devserver errors`` against a real server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DevServer, wait_until
from tests.test_apicli import devserver

from .test_requests import line_of


@pytest.fixture
def server(raising: DevServer) -> DevServer:
    return raising


@pytest.fixture
def cli_env(server: DevServer, isolated_env: dict[str, str]) -> dict[str, str]:
    return {**isolated_env, "DEVSERVER_URL": server.url, "DEVSERVER_TOKEN": server.token}


def test_requests_follow_prints_a_request_made_after_it_started(
    server: DevServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """``devserver requests --follow --extension hello_ext`` prints a later request to /hello."""
    out = tmp_path / "follow.out"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "devserver", "requests", "--follow", "--extension", "hello_ext",
             "--limit", "7"],
            stdout=sink, stderr=subprocess.STDOUT, env=cli_env,
        )  # fmt: skip
    try:
        # Once connected to the event stream the command asks for the kept requests: that
        # request, with its ``limit=7``, says it is following.
        def connected() -> bool:
            kept = server.get("_introspect/api/requests", params={"extension": "dashboard"})
            return any("limit=7" in e["path"] for e in kept.json()["requests"])

        wait_until(connected, what="the CLI to connect")
        assert "/hello?t=follow" not in out.read_text()
        server.get("hello", params={"t": "follow"})
        wait_until(lambda: "/hello?t=follow" in out.read_text(), what="the request printed")
        assert "hello_ext" in out.read_text()
        assert "200" in out.read_text()
        assert proc.poll() is None  # still following
    finally:
        proc.terminate()
        proc.wait(10)


def test_requests_lists_and_filters_with_json(server: DevServer, cli_env: dict[str, str]) -> None:
    """``devserver requests --status 5xx`` prints only failures; ``--json`` the API's JSON."""
    server.get("hello", params={"t": "cli"})
    server.get("raising/api", params={"t": "cli"})
    done = devserver("requests", "--status", "5xx", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "/raising/api?t=cli" in done.stdout
    assert "/hello" not in done.stdout
    as_json = devserver("requests", "--extension", "hello_ext", "--json", env=cli_env)
    assert '"route": "/hello"' in as_json.stdout


def test_errors_and_logs_commands_show_runtime_failures_and_log_records(
    server: DevServer, cli_env: dict[str, str]
) -> None:
    """``devserver errors`` shows the handler's error at file:line; ``devserver logs`` the
    extension's log records (its module logger and ``self.log`` calls in its files)."""
    server.get("raising/api")
    server.get("raising/ok")
    errors = devserver("errors", env=cli_env)
    assert errors.returncode == 0, errors.stderr
    assert "request" in errors.stdout
    assert "KeyError" in errors.stdout
    assert f"handlers.py:{line_of(server, 'api')}" in errors.stdout
    assert "[GET /raising/api" in errors.stdout
    logs = devserver("logs", "raising_ext", env=cli_env)
    assert logs.returncode == 0, logs.stderr
    assert "raising_ext says hello from a handler" in logs.stdout
    assert "raising_ext module logger warns" in logs.stdout
    unknown = devserver("logs", "nope", env=cli_env)
    assert unknown.returncode == 2
    assert "no extension named 'nope'" in unknown.stderr
