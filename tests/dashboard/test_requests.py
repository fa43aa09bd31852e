"""The request log and runtime errors against a real dev server (``raising_ext`` raises)."""

from __future__ import annotations

import asyncio
from typing import Any

from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.conftest import TOKEN, DevServer, wait_until
from tests.kernelclient import close_websocket

HANDLERS = "raising_ext/raising_ext/handlers.py"
AUTH = {"Authorization": f"token {TOKEN}"}


def line_of(server: DevServer, marker: str) -> int:
    """The line number of ``# raising_ext: <marker>`` in the copied handlers file."""
    lines = (server.root / HANDLERS).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if f"# raising_ext: {marker}" in text)


def requests(server: DevServer, **params: Any) -> list[dict[str, Any]]:
    resp = server.get("_introspect/api/requests", params=params)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["requests"])


def runtime_errors(server: DevServer) -> dict[str, dict[str, Any]]:
    """raising_ext's errors by exception type."""
    found = server.get("_introspect/api/errors").json()["errors"]
    return {e["type"]: e for e in found if e["extension"] == "raising_ext"}


def test_requests_are_listed_with_owner_status_route_and_user(raising: DevServer) -> None:
    """A request to an extension is recorded with its owner, status, route, handler and user."""
    assert raising.get("hello", params={"t": "listed"}).status_code == 200
    assert raising.get("greeter/api/greet", params={"name": "listed"}).status_code == 200
    assert raising.get("no/such/listed").status_code == 404
    entries = {e["path"]: e for e in requests(raising)}
    hello = entries["/hello?t=listed"]
    assert hello["extension"] == "hello_ext"
    assert hello["status"] == 200
    assert hello["route"] == "/hello"
    assert hello["handler"] == "hello_ext.handlers.HelloHandler"
    assert hello["method"] == "GET"
    assert hello["user"]
    assert hello["duration_ms"] >= 0
    greet = entries["/greeter/api/greet?name=listed"]
    assert (greet["extension"], greet["route"]) == ("greeter_app", "/greeter/api/greet")
    missing = entries["/no/such/listed"]
    assert (missing["extension"], missing["status"]) == ("server", 404)


def test_filters_by_extension_status_class_and_since(raising: DevServer) -> None:
    """``extension``, ``status=5xx`` and ``since`` narrow the list; the per-extension URL too."""
    raising.get("hello", params={"t": "filters"})
    raising.get("raising/api", params={"t": "filters"})
    raising.get("greeter/api/greet", params={"name": "filters"})
    assert {e["extension"] for e in requests(raising, extension="hello_ext")} == {"hello_ext"}
    by_app_name = requests(raising, extension="greeter")  # the ExtensionApp's name
    assert {e["extension"] for e in by_app_name} == {"greeter_app"}
    assert "/greeter/api/greet?name=filters" in [e["path"] for e in by_app_name]
    failed = requests(raising, status="5xx")
    assert "/raising/api?t=filters" in [e["path"] for e in failed]
    assert {e["status"] // 100 for e in failed} == {5}
    newest = requests(raising)[-1]["time"]
    assert all(e["time"] > newest for e in requests(raising, since=newest))
    own = raising.get("_introspect/api/extensions/raising_ext/requests").json()["requests"]
    assert "/raising/api?t=filters" in [e["path"] for e in own]
    assert {e["extension"] for e in own} == {"raising_ext"}
    assert raising.get("_introspect/api/requests", params={"since": "x"}).status_code == 400
    assert raising.get("_introspect/api/extensions/nope/requests").status_code == 404


def test_the_token_never_appears_in_a_recorded_path(raising: DevServer) -> None:
    """A token or xsrf value in the query is masked in every recorded path."""
    raising.client.get("hello", params={"token": TOKEN, "x": "1"})
    raising.client.get("_introspect/requests", params={"token": TOKEN, "_xsrf": "abcdefgh1234"})
    text = raising.get("_introspect/api/requests").text
    assert TOKEN not in text
    assert "abcdefgh1234" not in text
    assert "/hello?token=********&x=1" in [e["path"] for e in requests(raising)]


def test_a_raising_handler_is_an_error_with_its_file_line_and_request(raising: DevServer) -> None:
    """A handler's exception is recorded once per place with a count, file:line and request
    line, and the console gets one short line naming file:line instead of the traceback."""
    before = runtime_errors(raising).get("KeyError", {}).get("count", 0)
    for _ in range(2):
        assert raising.get("raising/api").status_code == 500
    error = runtime_errors(raising)["KeyError"]
    assert (error["phase"], error["type"], error["count"]) == ("request", "KeyError", before + 2)
    assert error["file"].endswith("raising_ext/handlers.py")
    assert error["line"] == line_of(raising, "api")
    assert error["request"] == "GET /raising/api"
    assert any(s["line"] == error["line"] and "raise KeyError" in s["text"]
               for s in error["source"])  # fmt: skip
    where = f"{error['file']}:{error['line']}"
    raising.wait_for_log(f"raising_ext | request error: KeyError: 'missing-thing' at {where}")
    assert "Uncaught exception GET /raising/api" not in raising.log()


def test_websocket_and_callback_errors_are_recorded(raising: DevServer) -> None:
    """A websocket message that raises, a failing PeriodicCallback and a failed asyncio task
    nobody awaited are errors of their extension (phases request, task, task); the websocket's
    messages are counted."""
    url = raising.url.replace("http", "ws", 1) + "raising/ws"

    async def talk() -> None:
        conn = await websocket_connect(HTTPRequest(url, headers=AUTH))
        try:
            await conn.write_message("hi")
            assert await conn.read_message() == "hi"
            await conn.write_message("boom")
            assert await conn.read_message() is None  # the server aborts the connection
        finally:
            await close_websocket(conn)

    asyncio.run(asyncio.wait_for(talk(), 20))
    assert raising.client.post("raising/task").status_code == 200
    found = wait_until(
        lambda: (
            {"ZeroDivisionError", "ValueError"} <= runtime_errors(raising).keys()
            and runtime_errors(raising)
        ),
        what="the websocket's, the callback's and the task's errors",
    )
    assert found["ZeroDivisionError"]["phase"] == "request"
    assert found["ZeroDivisionError"]["request"] == "GET /raising/ws"
    assert found["ZeroDivisionError"]["line"] == line_of(raising, "ws")
    assert found["ValueError"]["phase"] == "task"
    assert found["ValueError"]["line"] == line_of(raising, "task")
    assert found["LookupError"]["phase"] == "task"
    assert found["LookupError"]["line"] == line_of(raising, "asyncio")
    ws = next(e for e in requests(raising) if e["path"] == "/raising/ws")
    assert ws["status"] == 101
    assert ws["websocket"]["messages_in"] == 2
    assert ws["websocket"]["messages_out"] == 1
    wait_until(lambda: not next(e for e in requests(raising) if e["path"] == "/raising/ws")
               ["websocket"]["open"], what="the websocket to be closed")  # fmt: skip
