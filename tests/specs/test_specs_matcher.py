"""The spec matcher on plain data: the guide's example, parameter schemas, slash encoding."""

from __future__ import annotations

from typing import Any

import pytest
from guide_spec_ext.specs import ALLOWED, BLOCKED, SLASH_ENCODER

from devserver.specs import Gate, SlashEncoder, SpecFilter
from devserver.specs.gate import DASHBOARD


def spec(paths: dict[str, Any], version: str = "3.0.1", **extra: Any) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def op(*params: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": list(params), "responses": {"200": {"description": ""}}}


def param(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = {"type": "string"} if schema is None else schema
    return {"name": name, "in": "path", "required": True, "schema": schema}


BLOCKED_GET = "blocked by guide._blocked_spec: GET /api/contents/{path}"
ALLOWED_POST = "allowed by guide._allowed_spec: POST /api/contents/{path}/checkpoints"
ALLOWED_GET = "allowed by guide._allowed_spec: GET /api/sessions/{sessionId}"


@pytest.fixture
def guide() -> SpecFilter:
    return SpecFilter(ALLOWED, BLOCKED, SLASH_ENCODER, name="guide")


@pytest.mark.parametrize(
    ("method", "path", "allowed", "rule"),
    [
        ("GET", "/api/contents/a/b", False, BLOCKED_GET),
        ("GET", "/api/contents/a", False, BLOCKED_GET),
        ("POST", "/api/contents/a/b/checkpoints", True, ALLOWED_POST),
        ("GET", "/api/sessions/x", True, ALLOWED_GET),
        ("GET", "/api/kernels", False, "not in guide._allowed_spec"),
        ("DELETE", "/api/sessions/x", False, "not in guide._allowed_spec"),
        ("GET", "/api/sessions/x/y", False, "not in guide._allowed_spec"),
        ("GET", "/api/sessions/", False, "not in guide._allowed_spec"),
    ],
)  # fmt: skip
def test_guide_example(guide: SpecFilter, method: str, path: str, allowed: bool, rule: str) -> None:
    """The guide's example gives each request the verdict the issue lists, naming the rule."""
    verdict = guide.check(method, path)
    assert (verdict.allowed, verdict.rule) == (allowed, rule)


def test_method_is_case_insensitive_and_head_follows_get(guide: SpecFilter) -> None:
    """Methods are matched case-insensitively, and HEAD is checked like GET."""
    assert guide.check("get", "/api/sessions/x").allowed
    assert guide.check("HEAD", "/api/sessions/x").allowed
    assert not guide.check("HEAD", "/api/contents/a").allowed


def test_blocked_only_spec_allows_everything_else() -> None:
    """A blocked spec alone refuses its operations and lets every other request through."""
    f = SpecFilter(blocked=spec({"/api/kernels": {"get": op()}}), name="b")
    assert not f.check("GET", "/api/kernels").allowed
    assert f.check("POST", "/api/kernels").allowed
    assert f.check("GET", "/api/kernels/1").rule == "not in b._blocked_spec"


def test_empty_allowed_spec_refuses_everything() -> None:
    """An allowed spec with no paths refuses every request: fail closed."""
    f = SpecFilter(allowed=spec({}), name="a")
    assert not f.check("GET", "/").allowed


@pytest.mark.parametrize(
    ("schema", "value", "ok"),
    [
        ({"type": "integer"}, "42", True),
        ({"type": "integer"}, "-7", True),
        ({"type": "integer"}, "4x", False),
        ({"type": "integer", "minimum": 10}, "9", False),
        ({"type": "number"}, "2.5", True),
        ({"type": "number"}, "abc", False),
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, "yes", False),
        ({"type": "string", "pattern": "^[a-f0-9-]+$"}, "abc-12", True),
        ({"type": "string", "pattern": "^[a-f0-9-]+$"}, "xyz", False),
        ({"type": "string", "enum": ["python3", "ir"]}, "ir", True),
        ({"type": "string", "enum": ["python3", "ir"]}, "julia", False),
        ({"type": "string", "maxLength": 3}, "abcd", False),
        ({"type": "string", "format": "uuid"}, "0b8f1c5e-1f2a-4c3b-9d4e-5f6a7b8c9d0e", True),
        ({"type": "string", "pattern": "^a b$"}, "a%20b", True),
        ({}, "anything", True),
    ],
)  # fmt: skip
def test_parameter_schema_is_honoured(schema: dict[str, Any], value: str, ok: bool) -> None:
    """A path parameter matches only values its schema accepts (type, pattern, enum, format...)."""
    f = SpecFilter(allowed=spec({"/api/kernels/{id}": {"get": op(param("id", schema))}}), name="a")
    assert f.check("GET", f"/api/kernels/{value}").allowed is ok


def test_parameter_schema_in_a_blocked_spec_narrows_the_block() -> None:
    """A blocked operation with a parameter schema blocks only the values the schema accepts."""
    blocked = spec({"/api/kernels/{id}": {"delete": op(param("id", {"type": "integer"}))}})
    f = SpecFilter(blocked=blocked, name="b")
    assert not f.check("DELETE", "/api/kernels/12").allowed
    assert f.check("DELETE", "/api/kernels/abc").allowed


def test_parameters_by_reference_and_at_path_level() -> None:
    """Parameters given by $ref, at path-item level, and overridden per operation are honoured."""
    doc = spec(
        {
            "/api/kernels/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "get": op(),
                "delete": op(param("id", {"type": "string", "enum": ["keep"]})),
            }
        },
        components={
            "parameters": {"Id": param("id", {"$ref": "#/components/schemas/Id"})},
            "schemas": {"Id": {"type": "integer"}},
        },
    )
    f = SpecFilter(allowed=doc, name="a")
    assert f.check("GET", "/api/kernels/3").allowed
    assert not f.check("GET", "/api/kernels/x").allowed
    assert f.check("DELETE", "/api/kernels/keep").allowed
    assert not f.check("DELETE", "/api/kernels/3").allowed


