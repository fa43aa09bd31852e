"""The JSON API's OpenAPI document: valid, complete, true to the running server."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

import dashboard.openapi
from tests.conftest import DevServer, Factory, quoted_base_url
from tests.dashboard.conftest import start_with_broken_ext

pytestmark = pytest.mark.e2e

API = "/_introspect/api"
#: Example values for path parameters when calling every endpoint by hand.
PARAMS = {"name": "hello_ext"}


def described(server: DevServer) -> dict[str, Any]:
    response = server.get("_introspect/api/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def api_routes(server: DevServer) -> dict[str, set[str]]:
    """Every route the server registered under the API prefix, as OpenAPI path templates."""
    out: dict[str, set[str]] = {}
    for route in server.get("_introspect/api/routes").json()["routes"]:
        pattern = route["pattern"].rstrip("$")
        prefix = server.base_url.rstrip("/") + API
        if pattern.startswith(prefix + "/"):
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern[len(prefix) :])
            out[path.replace("\\.", ".")] = {m.lower() for m in route["methods"]}
    return out


def test_docstring_examples() -> None:
    """The module's docstring example holds."""
    assert doctest.testmod(dashboard.openapi).failed == 0


def test_served_document_is_valid_and_describes_every_api_route(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """openapi.json is valid OpenAPI 3.1 and has every route and method under /_introspect/api;
    a route added without its description fails here, naming it."""
    server = start_with_broken_ext(devserver_factory, tmp_path)
    doc = described(server)
    validate(doc)
    assert doc["servers"] == [{"url": API}]
    routes = api_routes(server)
    assert "/status" in routes
    missing = {p: sorted(m - set(doc["paths"].get(p, {}))) for p, m in routes.items()}
    assert {p: m for p, m in missing.items() if m} == {}, "describe these in dashboard/openapi.py"
    assert set(doc["paths"]) <= set(routes), "described paths the server does not serve"


def test_every_endpoint_refuses_without_credentials(devserver_factory: Factory) -> None:
    """Each described operation answers 403 with the Failure body to a request without a token,
    under an awkward base_url too."""
    server = devserver_factory("hello_ext", base_url=quoted_base_url())
    doc = described(server)
    assert doc["servers"] == [{"url": server.base_url.rstrip("/") + API}]
    calls = [(m, p) for p, ops in doc["paths"].items() for m in ops if m != "parameters"]
    assert len(calls) >= 11
    with httpx.Client(base_url=server.url.rstrip("/") + API, timeout=10) as anonymous:
        for method, path in calls:
            response = anonymous.request(method, path.format(**PARAMS))
            assert response.status_code == 403, (method, path, response.text)
            assert "error" in response.json()


def test_fuzzed_requests_get_described_answers(devserver_factory: Factory) -> None:
    """schemathesis against the real server: no 500, every answer matches its schema and status,
    for every operation but the endless event stream."""
    server = devserver_factory("hello_ext")
    auth = {"Authorization": f"token {server.token}"}
    schema = schemathesis.openapi.from_url(
        server.url + "_introspect/api/openapi.json", headers=auth
    )
    operations = [r.ok() for r in schema.get_all_operations()]
    fuzzed = [op for op in operations if op.path != "/events"]
    assert len(fuzzed) == len(operations) - 1
    base = server.url.rstrip("/") + API
    with requests.Session() as session:
        for operation in fuzzed:
            run_operation(operation, base, auth, session)


def run_operation(
    operation: Any, base: str, auth: dict[str, str], session: requests.Session
) -> None:
    """A few generated cases of one operation, each called and validated."""

    @given(case=operation.as_strategy())
    @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call(base_url=base, headers=auth, session=session, timeout=60)
        case.validate_response(response, headers=auth)

    check()
