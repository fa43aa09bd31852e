"""The request log, runtime errors and the dev error page against a real dev server."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.conftest import TOKEN, DevServer, wait_until

from .conftest import FIXTURES

HANDLERS = "raising_ext/raising_ext/handlers.py"
AUTH = {"Authorization": f"token {TOKEN}"}


def start_with_raising_ext(
    factory: Callable[..., DevServer], tmp_path: Path, args: tuple[str, ...] = ()
) -> DevServer:
    """A dev server on hello_ext, greeter_app and ``raising_ext`` (handlers that raise)."""
    root = tmp_path / "extensions"
    root.mkdir(exist_ok=True)
    shutil.copytree(FIXTURES / "raising_ext", root / "raising_ext")
    return factory("hello_ext", "greeter_app", args=args)


@pytest.fixture
def server(devserver_factory: Callable[..., DevServer], tmp_path: Path) -> DevServer:
    return start_with_raising_ext(devserver_factory, tmp_path)


def line_of(server: DevServer, marker: str) -> int:
    """The line number of ``# raising_ext: <marker>`` in the copied handlers file."""
    lines = (server.root / HANDLERS).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if f"# raising_ext: {marker}" in text)


def requests(server: DevServer, **params: Any) -> list[dict[str, Any]]:
    resp = server.get("_introspect/api/requests", params=params)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["requests"])


def test_requests_are_listed_with_owner_status_route_and_user(server: DevServer) -> None:
    """A request to an extension is recorded with its owner, status, route, handler and user."""
    assert server.get("hello").status_code == 200
    assert server.get("greeter/api/greet", params={"name": "x"}).status_code == 200
    assert server.get("no/such/page").status_code == 404
    entries = requests(server)
    hello = next(e for e in entries if e["path"] == "/hello")
    assert hello["extension"] == "hello_ext"
    assert hello["status"] == 200
    assert hello["route"] == "/hello"
    assert hello["handler"] == "hello_ext.handlers.HelloHandler"
    assert hello["method"] == "GET"
    assert hello["user"]
    assert hello["duration_ms"] >= 0
    greet = next(e for e in entries if e["path"].startswith("/greeter/api/greet"))
    assert (greet["extension"], greet["route"]) == ("greeter_app", "/greeter/api/greet")
    missing = next(e for e in entries if e["path"] == "/no/such/page")
    assert (missing["extension"], missing["status"]) == ("server", 404)


def test_filters_by_extension_status_class_and_since(server: DevServer) -> None:
    """``extension``, ``status=5xx`` and ``since`` narrow the list; the per-extension URL too."""
    server.get("hello")
    server.get("raising/api")
    assert {e["extension"] for e in requests(server, extension="hello_ext")} == {"hello_ext"}
    failed = requests(server, status="5xx")
    assert [e["path"] for e in failed] == ["/raising/api"]
    newest = requests(server)[-1]["time"]
    assert all(e["time"] > newest for e in requests(server, since=newest))
    own = server.get("_introspect/api/extensions/raising_ext/requests").json()["requests"]
    assert [e["status"] for e in own] == [500]
    assert server.get("_introspect/api/requests", params={"since": "x"}).status_code == 400
    assert server.get("_introspect/api/extensions/nope/requests").status_code == 404


def test_the_token_never_appears_in_a_recorded_path(server: DevServer) -> None:
    """A token or xsrf value in the query is masked in every recorded path."""
    server.client.get("hello", params={"token": TOKEN, "x": "1"})
    server.client.get("_introspect/requests", params={"token": TOKEN, "_xsrf": "abcdefgh1234"})
    text = server.get("_introspect/api/requests").text
    assert TOKEN not in text
    assert "abcdefgh1234" not in text
    paths = [e["path"] for e in requests(server)]
    assert "/hello?token=********&x=1" in paths


def test_a_raising_handler_is_an_error_with_its_file_line_and_request(server: DevServer) -> None:
    """A handler's exception is recorded once per place with a count, file:line and request
    line, and the console gets one short line naming file:line."""
    for _ in range(2):
        assert server.get("raising/api").status_code == 500
    errors = [e for e in server.get("_introspect/api/errors").json()["errors"]
              if e["extension"] == "raising_ext"]  # fmt: skip
    assert len(errors) == 1
    error = errors[0]
    assert (error["phase"], error["type"], error["count"]) == ("request", "KeyError", 2)
    assert error["file"].endswith(HANDLERS.split("/", 1)[1])
    assert error["line"] == line_of(server, "api")
    assert error["request"] == "GET /raising/api"
    assert any(s["line"] == error["line"] and "raise KeyError" in s["text"]
               for s in error["source"])  # fmt: skip
    short = f"raising_ext | request error: KeyError: 'missing-thing' at {error['file']}:{error['line']}"
    server.wait_for_log(short)


def test_websocket_and_callback_errors_are_recorded(server: DevServer) -> None:
    """A websocket message that raises and a failing PeriodicCallback are errors of their
    extension (phases request and task); the websocket's messages are counted."""
    url = server.url.replace("http", "ws", 1) + "raising/ws"

    async def talk() -> None:
        conn = await websocket_connect(HTTPRequest(url, headers=AUTH))
        try:
            await conn.write_message("hi")
            assert await conn.read_message() == "hi"
            await conn.write_message("boom")
            assert await conn.read_message() is None  # the server aborts the connection
        finally:
            conn.close()

    asyncio.run(asyncio.wait_for(talk(), 20))
    assert server.client.post("raising/task").status_code == 200

    def errors() -> dict[str, dict[str, Any]]:
        found = server.get("_introspect/api/errors").json()["errors"]
        return {e["type"]: e for e in found if e["extension"] == "raising_ext"}

    found = wait_until(lambda: len(errors()) == 2 and errors(), what="two runtime errors")
    assert found["ZeroDivisionError"]["phase"] == "request"
    assert found["ZeroDivisionError"]["request"] == "GET /raising/ws"
    assert found["ZeroDivisionError"]["line"] == line_of(server, "ws")
    assert found["ValueError"]["phase"] == "task"
    assert found["ValueError"]["line"] == line_of(server, "task")
    ws = next(e for e in requests(server) if e["path"] == "/raising/ws")
    assert ws["status"] == 101
    assert ws["websocket"]["messages_in"] == 2
    assert ws["websocket"]["messages_out"] == 1
