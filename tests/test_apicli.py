"""``devserver reload/status/extensions/routes/errors``: against a real server, and their parts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devserver.cli import client as client_module
from devserver.cli import containers
from devserver.cli.apicli import describe_reload, table
from devserver.cli.client import ServerInfo, find_server, from_runtime_files
from devserver.errors import ExitCode, ServerNotFound
from devserver.outcomes import where
from tests.conftest import DevServer, free_port
from tests.dashboard.conftest import start_with_broken_ext


@pytest.fixture
def dash(devserver_factory: Any, tmp_path: Path) -> DevServer:
    """A dev server on the examples and the broken test extension."""
    return start_with_broken_ext(devserver_factory, tmp_path)


def devserver(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the ``devserver`` command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "devserver", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_commands_find_the_local_server_through_its_runtime_file(
    dash: DevServer, isolated_env: dict[str, str]
) -> None:
    """Without --url, the commands find the running server and print readable tables."""
    status = devserver("status", env=isolated_env)
    assert status.returncode == ExitCode.OK, status.stderr
    assert "jupyter_server_version" in status.stdout
    extensions = devserver("extensions", env=isolated_env)
    lines = extensions.stdout.splitlines()
    assert lines[0].split()[:3] == ["NAME", "STATE", "VERSION"]
    assert any(line.split()[:2] == ["broken_ext", "failed"] for line in lines)
    assert any(line.split()[:2] == ["hello_ext", "loaded"] for line in lines)
    routes = devserver("routes", "--extension", "hello_ext", env=isolated_env)
    assert routes.stdout.splitlines()[1].split()[1:3] == ["/hello", "hello_ext"]
    errors = devserver("errors", env=isolated_env)
    assert "broken_ext" in errors.stdout
    assert "broken_ext/__init__.py:" in errors.stdout
    assert dash.token not in errors.stdout  # masked by the server
    by_port = devserver("errors", "--port", str(dash.port), env=isolated_env)  # as `run` takes it
    assert by_port.returncode == ExitCode.OK, by_port.stderr
    assert "broken_ext" in by_port.stdout


def test_json_output_and_explicit_url_and_token(
    dash: DevServer, isolated_env: dict[str, str]
) -> None:
    """--json prints the API's JSON; --url/--token and DEVSERVER_URL/TOKEN select the server."""
    env = {**isolated_env, "JUPYTER_RUNTIME_DIR": "/nonexistent"}
    flags = devserver("extensions", "--json", "--url", dash.url, "--token", dash.token, env=env)
    names = {e["name"] for e in json.loads(flags.stdout)["extensions"]}
    assert {"hello_ext", "greeter_app", "broken_ext"} <= names
    env.update(DEVSERVER_URL=dash.url, DEVSERVER_TOKEN=dash.token)
    by_env = devserver("status", "--json", env=env)
    assert json.loads(by_env.stdout)["pid"] == dash.worker_pid()


def test_reload_exit_codes(dash: DevServer, isolated_env: dict[str, str]) -> None:
    """reload: 0 with what changed, 2 for an unknown name, 6 with file:line for broken code."""
    ok = devserver("reload", "hello_ext", env=isolated_env)
    assert ok.returncode == ExitCode.OK, ok.stderr
    assert ok.stdout.startswith("✓ reloaded hello_ext (hot) in ")
    assert "routes 1 → 1" in ok.stdout
    unknown = devserver("reload", "nope", env=isolated_env)
    assert unknown.returncode == ExitCode.CONFIG_ERROR
    assert "no extension named 'nope'" in unknown.stderr
    assert "hello_ext" in unknown.stderr
    dash.edit("hello_ext/hello_ext/handlers.py", 'GREETING = "Hello"', 'GREETING = "Hello"\n)')
    bad = devserver("reload", "hello_ext", env=isolated_env)
    assert bad.returncode == ExitCode.RELOAD_FAILED
    assert "hello_ext/handlers.py:" in bad.stdout
    assert "previous code keeps serving" in bad.stdout
    assert "kept its previous code" in bad.stderr


