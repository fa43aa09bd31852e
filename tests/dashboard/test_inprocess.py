"""The dashboard inside pytest-jupyter's ServerApp: event stream lifetime, transforms, helpers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tornado import httputil
from tornado.httpclient import HTTPClientError

from dashboard.livereload import LiveReloadTransform, inject_script, install
from dashboard.settings_view import jsonable, server_secrets
from dashboard.stream import format_event, parse_last_id
from devserver.agent.registry import SETTINGS_KEY, Registry
from tests.conftest import wait_until_async


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    """Load the dashboard (and only it) into the test server."""
    return {"ServerApp": {"jpserver_extensions": {"dashboard": True}}}


@pytest.fixture
def registry(jp_serverapp: Any, http_server_client: Any) -> Registry:
    """The Registry the dev server's worker would have put into the tornado settings."""
    reg = Registry(jp_serverapp)
    jp_serverapp.web_app.settings[SETTINGS_KEY] = reg
    return reg


@pytest.fixture
def stream(jp_serverapp: Any, registry: Registry, jp_http_port: int, jp_base_url: str) -> Any:
    """Opens raw HTTP connections to the event stream, so a test can hang up at will."""

    async def open_stream() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await _open(jp_http_port, jp_serverapp.identity_provider.token, jp_base_url)

    return open_stream


async def _open(port: int, token: str, base: str) -> tuple[asyncio.StreamReader, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    path = f"{base}_introspect/api/events"
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {token}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"event: hello"), 10)
    assert b"200 OK" in head
    return reader, writer


async def test_stream_unsubscribes_when_the_client_hangs_up(
    registry: Registry, stream: Any
) -> None:
    """Closing the connection ends the handler and drops its subscription."""
    reader, writer = await stream()
    subscribers = registry.events._subscribers
    assert len(subscribers) == 1
    registry.events.publish("change", {"paths": ["a.html"]})
    await asyncio.wait_for(reader.readuntil(b"event: change"), 5)
    writer.close()
    await wait_until_async(lambda: not subscribers)


async def test_stream_ends_when_the_dashboard_stops(
    jp_serverapp: Any, registry: Registry, stream: Any
) -> None:
    """Server shutdown (stop_extension) ends open streams instead of holding it up."""
    reader, writer = await stream()
    app = jp_serverapp.web_app.settings["dashboard"]
    await app.stop_extension()
    # The response completes: chunked encoding's last, empty chunk arrives.
    await asyncio.wait_for(reader.readuntil(b"\r\n0\r\n\r\n"), 5)
    writer.close()
    await wait_until_async(lambda: not registry.events._subscribers)


async def test_stream_ends_after_a_stopped_event(registry: Registry, stream: Any) -> None:
    """A ``stopped`` event is the last one a stream sends."""
    reader, writer = await stream()
    registry.events.publish("stopped", {"reason": "test"})
    rest = await asyncio.wait_for(reader.readuntil(b"\r\n0\r\n\r\n"), 5)
    assert b"event: stopped" in rest
    writer.close()


async def test_keepalive_comments_flow_on_an_idle_stream(jp_serverapp: Any, stream: Any) -> None:
    """An idle stream sends a comment line every ``keepalive`` seconds."""
    jp_serverapp.web_app.settings["dashboard"].keepalive = 0.05
    reader, writer = await stream()
    await asyncio.wait_for(reader.readuntil(b": keep-alive"), 5)
    writer.close()


async def test_pages_and_api_without_the_agent_say_so(jp_fetch: Any, jp_serverapp: Any) -> None:
    """Without the dev server's Registry the API answers 503 rather than crashing."""
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("_introspect", "api", "status")
    assert info.value.code == 503


def test_parse_last_id() -> None:
    """Ids of this worker give their number, other workers' ids 0; junk is a ValueError."""
    assert parse_last_id("42:7", 42) == 7
    assert parse_last_id("41:7", 42) == 0
    assert parse_last_id(None, 42) == 0
    for junk in ("x", "9" * 5000, "\u00b2", "\u2460", "42:", "a:7"):
        with pytest.raises(ValueError, match="not an event id"):
            parse_last_id(junk, 42)
    assert format_event(1, {"id": 2, "kind": "error", "data": {}}).startswith("id: 1:2\n")


