"""Checks the value of one path parameter against its OpenAPI ``schema``.

A path segment is text; OpenAPI's default ``style: simple`` says a primitive parameter is that
text read as the schema's type. So ``"42"`` is tried as the string ``"42"``, then as the integer
42 (and ``"true"`` as a boolean): the value passes if one reading is valid. The schema itself is
checked by ``openapi-schema-validator`` (OpenAPI's dialect of JSON Schema: ``nullable``,
``format`` ...), with ``$ref`` resolved inside the spec document. Validators are built once per
parameter and remember recent answers, so a request costs a dictionary look-up in the common case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Protocol

from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT4, DRAFT202012

from .document import PathPart, SpecError, follow, json_path, pointer, resolve

ValueCheck = Callable[[str], bool]

_DOC_URI = "urn:devserver:spec"
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_UNSUPPORTED = {"array", "object"}
_SAMPLES = ("x", "1", "true")


def compile_check(
    doc: Mapping[str, object], version: str, where: list[PathPart], owner: str
) -> ValueCheck | None:
    """A check for the parameter whose ``schema`` sits at ``where`` in ``doc``; None: any value.

    Raises SpecError when the schema cannot be used on a path segment (array, object, a bad
    regular expression).
    """
    schema, at = resolve(doc, follow(doc, where), where, owner)
    if schema is None or schema == {}:
        return None
    types = schema.get("type") if isinstance(schema, Mapping) else None
    wanted = {types} if isinstance(types, str) else set(types or ())
    if wanted & _UNSUPPORTED:
        raise SpecError(
            owner,
            json_path([*at, "type"]),
            "path parameters of type array or object are not supported",
        )
    validator = _validator(doc, version, at)
    try:
        for sample in _SAMPLES:  # compile the regexes and references now, not on a request
            validator.is_valid(sample)
    except (re.error, Unresolvable) as exc:
        raise SpecError(owner, json_path(at), f"unusable schema: {exc}") from exc

    @lru_cache(maxsize=1024)
    def check(value: str) -> bool:
        return any(validator.is_valid(reading) for reading in _readings(value))

    return check


class SchemaValidator(Protocol):
    """What this module uses of a jsonschema validator (openapi-schema-validator's are untyped)."""

    def is_valid(self, instance: object) -> bool: ...


def _validator(doc: Mapping[str, object], version: str, at: list[PathPart]) -> SchemaValidator:
    # Imported on first use, like openapi-spec-validator in ``document``: most extensions
    # declare no specs, and a worker's start should not wait for it.
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        OAS32Validator,
        oas30_format_checker,
        oas31_format_checker,
        oas32_format_checker,
    )

    if version == "3.0":
        cls, checker = (OAS30Validator, oas30_format_checker)
        resource = DRAFT4.create_resource(doc)
    else:
        cls, checker = (OAS31Validator, oas31_format_checker)
        if version >= "3.2":
            cls, checker = (OAS32Validator, oas32_format_checker)
        resource = DRAFT202012.create_resource(doc)
    registry: Registry[object] = Registry().with_resource(_DOC_URI, resource)
    ref = {"$ref": f"{_DOC_URI}#{pointer(at)}"}
    validator: SchemaValidator = cls(ref, registry=registry, format_checker=checker)
    return validator


def _readings(value: str) -> list[object]:
    """The ways a path segment can be read: as text, and as a number or boolean when it is one."""
    readings: list[object] = [value]
    if _INTEGER.fullmatch(value):
        readings.append(int(value))
    elif _NUMBER.fullmatch(value):
        readings.append(float(value))
    elif value in ("true", "false"):
        readings.append(value == "true")
    return readings
