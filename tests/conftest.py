"""Shared fixtures: start ``devserver run`` as a user would, on temporary copies of the examples."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest

from devserver.testing.server import stop_process

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TOKEN = "test-token-0123456789abcdef"
#: Headless Chromium as these machines run it (no background networking: the network is closed).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip
T = TypeVar("T")

pytest_plugins = ["pytest_jupyter.jupyter_server"]


class Poll:
    """A condition polled until a deadline: ``wait_until`` and ``wait_until_async`` drive it."""

    def __init__(self, check: Callable[[], T], timeout: float, what: str) -> None:
        self.check, self.what, self.timeout = check, what, timeout
        self.deadline = time.monotonic() + timeout
        self.last: Any = None

    def done(self) -> bool:
        """True once ``check`` returned something truthy; AssertionError after the deadline."""
        try:
            self.last = self.check()
        except (httpx.HTTPError, OSError) as exc:
            self.last = exc
        if self.last:
            return True
        if time.monotonic() >= self.deadline:
            raise AssertionError(
                f"timed out after {self.timeout} s waiting for {self.what or self.check}: "
                f"last {self.last!r}"
            )
        return False


# The default deadline is a bound, not a budget: a condition met at once returns at once, and a
# worker start that takes 2 s on a quiet machine took over 15 s at load average 14.
DEADLINE = 30.0


def wait_until(
    check: Callable[[], T], timeout: float = DEADLINE, interval: float = 0.02, what: str = ""
) -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    poll = Poll(check, timeout, what)
    while not poll.done():
        time.sleep(interval)
    return poll.last  # type: ignore[no-any-return]


async def wait_until_async(
    check: Callable[[], T], timeout: float = DEADLINE, interval: float = 0.01, what: str = ""
) -> T:
    """``wait_until`` inside an event loop: the loop keeps running between polls."""
    poll = Poll(check, timeout, what)
    while not poll.done():
        await asyncio.sleep(interval)
    return poll.last  # type: ignore[no-any-return]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def copy_example(name: str, dest: Path) -> Path:
    target = dest / Path(name).name
    shutil.copytree(
        EXAMPLES / name if (EXAMPLES / name).exists() else Path(name),
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
    )
    return target


@dataclass
class DevServer:
    """A running ``devserver run`` and what a test needs to drive it."""

    proc: subprocess.Popen[bytes]
    root: Path
    port: int
    base_url: str
    token: str
    log_path: Path
    runtime_dir: Path
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {self.token}"}, timeout=10
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path.lstrip("/"), **kwargs)

    def worker_pid(self) -> int | None:
        """The worker serving now: the supervisor's child with a ``jpserver-<pid>.json`` file
        (kernels and a standby worker are its children too)."""
        kids = [p for p in children(self.proc.pid) if alive(p)]
        serving = [p for p in kids if (self.runtime_dir / f"jpserver-{p}.json").exists()]
        return serving[-1] if serving else None

    def wait_for_log(self, text: str, timeout: float = DEADLINE) -> None:
        wait_until(lambda: text in self.log(), timeout, what=f"log line {text!r}")

    def edit(self, relpath: str, old: str, new: str) -> None:
        """Edit a file of the copied examples on disk, as an editor would."""
        path = self.root / relpath
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new))

    def stop(self) -> int:
        self.client.close()
        return stop_process(self.proc)


Factory = Callable[..., DevServer]


def make_isolated_env(tmp_path: Path) -> dict[str, str]:
    """Environment with Jupyter's user folders in ``tmp_path``."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ}
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        PYTHONUNBUFFERED="1",
    )
    for var in ("JUPYTER_TOKEN", "DEVSERVER_URL", "DEVSERVER_TOKEN", "DEVSERVER_POLL"):
        env.pop(var, None)
    return env


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """Environment with Jupyter's user folders in the test's own tmp dir."""
    return make_isolated_env(tmp_path)


@contextmanager
def devservers(tmp_path: Path, isolated_env: dict[str, str]) -> Iterator[Factory]:
    """A factory that starts ``devserver run`` on copies of the named examples in ``tmp_path``;
    every server it started is stopped when the block ends."""
    started: list[DevServer] = []

    def start(
        *examples: str,
        base_url: str = "/",
        args: tuple[str, ...] = (),
        wait: bool = True,
        env: dict[str, str] | None = None,
        install: str = "never",
        root_dir: Path | None = None,
    ) -> DevServer:
        root = tmp_path / "extensions"
        root.mkdir(exist_ok=True)
        for name in examples:
            copy_example(name, root)
        port = free_port()
        log_path = tmp_path / f"devserver-{len(started)}.log"
        cmd = [sys.executable, "-m", "devserver", "run", str(root), "--port", str(port),
               "--token", TOKEN, "--base-url", base_url, f"--install={install}",
               f"--ServerApp.root_dir={root_dir or tmp_path}", *args]  # fmt: skip
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
                env={**isolated_env, **(env or {})}, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        runtime = Path(isolated_env["JUPYTER_RUNTIME_DIR"])
        server = DevServer(proc, root, port, base_url, TOKEN, log_path, runtime)
        started.append(server)
        if wait:
            wait_until(
                lambda: proc.poll() is not None or "dashboard: http" in server.log(),
                timeout=60, what="the dev server to start",
            )  # fmt: skip
            assert proc.poll() is None, f"devserver run exited:\n{server.log()}"
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def devserver_factory(tmp_path: Path, isolated_env: dict[str, str]) -> Iterator[Factory]:
    """Start ``devserver run`` on copies of the named examples; stopped at teardown."""
    with devservers(tmp_path, isolated_env) as start:
        yield start


def quoted_base_url(raw: str = "a@b") -> str:
    """An awkward base_url, as in the issue: ``/a%40b/``."""
    return f"/{quote(raw)}/"
