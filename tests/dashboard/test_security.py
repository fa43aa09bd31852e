"""Authentication, authorization and XSRF on every page and API endpoint of the dashboard."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.conftest import DevServer

from .conftest import FIXTURES

API_GETS = ["status", "extensions", "extensions/hello_ext", "routes", "settings", "specs",
            "errors", "events"]  # fmt: skip
PAGES = ["", "extensions", "routes", "settings", "specs", "errors", "events"]


def anonymous(server: DevServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10, follow_redirects=False)


def logged_in(server: DevServer) -> httpx.Client:
    """A browser-like client: logged in with ``?token=`` once, then by cookie only."""
    client = anonymous(server)
    client.get("_introspect", params={"token": server.token})
    assert any(name.startswith("username-") for name in client.cookies), client.cookies
    return client


@pytest.mark.readonly
def test_api_refuses_requests_without_credentials(dash: DevServer) -> None:
    """Every API endpoint answers 403 to a request without token or cookie."""
    with anonymous(dash) as client:
        for path in API_GETS:
            assert client.get(f"_introspect/api/{path}").status_code == 403, path
        assert client.post("_introspect/api/extensions/hello_ext/reload").status_code == 403
        bad = client.get("_introspect/api/status", headers={"Authorization": "token wrong"})
        assert bad.status_code == 403


@pytest.mark.readonly
def test_pages_redirect_to_login_without_credentials(dash: DevServer) -> None:
    """Every page redirects an anonymous visitor to the server's login page."""
    with anonymous(dash) as client:
        for page in PAGES:
            resp = client.get(f"_introspect/{page}")
            assert resp.status_code == 302, page
            assert "/login?next=" in resp.headers["location"]
        assert client.post("_introspect/extensions/hello_ext/reload").status_code == 403


def test_post_needs_xsrf_when_logged_in_by_cookie(dash: DevServer) -> None:
    """A cookie-authenticated POST without the XSRF token is refused; with it, it reloads."""
    with closing(logged_in(dash)) as client:
        assert client.get("_introspect/api/status").status_code == 200
        url = "_introspect/api/extensions/hello_ext/reload"
        assert client.post(url).status_code == 403
        xsrf = client.cookies["_xsrf"]
        ok = client.post(url, headers={"X-XSRFToken": xsrf})
        assert ok.status_code == 200
        assert ok.json()["ok"] is True
        form = client.post("_introspect/extensions/hello_ext/reload", data={"_xsrf": xsrf})
        assert form.status_code == 303
        assert form.headers["location"].endswith("extensions?reloaded=hello_ext#ext-hello_ext")
        assert client.post("_introspect/extensions/hello_ext/reload").status_code == 403


def test_authorizer_decides_on_the_devserver_resource(
    devserver_factory: Callable[..., DevServer], tmp_path: Path
) -> None:
    """An Authorizer that refuses resource "devserver" closes the dashboard and nothing else."""
    root = tmp_path / "extensions"
    root.mkdir()
    shutil.copytree(FIXTURES / "broken_ext", root / "broken_ext")
    server = devserver_factory(
        "hello_ext", args=("--ServerApp.authorizer_class=broken_ext.authz.DenyDevserver",)
    )
    assert server.get("api/status").status_code == 200
    assert server.get("hello").status_code == 200
    for path in API_GETS:
        assert server.get(f"_introspect/api/{path}").status_code == 403, path
    assert server.get("_introspect/extensions").status_code == 403
