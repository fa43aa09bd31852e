"""The runtime file a supervisor writes and the CLI reads to find it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from devserver.cli.client import from_runtime_files
from devserver.runtime import RuntimeFile, runtime_folder


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Jupyter's runtime folder, in the test's own tmp dir."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return tmp_path / "runtime"


@pytest.mark.parametrize(
    ("ip", "url"),
    [
        ("::1", "http://[::1]:8888/lab/"),
        ("::", "http://127.0.0.1:8888/lab/"),
        ("0.0.0.0", "http://127.0.0.1:8888/lab/"),
        ("10.1.2.3", "http://10.1.2.3:8888/lab/"),
    ],
)
def test_runtime_file_url_reaches_the_server(folder: Path, ip: str, url: str) -> None:
    """The runtime file's URL names a host a client can connect to, IPv6 in brackets."""
    written = RuntimeFile.write(ip, 8888, "/lab/", "t0k")
    assert written.path == folder / f"devserver-{os.getpid()}.json"
    assert json.loads(written.path.read_text())["url"] == url
    assert written.path.stat().st_mode & 0o777 == 0o600


def test_cli_finds_the_file_the_supervisor_wrote(folder: Path) -> None:
    """The CLI's runtime-file lookup finds what ``RuntimeFile.write`` wrote, in one folder."""
    written = RuntimeFile.write("::1", 9000, "/", "t0k")
    found = from_runtime_files(runtime_folder())
    assert found is not None
    assert (found.url, found.token, found.found_by) == (
        "http://[::1]:9000/",
        "t0k",
        str(written.path),
    )
    written.remove()
    assert from_runtime_files(runtime_folder()) is None
