"""Checks that a spec is an OpenAPI v3 document, and says where it is not.

The structure is checked by ``openapi-spec-validator`` (the reference validator of the OpenAPI
community; it also resolves ``$ref`` and checks that every ``{param}`` of a path is declared).
The error names the place as a JSON path, ``$.paths['/api/x'].get.responses``, so the author
can find it. Errors live in the one hierarchy of ``devserver.errors``::

    ConfigError
    └── SpecError    an _allowed_spec / _blocked_spec / _slash_encoder that cannot be enforced
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

# openapi-spec-validator 0.9 switches to jsonschema-rs whenever that is installed (schemathesis
# brings it), whose errors carry a multi-line message and no context to find the precise place.
# The errors this module reports are built from jsonschema's; a user's own choice still wins.
os.environ.setdefault("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "jsonschema")

from referencing.exceptions import Unresolvable

from devserver.errors import ConfigError

PathPart = str | int


class SpecError(ConfigError):
    """A spec of an ExtensionApp is not valid, so it cannot be enforced (and nothing is served).

    ``owner`` names the extension and attribute, ``place`` is a JSON path into the spec.
    """

    def __init__(self, owner: str, place: str, problem: str) -> None:
        super().__init__(
            f"{owner} at {place}: {problem}. The spec must be a valid OpenAPI v3 document; "
            "the server does not start with a spec it cannot enforce."
        )
        self.owner = owner
        self.place = place
        self.problem = problem


def json_path(parts: Iterable[PathPart]) -> str:
    """``['paths', '/a', 'get', 0]`` as ``$.paths['/a'].get[0]`` (jsonschema's notation).

    >>> json_path(["paths", "/api/x/{p}", "get", "parameters", 0])
    "$.paths['/api/x/{p}'].get.parameters[0]"
    """
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def validate_document(doc: object, owner: str) -> str:
    """Check ``doc`` with openapi-spec-validator; return its OpenAPI version ("3.0", "3.1"...).

    Raises SpecError naming ``owner`` and the JSON path of the first problem found.
    """
    if not isinstance(doc, Mapping):
        raise SpecError(
            owner, "$", f"expected a mapping (an OpenAPI document), got {type(doc).__name__}"
        )
    version = str(doc.get("openapi", ""))
    if not version.startswith("3."):
        raise SpecError(owner, "$.openapi", f"expected an OpenAPI 3.x version, got {version!r}")
    # Imported on first use: about a tenth of a worker's start, for the apps that declare specs.
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    try:
        validator_cls = get_validator_cls(doc)
    except ValidatorDetectError as exc:
        raise SpecError(owner, "$.openapi", f"unsupported OpenAPI version {version!r}") from exc
    try:
        error = next(iter(validator_cls(SchemaPath.from_dict(doc)).iter_errors()), None)
    except Unresolvable as exc:
        raise SpecError(owner, "$", f"unresolvable reference: {exc}") from exc
    if error is not None:
        place, message = _describe(error, doc)
        raise SpecError(owner, place, message)
    return ".".join(version.split(".")[:2])


class ValidationError(Protocol):
    """What this module reads of a (jsonschema) validation error; the library is untyped."""

    context: Sequence[ValidationError]
    absolute_path: Sequence[PathPart]
    instance: object
    message: str


def _describe(error: ValidationError, doc: Mapping[str, object]) -> tuple[str, str]:
    """The JSON path and message of a validation error, taken from its most precise part."""
    deepest = error
    for _ in range(20):  # bounded: contexts nest as deep as the schema, never deeper
        if not deepest.context:
            break
        deepest = max(deepest.context, key=lambda e: len(e.absolute_path))
    if deepest is not error and len(deepest.absolute_path) <= len(error.absolute_path):
        deepest = error
    parts = list(deepest.absolute_path)
    if parts and parts[0] not in doc:
        # openapi-spec-validator checks schemas in a second pass whose errors carry a path
        # relative to the schema object; find where in the document that schema sits.
        parts = _locate(doc, parts, deepest.instance) or parts
    return json_path(parts), deepest.message


def _locate(
    doc: Mapping[str, object], suffix: Sequence[PathPart], value: object
) -> list[PathPart] | None:
    """The first path in ``doc`` that ends with ``suffix`` and holds ``value``."""
    for prefix, node in _walk(doc, []):
        found = follow(node, suffix)
        if found is not MISSING and found == value:
            return [*prefix, *suffix]
    return None


MISSING = object()


def follow(node: object, parts: Sequence[PathPart]) -> object:
    """What sits at ``parts`` under ``node``, or ``MISSING``."""
    for part in parts:
        if isinstance(node, Mapping):
            node = node.get(part, MISSING)
        elif isinstance(node, list | tuple) and isinstance(part, int):
            node = node[part] if -len(node) <= part < len(node) else MISSING
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return node


def _walk(node: object, prefix: list[PathPart]) -> Iterator[tuple[list[PathPart], object]]:
    yield prefix, node
    if isinstance(node, Mapping):
        for key, child in node.items():
            yield from _walk(child, [*prefix, str(key)])
    elif isinstance(node, list | tuple):
        for index, child in enumerate(node):
            yield from _walk(child, [*prefix, index])


def resolve(
    doc: Mapping[str, object], node: object, where: list[PathPart], owner: str
) -> tuple[object, list[PathPart]]:
    """Follow a local ``$ref`` chain from ``node``; return the target and its path in ``doc``."""
    for _ in range(32):  # a longer chain is a cycle
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            return node, where
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise SpecError(owner, json_path(where), f"only local references are supported: {ref}")
        where = [_unescape(p) for p in ref[2:].split("/")]
        node = follow(doc, where)
        if node is MISSING:
            raise SpecError(owner, json_path(where), f"unresolvable reference {ref}")
    raise SpecError(owner, json_path(where), "reference cycle")


def resolve_object(
    doc: Mapping[str, object], node: object, where: list[PathPart], owner: str
) -> tuple[Mapping[str, object], list[PathPart]]:
    """``resolve``, for a place where OpenAPI puts an object (a path item, an operation, a
    parameter); SpecError naming the place when it is something else."""
    target, at = resolve(doc, node, where, owner)
    if not isinstance(target, Mapping):
        raise SpecError(owner, json_path(at), f"expected an object, found {type(target).__name__}")
    return target, at


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(parts: Sequence[PathPart]) -> str:
    """A JSON pointer (RFC 6901) for ``parts``: ``['paths', '/a']`` is ``/paths/~1a``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


__all__ = ["SpecError", "json_path", "pointer", "resolve", "validate_document"]