def test_openapi_31_documents_are_supported() -> None:
    """OpenAPI 3.1 documents are validated and matched with their own schema dialect."""
    doc = spec({"/x/{n}": {"get": op(param("n", {"type": ["integer", "null"]}))}}, "3.1.0")
    f = SpecFilter(allowed=doc, name="a")
    assert f.check("GET", "/x/5").allowed
    assert not f.check("GET", "/x/five").allowed


def test_concrete_path_is_reported_before_template() -> None:
    """When a concrete path and a template both match, the verdict names the concrete one."""
    doc = spec({"/api/{thing}": {"get": op(param("thing"))}, "/api/status": {"get": op()}})
    assert SpecFilter(allowed=doc, name="a").check("GET", "/api/status").template == "/api/status"


def test_one_segment_per_parameter_without_encoder() -> None:
    """Without a slash encoder a parameter never spans a slash, as OpenAPI says."""
    f = SpecFilter(allowed=spec({"/api/contents/{path}": {"get": op(param("path"))}}), name="a")
    assert f.check("GET", "/api/contents/a").allowed
    assert not f.check("GET", "/api/contents/a/b").allowed
    assert f.check("GET", "/api/contents/a%2Fb").allowed


def test_slash_encoder_encodes_groups_of_the_first_match_only() -> None:
    """Slashes inside the groups of the first matching encoder become %2F; others stay."""
    enc = SlashEncoder(SLASH_ENCODER)
    assert enc.encode("/api/contents/a/b/checkpoints") == "/api/contents/a%2Fb/checkpoints"
    assert enc.encode("/api/contents/a/b/c") == "/api/contents/a%2Fb%2Fc"
    assert enc.encode("/api/kernels/a/b") == "/api/kernels/a/b"
    assert SlashEncoder([r"/files/(x/y)?(z)?$"]).encode("/files/z") == "/files/z"


def test_slash_encoded_value_is_checked_decoded() -> None:
    """The schema sees the decoded value, slashes included."""
    doc = spec({"/api/contents/{path}": {"get": op(param("path", {"pattern": "^docs/"}))}})
    f = SpecFilter(allowed=doc, slash_encoder=SLASH_ENCODER, name="a")
    assert f.check("GET", "/api/contents/docs/readme.md").allowed
    assert not f.check("GET", "/api/contents/src/readme.md").allowed


def test_gate_strips_base_url_and_lets_the_dashboard_through(guide: SpecFilter) -> None:
    """The gate matches below base_url and never refuses the dev server's dashboard."""
    gate = Gate([guide], "/a%40b/", DASHBOARD)
    assert gate.check("GET", "/a%40b/api/sessions/x").allowed
    assert not gate.check("GET", "/a%40b/api/kernels").allowed
    assert gate.check("GET", "/a%40b/_introspect").allowed
    assert gate.check("GET", "/a%40b/_introspect/api/specs").allowed
    assert gate.check("GET", "/a%40b/static/dashboard/app.css").allowed
    assert not gate.check("GET", "/a%40b/_introspection").allowed
    assert not Gate([guide], "/a%40b/").check("GET", "/a%40b/_introspect").allowed
    assert not gate.check("GET", "/a%40b").allowed
    assert not gate.check("GET", "/api/sessions/x/y").allowed


def test_gate_first_refusal_wins() -> None:
    """With several filters, the first that refuses gives the verdict."""
    a = SpecFilter(blocked=spec({"/x": {"get": op()}}), name="a")
    b = SpecFilter(allowed=spec({"/y": {"get": op()}}), name="b")
    gate = Gate([a, b])
    assert gate.check("GET", "/x").rule == "blocked by a._blocked_spec: GET /x"
    assert gate.check("GET", "/z").rule == "not in b._allowed_spec"
    assert gate.check("GET", "/y").allowed
    assert Gate([]).check("GET", "/x").rule == "no spec enforced"


def test_from_app_reads_the_class_attributes() -> None:
    """SpecFilter.from_app reads an app's three attributes; an app without specs gives None."""

    class App:
        name = "my_app"
        _blocked_spec = spec({"/x": {"get": op()}})

    class Plain:
        name = "plain"

    f = SpecFilter.from_app(App)
    assert f is not None
    assert f.name == "my_app"
    assert not f.check("GET", "/x").allowed
    assert SpecFilter.from_app(Plain) is None


def test_trailing_slash_cannot_dodge_a_block(guide: SpecFilter) -> None:
    """A trailing slash is matched with and without it, as jupyter_server's routes accept both."""
    blocked = SpecFilter(blocked=spec({"/api/kernels": {"get": op()}}), name="b")
    assert not blocked.check("GET", "/api/kernels/").allowed
    assert not blocked.check("GET", "/api/kernels//").allowed
    assert not guide.check("GET", "/api/contents/a/b/").allowed
    assert guide.check("GET", "/api/sessions/x/").allowed
    assert blocked.check("GET", "/").allowed
