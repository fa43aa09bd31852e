"""The fault suite's tools: a steady client that counts failed requests while a fault happens,
and the process tree of a dev server, to check that nothing is left behind."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ..conftest import DevServer, alive, children, wait_until

HELLO = "hello_ext/hello_ext/handlers.py"


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@dataclass
class SteadyClient:
    """GETs ``path`` in a loop from a thread (each with a timeout, each on a new connection, as
    a browser retries a request whose kept-alive connection a restarted worker closed) and notes
    every process of the dev server's tree it sees, until stopped."""

    server: DevServer
    path: str = "hello"
    ok: int = 0
    failed: list[str] = field(default_factory=list)
    pids: set[int] = field(default_factory=set)
    last: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> SteadyClient:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        wait_until(lambda: self.ok > 0, what="a first answer to the steady client")
        return self

    def _run(self) -> None:
        headers = {"Authorization": f"token {self.server.token}", "Connection": "close"}
        # A request held in the listening socket's queue while a worker restarts is answered
        # late, not refused: it counts as failed only past this generous timeout.
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=30) as client:
            while not self._stop.is_set():
                self.pids |= {self.server.proc.pid, *descendants(self.server.proc.pid)}
                try:
                    response = client.get(self.path)
                except httpx.HTTPError as exc:
                    self.failed.append(f"{type(exc).__name__}: {exc}")
                    continue
                if response.status_code == 200:
                    self.ok += 1
                    self.last = response.json().get("message")
                else:
                    self.failed.append(f"HTTP {response.status_code}")
                self._stop.wait(0.02)

    def stop(self) -> SteadyClient:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
        return self


def replayed_events(server: DevServer) -> list[dict[str, Any]]:
    """The events the worker kept, as its event stream replays them (until it goes quiet for a
    second, or 15 s: live-only kinds such as ``request`` may keep it busy)."""
    events: list[dict[str, Any]] = []
    timeout = httpx.Timeout(10, read=1.0)
    deadline = time.monotonic() + 15
    try:
        with server.client.stream("GET", "_introspect/api/events?after=0", timeout=timeout) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and '"kind"' in line:
                    events.append(json.loads(line[len("data: ") :]))
                if time.monotonic() > deadline:
                    break
    except httpx.ReadTimeout:
        pass  # the replay is over: the stream now waits for new events
    return events


def no_process_left(pids: set[int], timeout: float = 10.0) -> None:
    """Every process in ``pids`` has ended (after the dev server was stopped or killed)."""
    wait_until(
        lambda: not [p for p in pids if alive(p)],
        timeout,
        what=f"no process left of {sorted(pids)}",
    )


@pytest.fixture
def steady() -> Iterator[list[SteadyClient]]:
    """Steady clients made by a test; stopped at teardown whatever happened."""
    made: list[SteadyClient] = []
    yield made
    for client in made:
        client.stop()
