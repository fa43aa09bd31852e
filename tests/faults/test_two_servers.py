"""Fault 8: with two dev servers running, the CLI takes the one for this folder or extension,
else asks for --url listing both; files a killed server left are cleaned at the next start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.cli.client import from_runtime_files
from devserver.errors import ConfigError
from devserver.runtime import remove_stale_files

from ..conftest import wait_until


@pytest.fixture
def other_pid() -> Iterator[int]:
    """A second live process to stand for the second supervisor."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _runtime(folder: Path, pid: int, url: str, project: Path, extension: str) -> None:
    info = {"pid": pid, "url": url, "token": "t", "projects": [str(project)],
            "extensions": [extension]}  # fmt: skip
    (folder / f"devserver-{pid}.json").write_text(json.dumps(info))


def test_the_server_of_this_folder_or_extension_is_chosen(
    tmp_path: Path, other_pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a server's project its server is used; elsewhere the one with the extension;
    else a ConfigError lists both servers with URL and pid."""
    runtime, one, two = tmp_path / "rt", tmp_path / "one", tmp_path / "two"
    for folder in (runtime, one / "pkg", two):
        folder.mkdir(parents=True)
    _runtime(runtime, os.getpid(), "http://127.0.0.1:1/", one, "one_ext")
    _runtime(runtime, other_pid, "http://127.0.0.1:2/", two, "two_ext")
    (runtime / f"devserver-{other_pid}.json").touch()  # the newest: it must not win by mtime

    monkeypatch.chdir(one / "pkg")
    found = from_runtime_files(runtime)
    assert found is not None
    assert (found.url, found.pid) == ("http://127.0.0.1:1/", os.getpid())
    monkeypatch.chdir(tmp_path)
    by_name = from_runtime_files(runtime, "one_ext")
    assert by_name is not None
    assert by_name.url == "http://127.0.0.1:1/"
    with pytest.raises(ConfigError) as info:
        from_runtime_files(runtime)
    assert "pick one with --url" in str(info.value)
    assert f"http://127.0.0.1:2/ (pid {other_pid}, {two})" in str(info.value)


def test_files_of_killed_servers_are_removed_at_start(tmp_path: Path, other_pid: int) -> None:
    """Runtime files of dead pids and kernel files no live process uses go; the rest stay."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = [f"devserver-{dead}.json", f"jpserver-{dead}.json", f"jpserver-{dead}-open.html",
             "kernel-0000-dead.json"]  # fmt: skip
    kept = [f"devserver-{other_pid}.json", f"jpserver-{other_pid}.json", "notes.txt"]
    for name in stale + kept:
        (tmp_path / name).write_text("{}")
    in_use = tmp_path / "kernel-1111-live.json"
    in_use.write_text("{}")
    user = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-f", str(in_use)]
    )
    try:
        cmdline = Path(f"/proc/{user.pid}/cmdline")
        wait_until(lambda: in_use.name.encode() in cmdline.read_bytes(), what="the kernel's exec")
        remove_stale_files(tmp_path)
    finally:
        user.kill()
        user.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, in_use.name])
