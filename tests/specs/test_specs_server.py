"""Spec enforcement in a real ServerApp (pytest-jupyter), over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import pytest
from guide_spec_ext.app import GuideSpecApp
from jupyter_server.serverapp import ServerApp
from tornado.httpclient import AsyncHTTPClient, HTTPResponse

from devserver.agent.registry import SETTINGS_KEY, Registry
from devserver.agent.specs import install, refresh
from devserver.specs import SpecError, SpecFilter, enforce, remove_enforcement
from devserver.specs.enforcement import REFUSED_HEADER, spec_matchers
from devserver.specs.verdict import EXEMPT

BODY_METHODS = ("POST", "PUT", "PATCH")


@pytest.fixture(params=["/", "/a%40b/"], ids=["root", "a@b"])
def jp_base_url(request: pytest.FixtureRequest) -> str:
    """Every test runs at the root and under the awkward base_url of the issue."""
    return str(request.param)


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"guide_spec_ext": True, "dashboard": True}}}


@pytest.fixture
def registry(jp_serverapp: ServerApp) -> Registry:
    """The dev server's registry, placed where the dashboard looks for it."""
    reg = Registry(jp_serverapp)
    jp_serverapp.web_app.settings[SETTINGS_KEY] = reg
    return reg


@pytest.fixture
def fetch(
    jp_serverapp: ServerApp, http_server: Any, jp_http_port: int, jp_auth_header: dict[str, str]
) -> Any:
    """``await fetch(method, path)`` for a path below base_url (or a full path with ``raw``),
    on the HTTP server pytest-jupyter runs for the app (``http_server``)."""

    async def go(method: str, path: str, raw: bool = False) -> HTTPResponse:
        full = path if raw else jp_serverapp.base_url + path.lstrip("/")
        return await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{jp_http_port}{full}",
            method=method,
            headers=jp_auth_header,
            body="{}" if method in BODY_METHODS else None,
            raise_error=False,
            follow_redirects=False,
        )

    return go


def refusal(response: HTTPResponse) -> dict[str, Any] | None:
    """The filter's answer when the spec filter refused the request, else None."""
    rule = response.headers.get(REFUSED_HEADER)
    if response.code != 403 or rule is None:
        return None
    if response.request.method == "HEAD":
        return {"rule": unquote(rule)}
    body = json.loads(response.body)
    assert body["error"] == "refused by an OpenAPI spec"
    assert body["rule"] == unquote(rule)
    return dict(body)


@pytest.fixture
def files(jp_root_dir: Path) -> Path:
    (jp_root_dir / "a").mkdir()
    (jp_root_dir / "a" / "b").write_text("hello")
    return jp_root_dir


async def test_guide_example_on_a_real_server(
    jp_serverapp: ServerApp, fetch: Any, files: Path
) -> None:
    """The guide's specs, enforced by enforce(): each request gets what the issue says."""
    enforce(jp_serverapp.web_app, GuideSpecApp, jp_serverapp.base_url)

    blocked = refusal(await fetch("GET", "api/contents/a/b"))
    assert blocked is not None
    assert blocked["rule"] == "blocked by guide_specs._blocked_spec: GET /api/contents/{path}"
    assert blocked["template"] == "/api/contents/{path}"

    checkpoint = await fetch("POST", "api/contents/a/b/checkpoints")
    assert checkpoint.code == 201, checkpoint.body
    session = await fetch("GET", "api/sessions/x")
    assert session.code == 404  # passed the filter; jupyter_server knows no such session
    assert refusal(session) is None

    kernels = refusal(await fetch("GET", "api/kernels"))
    assert kernels is not None
    assert kernels["rule"] == "not in guide_specs._allowed_spec"
    assert refusal(await fetch("GET", "guide/ping")) is not None


