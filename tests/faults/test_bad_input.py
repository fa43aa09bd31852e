"""Security and bad input (issue 10, points 11, 14, 15, 18): each answered with a clear error
and nothing else, against a running dev server or the command line as a user types it."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import Factory, copy_example, wait_until

pytestmark = pytest.mark.e2e

JUNK_IDS = ["9" * 5000, "\u00b2", "\u2460", "1:x", "-1"]


def _raw_post(port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """Send a POST's headers and the first bytes of its body; what the server answers within
    5 s without the rest."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode() + body)
        return sock.recv(4096)


def test_the_dashboard_refuses_bad_requests_before_reading_them(devserver_factory: Factory) -> None:
    """Junk event ids are a 400 with a JSON error; a 50 MB POST is refused after its headers,
    403 without the token and 413 with it, before its body is sent."""
    server = devserver_factory("hello_ext")
    for junk in JUNK_IDS:
        response = server.get("_introspect/api/events", params={"after": junk})
        assert response.status_code == 400, junk
        assert "not an event id" in response.json()["error"]
    by_header = server.get("_introspect/api/events", headers={"Last-Event-ID": "\u00b2".encode()})
    assert by_header.status_code == 400

    path = "/_introspect/api/extensions/hello_ext/reload"
    big = {"Content-Length": str(50 * 1024 * 1024), "Content-Type": "application/octet-stream"}
    refused = _raw_post(server.port, path, big, b"x" * 1024)
    assert refused.startswith(b"HTTP/1.1 403")
    assert b"\r\nConnection: close\r\n" in refused
    token = {"Authorization": f"token {server.token}"}
    assert _raw_post(server.port, path, {**big, **token}, b"x" * 1024).startswith(b"HTTP/1.1 413")
    assert server.client.post(path.lstrip("/")).json()["ok"] is True
    assert "Traceback" not in server.log()


def test_token_files_are_private_on_a_fresh_home(
    devserver_factory: Factory, isolated_env: dict[str, str]
) -> None:
    """The runtime folder the dev server creates is 0700, the worker's open.html 0600."""
    runtime = Path(isolated_env["JUPYTER_RUNTIME_DIR"])
    assert not runtime.exists()
    server = devserver_factory("hello_ext")
    worker = server.worker_pid()
    opener = runtime / f"jpserver-{worker}-open.html"
    wait_until(opener.exists, what="the worker's open.html")
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
    assert stat.S_IMODE(opener.stat().st_mode) == 0o600
    assert server.token in opener.read_text()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--port", "abc"], "devserver: --port: expected an int, not the str 'abc'."),
        (["--stop-timeout", "abc"], "devserver: --stop-timeout: expected a float"),
        (["--install", "bogus"], "devserver: --install: expected any of ['auto', 'always'"),
        (["--poll-delay-ms", "x"], "devserver: --poll-delay-ms: expected an int"),
        (["--ip", "notanip"], "devserver: --ip notanip: not an IP address or a host name"),
        (["--port", "1", "--port", "2"], "devserver: Error loading argument DevServer.port"),
    ],
)
def test_bad_option_is_one_line_and_exit_2(
    isolated_env: dict[str, str], tmp_path: Path, args: list[str], said: str
) -> None:
    """A bad option value prints one line naming the option and what it takes; exit code 2."""
    project = copy_example("hello_ext", tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "devserver", "run", str(project), *args],
        capture_output=True, text=True, env=isolated_env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(said)


def test_listening_on_every_interface_warns(isolated_env: dict[str, str], tmp_path: Path) -> None:
    """--ip 0.0.0.0 warns that the server is reachable from the network (checked before any
    socket is bound: the PATH is missing, so the run ends there)."""
    done = subprocess.run(
        [sys.executable, "-m", "devserver", "run", str(tmp_path / "missing"), "--ip", "0.0.0.0"],
        capture_output=True, text=True, env=isolated_env, timeout=60, check=False,
    )  # fmt: skip
    assert "reachable from the network" in done.stdout + done.stderr
    assert done.returncode == 2