def test_inject_script_before_the_last_body_tag() -> None:
    """The tag goes before the last ``</body>``; a body without one is unchanged."""
    assert inject_script(b"<p></body></body>", "/s.js").endswith(b"defer></script></body>")
    assert inject_script(b"{}", "/s.js") == b"{}"


def test_transform_applies_to_complete_html_only() -> None:
    """Only finished 200 text/html responses outside the dashboard get the script."""

    class Transform(LiveReloadTransform):
        script_url = "/static/dashboard/livereload.js"
        skip_prefix = "/_introspect"

    def run(path: str, status: int, ctype: str, finishing: bool = True, enc: str = "") -> bytes:
        request = httputil.HTTPServerRequest(
            start_line=httputil.RequestStartLine("GET", path, "HTTP/1.1"),
            headers=httputil.HTTPHeaders({"Host": "127.0.0.1"}),
        )
        headers = httputil.HTTPHeaders({"Content-Type": ctype, "Content-Length": "14"})
        if enc:
            headers["Content-Encoding"] = enc
        _, out_headers, chunk = Transform(request).transform_first_chunk(
            status, headers, b"<body>x</body>", finishing
        )
        assert out_headers["Content-Length"] == str(len(chunk))
        return chunk

    assert b"livereload.js" in run("/greeter", 200, "text/html; charset=UTF-8")
    assert b"livereload.js" not in run("/_introspect/", 200, "text/html")
    assert b"livereload.js" not in run("/greeter", 404, "text/html")
    assert b"livereload.js" not in run("/api", 200, "application/json")
    assert b"livereload.js" not in run("/greeter", 200, "text/html", finishing=False)
    assert b"livereload.js" not in run("/greeter", 200, "text/html", enc="gzip")


def test_install_replaces_an_earlier_transform(jp_serverapp: Any) -> None:
    """Installing twice (a reloaded dashboard) leaves one transform, placed first."""
    web_app = jp_serverapp.web_app
    install(web_app, "/a.js", "/_introspect")
    install(web_app, "/b.js", "/_introspect")
    ours = [t for t in web_app.transforms if getattr(t, "devserver_livereload", False)]
    assert len(ours) == 1
    assert web_app.transforms[0] is ours[0]
    assert ours[0].script_url == "/b.js"


def test_jsonable_and_secrets(jp_serverapp: Any) -> None:
    """Settings become JSON data; the server's token is among its secret values."""

    class Thing:
        pass

    data = jsonable({"a": {1, 2}, "b": b"x", "c": Thing, "d": "y" * 300, "e": object})
    assert data["a"] == [1, 2]
    assert data["b"] == "x"
    assert data["c"].startswith("<class ")
    assert jsonable([Thing()])[0].startswith(
        f"<{__name__}.test_jsonable_and_secrets.<locals>.Thing "
    )
    assert jp_serverapp.identity_provider.token in server_secrets(jp_serverapp)


SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "greeter", "version": "1"},
    "paths": {"/greeter/api/greet": {"get": {}}, "/greeter/files/{path}": {"get": {}, "put": {}}},
}


async def test_specs_page_renders_the_provider_data(
    jp_fetch: Any, registry: Registry, jp_serverapp: Any
) -> None:
    """The specs page shows each spec's paths and methods, its encoder, and the verdicts."""
    verdicts = [
        {"pattern": "/greeter/api/greet", "method": "GET", "extension": "greeter_app",
         "example": "/greeter/api/greet", "verdict": "allowed", "rule": "allowed by spec"},
        {"pattern": "/api/status", "method": "GET", "extension": None, "example": "/api/status",
         "verdict": "allowed", "rule": "no spec enforced"},
    ]  # fmt: skip
    spec = {"extension": "greeter_app", "app": "greeter", "allowed": SPEC, "blocked": None,
            "slash_encoder": [r"/greeter/files/(?P<path>.+)"], "enforced": True,
            "error": None}  # fmt: skip
    registry.providers["specs"] = lambda: {"specs": [spec], "verdicts": verdicts}
    api = await jp_fetch("_introspect", "api", "specs")
    assert api.code == 200
    page = (await jp_fetch("_introspect", "specs")).body.decode()
    assert "/greeter/files/{path}</code>" in page
    assert 'class="method m-put">PUT' in page
    assert "/greeter/files/(?P&lt;path&gt;.+)" in page
    assert "enforced" in page
    assert "1 method on 1 route that no spec governs" in page