async def test_trailing_slash_does_not_dodge_a_block(jp_serverapp: ServerApp, fetch: Any) -> None:
    """jupyter_server lists the root folder at /api/contents and /api/contents/; blocking the
    first blocks the second."""
    assert (await fetch("GET", "api/contents/")).code == 200
    listing = {"get": {"responses": {"200": {"description": ""}}}}
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": {"/api/contents": listing},
    }
    enforce(jp_serverapp.web_app, SpecFilter(blocked=doc, name="b"), jp_serverapp.base_url)
    assert refusal(await fetch("GET", "api/contents")) is not None
    assert refusal(await fetch("GET", "api/contents/")) is not None
    assert (await fetch("GET", "api/sessions")).code == 200


async def test_refusal_needs_no_xsrf_and_no_login(
    jp_serverapp: ServerApp, http_server: Any, jp_http_port: int
) -> None:
    """An unauthenticated POST is refused by the spec (403 naming the rule), not by XSRF."""
    enforce(jp_serverapp.web_app, GuideSpecApp, jp_serverapp.base_url)
    url = f"http://127.0.0.1:{jp_http_port}{jp_serverapp.base_url}api/kernels"
    response = await AsyncHTTPClient().fetch(url, method="POST", body="{}", raise_error=False)
    assert refusal(response) is not None


async def test_enforcing_again_replaces_the_rule(jp_serverapp: ServerApp, fetch: Any) -> None:
    """Enforcing the same key twice keeps one rule; removing it lets every request through."""
    web_app = jp_serverapp.web_app
    enforce(web_app, GuideSpecApp, jp_serverapp.base_url)
    enforce(web_app, GuideSpecApp(), jp_serverapp.base_url)
    assert [m.enforcement.key for m in spec_matchers(web_app)] == ["guide_specs"]
    assert refusal(await fetch("GET", "api/kernels")) is not None
    remove_enforcement(web_app, "guide_specs")
    assert (await fetch("GET", "api/kernels")).code == 200


async def test_install_enforces_the_starter_and_serves_the_table(
    jp_serverapp: ServerApp, registry: Registry, fetch: Any, files: Path
) -> None:
    """install() enforces the starter app's specs; the dashboard stays reachable and shows them."""
    install(jp_serverapp, registry, "guide_specs", False)
    assert refusal(await fetch("GET", "api/kernels")) is not None
    assert (await fetch("POST", "api/contents/a/b/checkpoints")).code == 201

    page = await fetch("GET", "_introspect/specs")
    assert page.code == 200
    assert b"guide_specs" in page.body
    api = await fetch("GET", "_introspect/api/specs")
    assert api.code == 200
    data = json.loads(api.body)
    [entry] = data["specs"]
    assert entry["extension"] == "guide_spec_ext"
    assert entry["app"] == "guide_specs"
    assert entry["enforced"] is True
    assert entry["blocked"]["paths"].keys() == {"/api/contents/{path}"}
    assert entry["slash_encoder"] == list(GuideSpecApp._slash_encoder)
    rows = {
        (v["pattern"].removeprefix(jp_serverapp.base_url.rstrip("/")), v["method"]): v
        for v in data["verdicts"]
    }
    assert rows[("/api/kernels", "GET")]["verdict"] == "refused"
    assert (
        rows[("/api/sessions/(?P<session_id>\\w+-\\w+-\\w+-\\w+-\\w+)", "GET")]["verdict"]
        == "allowed"
    )
    assert rows[("/_introspect/api/specs", "GET")]["verdict"] == "allowed"


async def test_verdict_table_matches_real_requests(
    jp_serverapp: ServerApp, registry: Registry, fetch: Any
) -> None:
    """Refused rows of the verdict table are refused by the server; safe allowed rows pass."""
    install(jp_serverapp, registry, "guide_specs", False)
    rows = registry.providers["specs"]()["verdicts"]
    assert rows
    assert {r["verdict"] for r in rows} >= {"allowed", "refused"}
    checked = 0
    for row in rows:
        if row["example"] is None:
            continue
        if row["verdict"] == "allowed" and row["method"] not in ("GET", "HEAD"):
            continue  # an allowed request really runs; only send the ones that change nothing
        if row["rule"] == EXEMPT.rule:
            continue  # the dashboard's event stream never ends; its exemption is tested above
        response = await fetch(row["method"], row["example"], raw=True)
        got = refusal(response)
        assert (got is not None) == (row["verdict"] == "refused"), (row, response.code)
        if got is not None:
            assert got["rule"] == row["rule"]
        checked += 1
    assert checked > 20


