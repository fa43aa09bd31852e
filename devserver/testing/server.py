"""A real ``devserver run`` on a temporary copy of a project, and a client to drive it.

Used by the pytest plugin (``devserver.testing``); usable on its own:

>>> with DevServerRun.start(Path("myext"), Path("/tmp/x")) as server:  # doctest: +SKIP
...     server.edit("myext/handlers.py", '"Hello"', '"Howdy"')
...     server.wait_served("/hello", "Howdy")
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

from devserver.apijson import AuditJson, ReloadJson
from devserver.cli.opener import open_url
from devserver.typedjson import conforms

T = TypeVar("T")
#: What is not copied from the author's project.
IGNORED = (
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".git",
    ".venv",
    "node_modules",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
)
STARTUP_TIMEOUT = 90.0


class DevServerFailed(AssertionError):
    """The dev server did not start or did not do what a test waited for; carries its log."""


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status and body text."""

    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def poll(check: Callable[[], T | None], timeout: float, what: str, log: Callable[[], str]) -> T:
    """``check()`` until it returns something truthy; DevServerFailed naming ``what`` after
    ``timeout`` seconds, with the server's log."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise DevServerFailed(
        f"timed out after {timeout:g} s waiting for {what} (last: {last!r})\n"
        f"--- dev server log ---\n{log()[-4000:]}"
    )


@dataclass
class DevServerRun:
    """A ``devserver run`` process on ``root`` (a copy of the project), with its URL and token."""

    proc: subprocess.Popen[bytes]
    root: Path
    url: str
    token: str
    log_path: Path
    timeout: float = 15.0

    @classmethod
    def start(cls, project: Path, workdir: Path, args: Sequence[str] = ()) -> DevServerRun:
        """Copy ``project`` into ``workdir`` and start the dev server on the copy (port 0, a
        token of its own, Jupyter's folders inside ``workdir``); returns once it serves."""
        root = workdir / "project" / project.name
        shutil.copytree(project, root, ignore=shutil.ignore_patterns(*IGNORED))
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for var in ("JUPYTER_TOKEN", "DEVSERVER_URL", "DEVSERVER_TOKEN"):
            env.pop(var, None)
        for part in ("config", "runtime", "data"):
            env[f"JUPYTER_{part.upper()}_DIR"] = str(workdir / "jupyter" / part)
        token = os.urandom(16).hex()
        cmd = [
            sys.executable,
            "-m",
            "devserver",
            "run",
            str(root),
            "--port",
            "0",
            "--token",
            token,
            "--install=never",
            f"--ServerApp.root_dir={workdir}",
            *args,
        ]
        log_path = workdir / "devserver.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
            )
        runtime = workdir / "jupyter" / "runtime" / f"devserver-{proc.pid}.json"
        server = cls(proc, root, "", token, log_path)
        try:
            server.url = poll(
                lambda: server._started(runtime),
                STARTUP_TIMEOUT,
                "the dev server to start",
                server.log,
            )
        except BaseException:
            server.stop()
            raise
        return server

    def _started(self, runtime: Path) -> str | None:
        if self.proc.poll() is not None:
            raise DevServerFailed(
                f"devserver run exited with {self.proc.returncode}:\n{self.log()}"
            )
        if not runtime.exists() or "dashboard: http" not in self.log():
            return None
        return str(json.loads(runtime.read_text())["url"])

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def log(self) -> str:
        """Everything the dev server printed so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after 30 s; the exit code."""
        return stop_process(self.proc)

    # -- HTTP ---------------------------------------------------------------------------------
    def request(self, method: str, path: str, timeout: float = 60.0) -> Answer:
        """``method path`` (relative to the server's base URL) with the token; never raises for
        an HTTP error status."""
        url = self.url.rstrip("/") + "/" + path.lstrip("/")
        headers = {"Authorization": f"token {self.token}"}
        try:
            with open_url(url, headers, timeout, method) as resp:
                return Answer(resp.status, resp.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read().decode("utf-8", "replace"))

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def api(self, method: str, path: str) -> Any:
        """The JSON of ``/_introspect/api/<path>``; DevServerFailed for an error status."""
        answer = self.request(method, "_introspect/api/" + path.lstrip("/"), timeout=300)
        if answer.status >= 400:
            raise DevServerFailed(f"{method} {path} answered {answer.status}: {answer.text}")
        return answer.json()

    # -- what tests do ------------------------------------------------------------------------
    def edit(self, path: str, old: str, new: str) -> None:
        """Replace ``old`` by ``new`` in ``path`` (relative to the copied project), on disk."""
        file = self.root / path
        text = file.read_text()
        if old not in text:
            raise AssertionError(f"{old!r} is not in {file}")
        file.write_text(text.replace(old, new))

    def reload(self, name: str) -> ReloadJson:
        """Hot-reload extension ``name`` now; the reload result (``ok``, ``error``...)."""
        return self._api_as(f"extensions/{quote(name, safe='')}/reload", ReloadJson)

    def _api_as(self, path: str, kind: type[T]) -> T:
        """``POST`` ``path``, whose answer the API declares as the TypedDict ``kind``."""
        result = self.api("POST", path)
        if not isinstance(result, dict) or not conforms(result, kind):
            raise DevServerFailed(f"POST {path} answered no {kind.__name__}: {result!r}")
        return result

    def wait_served(self, path: str, text: str, timeout: float | None = None) -> Answer:
        """Poll ``GET path`` until a 200 answer contains ``text``; the answer."""

        def served() -> Answer | None:
            try:
                answer = self.get(path)
            except OSError:  # the worker is being restarted: the next poll may do
                return None
            return answer if answer.status == 200 and text in answer.text else None

        return poll(served, timeout or self.timeout, f"{text!r} at {path}", self.log)

    def audit(self, name: str, times: int = 5) -> AuditJson:
        """The reload-safety audit of ``name`` (``devserver doctor``'s data)."""
        return self._api_as(f"extensions/{quote(name, safe='')}/audit?times={times}", AuditJson)

    def assert_reload_safe(self, name: str, times: int = 20) -> AuditJson:
        """Reload ``name`` ``times`` times; fail listing every leak found, else the audit."""
        result = self.audit(name, times)
        if not result["ok"]:
            raise AssertionError(format_leaks(result))
        return result


def stop_process(proc: subprocess.Popen[bytes]) -> int:
    """Stop a ``devserver run`` as Ctrl-C would not (SIGINT makes ServerApp prompt): SIGTERM,
    then SIGKILL after 30 s; its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return int(proc.returncode)


def format_leaks(result: AuditJson) -> str:
    """The failure message of ``assert_reload_safe``: one line per finding."""
    lines = [f"{result['extension']} is not reload-safe after {result['times']} reloads:"]
    for check in result["checks"]:
        if not check["ok"]:
            lines.append(f"- {check['check']}: {check['summary']}")
            lines.extend(f"    {item}" for item in check["items"])
    return "\n".join(lines)
