"""Invalid specs: every error names the app's attribute and the place in the spec."""

from __future__ import annotations

from typing import Any

import pytest

from devserver.errors import ConfigError, ExitCode
from devserver.specs import SlashEncoder, SpecError, SpecFilter
from devserver.specs.examples import example_path


def spec(paths: Any, **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def op(*params: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": list(params), "responses": {"200": {"description": ""}}}


def param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


@pytest.mark.parametrize(
    ("doc", "place", "problem"),
    [
        ([], "$", "expected a mapping"),
        ({"swagger": "2.0"}, "$.openapi", "expected an OpenAPI 3.x version"),
        ({"openapi": "3.0.1", "paths": {}}, "$", "'info' is a required property"),
        (spec({"/x": {"get": {}}}), "$.paths['/x'].get", "'responses' is a required property"),
        (spec({"x": {"get": op()}}), "$.paths", "'x' does not match"),
        (spec({"/x/{p}": {"get": op(param("p", {"type": "strin"}))}}),
         "$.paths['/x/{p}'].get.parameters[0].schema.type", "'strin'"),
        (spec({"/x/{p}": {"get": op(param("p", {"type": "string", "pattern": "("}))}}),
         "$.paths['/x/{p}'].get.parameters[0].schema.pattern", "'(' is not a 'regex'"),
        (spec({"/x/{q}": {"get": op()}}), "$", "Path parameter 'q'"),
        (spec({"/x/{p}": {"get": op(param("p", {"type": "array", "items": {}}))}}),
         "$.paths['/x/{p}'].get.parameters[0].schema.type", "array or object are not supported"),
        (spec({"/x/{p}": {"get": op({"$ref": "#/components/parameters/P"})}}),
         "$", "unresolvable reference"),
    ],
)  # fmt: skip
def test_invalid_spec_names_the_place(doc: Any, place: str, problem: str) -> None:
    """An invalid spec raises SpecError with the attribute, the JSON path and the problem."""
    with pytest.raises(SpecError) as info:
        SpecFilter(allowed=doc, name="my_app")
    error = info.value
    assert error.owner == "my_app._allowed_spec"
    assert error.place == place
    assert problem in error.problem
    assert f"my_app._allowed_spec at {place}" in str(error)


def test_spec_error_is_a_config_error() -> None:
    """SpecError is a ConfigError, so the CLI exits with the config-error code."""
    with pytest.raises(ConfigError) as info:
        SpecFilter(blocked={"openapi": "3.0.1"}, name="b")
    assert info.value.exit_code == ExitCode.CONFIG_ERROR
    assert "b._blocked_spec" in str(info.value)


def test_spec_that_is_not_json_data_is_refused() -> None:
    """A spec holding objects JSON cannot represent is refused rather than half-read."""
    with pytest.raises(SpecError, match="not JSON data"):
        SpecFilter(allowed=spec({"/x": {"get": op()}}, extra=object()), name="a")


@pytest.mark.parametrize(
    ("encoder", "place"), [("/api/(.*)$", "$"), (["/ok/(.*)", "/bad/(["], "$[1]")]
)
def test_invalid_slash_encoder_names_the_entry(encoder: Any, place: str) -> None:
    """A slash encoder must be a list of regexes; a bad entry is named by its index."""
    with pytest.raises(SpecError) as info:
        SlashEncoder(encoder, "my_app._slash_encoder")
    assert info.value.place == place


@pytest.mark.parametrize(
    ("pattern", "example"),
    [
        (r"/a%40b/api/contents(?P<path>(?:(?:/[^/]+)+|/?))", "/a%40b/api/contents/x"),
        (r"/api/sessions/(?P<session_id>\w+-\w+-\w+-\w+-\w+)", "/api/sessions/x-x-x-x-x"),
        (r"/api/kernels/?", "/api/kernels"),
        (r"(.*)", "/"),
        (r"/x/[0-9]{4}", "/x/0000"),
        (r"/api/kernelspecs/(?P<kernel_name>[\w\.\-%]+)", "/api/kernelspecs/x"),
        (r"/(?!foo)bar", "/bar"),
        (r"/api/spec.yaml", "/api/spec.yaml"),
        (r"/files/(.+)", "/files/x"),
        (r"/x/[^\w\W]", None),
        (r"/x/(", None),
    ],
)
def test_example_path_of_a_route(pattern: str, example: str | None) -> None:
    """Each route regex gives one path it matches in full, or None when it cannot."""
    assert example_path(pattern) == example