async def test_install_without_starter_enforces_nothing_unless_asked(
    jp_serverapp: ServerApp, registry: Registry, fetch: Any
) -> None:
    """Specs of an app that is not the starter are shown but not enforced, until enforce_all."""
    install(jp_serverapp, registry, None, False)
    assert (await fetch("GET", "api/kernels")).code == 200
    data = registry.providers["specs"]()
    assert [s["enforced"] for s in data["specs"]] == [False]
    assert {v["rule"] for v in data["verdicts"]} == {"no spec enforced"}

    install(jp_serverapp, registry, None, True)
    assert refusal(await fetch("GET", "api/kernels")) is not None


async def test_invalid_spec_stops_install(
    jp_serverapp: ServerApp, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invalid spec to enforce makes install() raise SpecError naming extension and place."""
    monkeypatch.setattr(GuideSpecApp, "_blocked_spec", {"openapi": "3.0.1", "paths": {"/x": {}}})
    with pytest.raises(SpecError) as info:
        install(jp_serverapp, registry, "guide_specs", False)
    assert "extension 'guide_spec_ext'" in str(info.value)
    assert "guide_specs._blocked_spec at $" in str(info.value)
    assert spec_matchers(jp_serverapp.web_app) == []


async def test_invalid_spec_of_an_app_not_enforced_is_recorded(
    jp_serverapp: ServerApp, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invalid spec of an app that is not enforced does not stop the server; it is an error."""
    monkeypatch.setattr(GuideSpecApp, "_allowed_spec", {"openapi": "3.0.1"})
    install(jp_serverapp, registry, None, False)
    [error] = registry.errors
    assert error.extension == "guide_spec_ext"
    assert error.type == "SpecError"


def _swap_app(serverapp: ServerApp, app: Any) -> None:
    """Put a new app instance in the extension manager, as the dev server's reload does."""
    point = serverapp.extension_manager.extensions["guide_spec_ext"].extension_points["guide_specs"]
    point._app = app


async def test_reloaded_app_brings_its_new_specs(
    jp_serverapp: ServerApp, registry: Registry, fetch: Any
) -> None:
    """After a reload puts a new app class in place, its specs apply from the next request on."""
    install(jp_serverapp, registry, "guide_specs", False)
    assert refusal(await fetch("GET", "api/kernels")) is not None

    kernels = {"get": {"responses": {"200": {"description": ""}}}}
    paths = {**GuideSpecApp._allowed_spec["paths"], "/api/kernels": kernels}

    class Reloaded(GuideSpecApp):  # type: ignore[misc]
        _allowed_spec: ClassVar = {**GuideSpecApp._allowed_spec, "paths": paths}

    _swap_app(jp_serverapp, Reloaded())
    assert (await fetch("GET", "api/kernels")).code == 200
    assert registry.providers["specs"]()["specs"][0]["allowed"]["paths"].keys() >= {"/api/kernels"}

    class Broken(GuideSpecApp):  # type: ignore[misc]
        _allowed_spec: ClassVar = {"openapi": "3.0.1"}

    _swap_app(jp_serverapp, Broken())
    refresh(registry)  # what the reload engine calls; never raises
    broken = refusal(await fetch("GET", "api/sessions/x"))
    assert broken is not None
    assert "spec is invalid" in broken["rule"]
    assert registry.errors[-1].type == "SpecError"
    assert (await fetch("GET", "_introspect/api/status")).code == 200
