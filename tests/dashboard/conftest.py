"""Fixtures of the dashboard tests: a dev server on the examples plus one broken extension."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import CHROMIUM_ARGS, REPO, DevServer, devservers, make_isolated_env

FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
PAGES = ["", "extensions", "routes", "settings", "specs", "errors", "events"]
# Playwright adds --headless and a fresh temporary --user-data-dir itself.
EXAMPLES = ("hello_ext", "greeter_app", "uses_hello")
#: An environment secret the worker inherits: its value must never leave the server.
ENV_SECRET = ("MY_SERVICE_TOKEN", "env-secret-value-31337")


def start_with_broken_ext(
    factory: Callable[..., DevServer], tmp_path: Path, args: tuple[str, ...] = ()
) -> DevServer:
    """Start a dev server on the examples and ``broken_ext`` (fails at load, leaking secrets).

    ``broken_ext`` is copied into the factory's folder first: the factory copies examples by name.
    """
    root = tmp_path / "extensions"
    root.mkdir(exist_ok=True)
    shutil.copytree(FIXTURES / "broken_ext", root / "broken_ext")
    return factory(*EXAMPLES, env=dict([ENV_SECRET]), args=args)


def start_with_raising_ext(
    factory: Callable[..., DevServer], tmp_path: Path, args: tuple[str, ...] = ()
) -> DevServer:
    """Start a dev server on hello_ext, greeter_app and ``raising_ext``, whose handlers,
    websocket and periodic callback raise on purpose."""
    root = tmp_path / "extensions"
    root.mkdir(exist_ok=True)
    shutil.copytree(FIXTURES / "raising_ext", root / "raising_ext")
    return factory("hello_ext", "greeter_app", args=args)


@pytest.fixture(scope="session")
def raising(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """One dev server with ``raising_ext`` for the tests that never edit a file: each of them
    makes its own requests (own paths or query strings) and looks only at those."""
    tmp = tmp_path_factory.mktemp("raising")
    with devservers(tmp, make_isolated_env(tmp)) as start:
        yield start_with_raising_ext(start, tmp)


@pytest.fixture(scope="session")
def shared_dash(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """One dev server on the examples and ``broken_ext`` for every test marked ``readonly``."""
    tmp = tmp_path_factory.mktemp("shared_dash")
    with devservers(tmp, make_isolated_env(tmp)) as start:
        yield start_with_broken_ext(start, tmp)


@pytest.fixture
def dash(request: pytest.FixtureRequest, tmp_path: Path) -> DevServer:
    """A dev server on the examples and ``broken_ext``: the session's shared one for a test
    marked ``readonly`` (it only reads), else one of the test's own."""
    if request.node.get_closest_marker("readonly") is not None:
        server: DevServer = request.getfixturevalue("shared_dash")
        return server
    factory: Callable[..., DevServer] = request.getfixturevalue("devserver_factory")
    return start_with_broken_ext(factory, tmp_path)


def read_events(
    server: DevServer,
    stop: Callable[[dict[str, Any]], bool],
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    on_open: Callable[[], None] | None = None,
    timeout: float = 20.0,
) -> list[dict[str, Any]]:
    """Read the SSE stream until ``stop(event)`` is true; returns every message read.

    Each message is ``{"event", "id", "data"}`` (data parsed as JSON). ``on_open`` runs once the
    ``hello`` message arrived, so a test can cause an event it is sure to receive.
    """
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    with server.client.stream(
        "GET", "_introspect/api/events", headers=headers, params=params, timeout=timeout
    ) as resp:
        assert resp.status_code == 200, resp.read()
        assert resp.headers["content-type"].startswith("text/event-stream")
        message: dict[str, Any] = {}
        for line in resp.iter_lines():
            assert time.monotonic() < deadline, f"no matching event in {timeout} s: {out}"
            if line.startswith(("event:", "id:", "data:")):
                key, _, value = line.partition(":")
                message[key] = json.loads(value) if key == "data" else value.strip()
            elif not line and message:
                out.append(message)
                if message.get("event") == "hello" and on_open is not None:
                    on_open()
                elif message.get("event") != "hello" and stop(message):
                    return out
                message = {}
    raise AssertionError(f"the stream ended early: {out}")


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright, with a fresh profile."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def logged_in(browser: Browser, server: DevServer, width: int = 1400) -> BrowserContext:
    """A browser context (one profile: its tabs share cookies and SharedWorkers) that has logged
    in with ``?token=`` as the start-up banner prints it."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{server.url}_introspect?token={server.token}")
    return context


def open_tab(context: BrowserContext, url: str) -> Page:
    """A new tab on ``url``, marked so a test can tell whether it was reloaded since."""
    page = context.new_page()
    page.goto(url)
    page.evaluate("window.__sameDocument = true")
    return page