def test_unreachable_server_and_wrong_token(dash: DevServer, isolated_env: dict[str, str]) -> None:
    """An unreachable URL exits 4 and a refused token exits 5, each with a clear message."""
    gone = f"http://127.0.0.1:{free_port()}/"
    down = devserver("status", "--url", gone, env=isolated_env)
    assert down.returncode == ExitCode.SERVER_NOT_FOUND
    assert f"cannot reach the dev server at {gone}" in down.stderr
    refused = devserver("status", "--url", dash.url, "--token", "wrong", env=isolated_env)
    assert refused.returncode == ExitCode.API_ERROR
    assert "refused" in refused.stderr


def test_no_server_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no flag, no env, no runtime file and no container, ServerNotFound says what to do."""
    monkeypatch.setattr(client_module, "from_container", lambda: None)
    with pytest.raises(ServerNotFound, match="devserver run"):
        find_server(environ={}, runtime_dir=tmp_path)


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Flags beat the environment, which beats runtime files, which beat a container."""
    (tmp_path / "devserver-1.json").write_text(
        json.dumps({"pid": os.getpid(), "url": "http://file/", "token": "ft"})
    )
    monkeypatch.setattr(client_module, "from_container", lambda: ServerInfo("http://c/", "c", "c"))
    env = {"DEVSERVER_URL": "http://env/", "DEVSERVER_TOKEN": "et"}
    assert find_server("http://flag/", "t", env, tmp_path) == ServerInfo(
        "http://flag/", "t", "--url"
    )
    assert find_server(None, None, env, tmp_path).url == "http://env/"
    from_file = find_server(None, None, {}, tmp_path)
    assert (from_file.url, from_file.token) == ("http://file/", "ft")
    assert find_server(None, "override", {}, tmp_path).token == "override"
    (tmp_path / "devserver-1.json").unlink()
    assert find_server(None, None, {}, tmp_path).found_by == "c"


def test_runtime_files_of_dead_or_broken_servers_are_skipped(tmp_path: Path) -> None:
    """A file whose process is gone, or that is not JSON, is ignored."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    (tmp_path / "devserver-2.json").write_text(json.dumps({"pid": int(dead.stdout), "url": "x"}))
    (tmp_path / "devserver-3.json").write_text("{not json")
    assert from_runtime_files(tmp_path) is None


def test_container_fallback_uses_the_container_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dev server found in a container is used when nothing else is."""
    monkeypatch.setattr(containers, "find_container_server", lambda: ("http://127.0.0.1:1/", "k"))
    assert client_module.from_container() == ServerInfo("http://127.0.0.1:1/", "k", "container")
    monkeypatch.setattr(containers, "find_container_server", lambda: None)
    assert client_module.from_container() is None


def test_table_and_reload_text() -> None:
    """Tables align and cut long cells; reload results read as one line or an error block."""
    text = table(["a", "b"], [["x" * 80, "y" * 80]])
    first, row = text.splitlines()
    assert first.startswith("A ")
    assert row.split()[0].endswith("…")
    assert row.endswith("y" * 80)
    ok: dict[str, Any] = {"extension": "e", "ok": True, "mode": "hot", "duration_ms": 1.25,
                          "blocked_ms": 0.5, "routes_before": 1, "routes_after": 2,
                          "together_with": ["f"], "error": None}  # fmt: skip
    assert describe_reload(ok) == (
        "✓ reloaded e (hot) in 1.2 ms (loop held 0.5 ms), routes 1 → 2; also reloaded f"
    )
    error = {"extension": "e", "phase": "reload", "type": "SyntaxError", "message": "bad",
             "file": "/x.py", "line": 3, "traceback": "T"}  # fmt: skip
    failed = describe_reload({**ok, "ok": False, "error": error})
    assert "SyntaxError: bad" in failed
    assert "at /x.py:3" in failed
    assert where({"file": None}) == "-"
