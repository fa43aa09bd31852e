"""The HTML pages, secret masking across every response, and the live-reload script."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from jupyter_server.auth import passwd

from tests.conftest import DevServer

from .conftest import ENV_SECRET, read_events, start_with_broken_ext
from .fixtures.broken_ext.broken_ext import PLANTED_SETTING, PLANTED_VALUE

PAGES = ["", "extensions", "routes", "settings", "specs", "errors", "events"]
API = ["status", "extensions", "extensions/broken_ext", "routes", "settings", "specs", "errors"]


@pytest.mark.readonly
def test_every_page_renders_its_data(dash: DevServer) -> None:
    """Each page is a complete HTML document showing the extensions, routes and errors."""
    for page in PAGES:
        resp = dash.get(f"_introspect/{page}")
        assert resp.status_code == 200, page
        assert resp.headers["content-type"].startswith("text/html")
        assert resp.text.rstrip().endswith("</html>")
        assert 'class="top"' in resp.text
    extensions = dash.get("_introspect/extensions").text
    for name in ("hello_ext", "greeter_app", "uses_hello", "broken_ext"):
        assert f'id="ext-{name}"' in extensions
    assert "Traceback (most recent call last)" in extensions  # the full traceback, escaped
    assert 'name="_xsrf"' in extensions
    assert 'method="post"' in extensions
    assert "hello_ext.handlers.HelloHandler" in text_of(dash.get("_introspect/routes").text)
    assert "RuntimeError" in dash.get("_introspect/errors").text


def text_of(html: str) -> str:
    """Page text without the line-break hints (``<wbr>``) put after dots and slashes."""
    return html.replace("<wbr>", "")


def shown_rows(html: str) -> list[str]:
    """The routes table's rows that are not hidden, as HTML without ``<wbr>``."""
    rows = re.findall(r"<tr id=\"route-.*?</tr>", text_of(html), flags=re.DOTALL)
    return [row for row in rows if not re.match(r"<tr [^>]*\bhidden\b", row)]


@pytest.mark.readonly
def test_routes_page_filters_without_javascript(dash: DevServer) -> None:
    """The routes page filters by text and by owner through plain query parameters."""
    hello = "".join(shown_rows(dash.get("_introspect/routes", params={"q": "HELLO"}).text))
    assert "/hello</code>" in hello
    assert "/api/status</code>" not in hello
    server = "".join(shown_rows(dash.get("_introspect/routes", params={"extension": "-"}).text))
    assert "/api/status</code>" in server
    assert "/hello</code>" not in server
    owned = shown_rows(dash.get("_introspect/routes", params={"extension": "greeter_app"}).text)
    assert {re.findall(r'data-extension="([^"]+)"', row)[0] for row in owned} == {"greeter_app"}


@pytest.mark.readonly
def test_templates_escape_what_they_show(dash: DevServer) -> None:
    """Text from extensions is escaped: a route regex's <name> never becomes a tag."""
    routes = text_of(dash.get("_introspect/routes", params={"own": "1"}).text)
    assert "(?P&lt;name&gt;[^/]+)" in routes
    assert "(?P<name>" not in routes


def test_no_secret_leaves_the_server(dash: DevServer) -> None:
    """The token, a planted password setting and a secret env value appear in no response."""
    secrets = [dash.token, PLANTED_VALUE, ENV_SECRET[1]]
    bodies = {f"api/{p}": dash.get(f"_introspect/api/{p}").text for p in API}
    bodies.update({f"page/{p}": dash.get(f"_introspect/{p}").text for p in PAGES})
    reload = dash.client.post("_introspect/api/extensions/broken_ext/reload")
    bodies["reload"] = reload.text
    events = read_events(dash, lambda m: m["data"]["kind"] == "reload", params={"after": "0"})
    bodies["events"] = repr(events)
    for where, body in bodies.items():
        for secret in secrets:
            assert secret not in body, f"{secret!r} leaked in {where}"
    settings = dash.get("_introspect/api/settings").json()
    assert settings["tornado"][PLANTED_SETTING] == "********"
    assert "given the token ********" in bodies["api/errors"]


def test_a_password_hash_is_masked_too(
    devserver_factory: Callable[..., DevServer], tmp_path: Path
) -> None:
    """With a password configured, its hash appears in no settings answer or page."""
    hashed = passwd("correct horse battery staple")
    server = start_with_broken_ext(
        devserver_factory, tmp_path, (f"--PasswordIdentityProvider.hashed_password={hashed}",)
    )
    assert server.get("_introspect/api/status").status_code == 200  # the token still works
    for path in ("_introspect/api/settings", "_introspect/settings", "_introspect/api/errors"):
        body = server.get(path).text
        assert hashed not in body, path
        assert hashed.split(":")[-1] not in body, path
    config = server.get("_introspect/api/settings").json()["server"]["config"]
    # A section whose name says "password" is masked whole: safer than guessing its keys.
    assert config["PasswordIdentityProvider"] == "********"


@pytest.mark.readonly
def test_live_reload_script_goes_into_other_extensions_pages_only(dash: DevServer) -> None:
    """HTML pages of extensions get the live-reload script; JSON and the dashboard do not."""
    page = dash.get("greeter")
    assert page.status_code == 200
    # The tag names the extension that serves the page (error overlay, own-extension reloads).
    tag = '<script src="/static/dashboard/livereload.js" data-extension="greeter_app" defer>'
    assert tag in page.text
    assert int(page.headers["content-length"]) == len(page.content)
    assert "livereload.js" not in dash.get("_introspect/").text
    assert "livereload.js" not in dash.get("greeter/api/greet").text
    script = dash.get("static/dashboard/livereload.js")
    assert script.status_code == 200
    assert "EventSource" in script.text
