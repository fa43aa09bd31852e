"""Decides whether a request (method, path) passes an app's specs.

Pure logic on plain data, no tornado: a spec is compiled once into one regular expression per
path template, where each ``{param}`` matches exactly one segment (``[^/]+``, as OpenAPI says)
and the captured value is checked against the parameter's schema (see ``params``).

>>> f = SpecFilter(blocked={"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
...     "paths": {"/api/kernels": {"get": {"responses": {"200": {"description": ""}}}}}})
>>> f.check("GET", "/api/kernels").allowed, f.check("GET", "/api/sessions").allowed
(False, True)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote

from .document import PathPart, SpecError, resolve_object, validate_document
from .params import ValueCheck, compile_check
from .verdict import Verdict

SpecKind = Literal["allowed", "blocked"]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAM = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class Operation:
    """One method + path template of a spec, ready to match raw request paths."""

    method: str
    template: str
    regex: re.Pattern[str]
    checks: tuple[ValueCheck | None, ...]

    def matches(self, path: str) -> bool:
        found = self.regex.fullmatch(path)
        if found is None:
            return False
        values = found.groups()
        return all(c is None or c(unquote(v)) for c, v in zip(self.checks, values, strict=True))


@dataclass(frozen=True)
class CompiledSpec:
    """The operations of one spec document, by method, most specific template first."""

    label: str
    kind: SpecKind
    by_method: Mapping[str, tuple[Operation, ...]]

    def find(self, method: str, path: str) -> Operation | None:
        """The operation matching ``method`` and ``path``; HEAD also matches GET operations."""
        for op in self.by_method.get(method, ()):
            if op.matches(path):
                return op
        if method == "HEAD":
            return self.find("GET", path)
        return None


def compile_spec(doc: object, label: str, kind: SpecKind) -> CompiledSpec:
    """Validate ``doc`` and compile its operations; the same document is compiled only once."""
    try:
        text = json.dumps(doc, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise SpecError(label, "$", f"the spec is not JSON data: {exc}") from exc
    return _compile(text, label, kind)


@lru_cache(maxsize=64)
def _compile(text: str, label: str, kind: SpecKind) -> CompiledSpec:
    doc: dict[str, object] = json.loads(text)
    version = validate_document(doc, label)
    operations: dict[str, list[Operation]] = {}
    paths = doc.get("paths")
    for template, item in (paths if isinstance(paths, dict) else {}).items():
        if template.startswith("x-"):
            continue
        path_item, at = resolve_object(doc, item, ["paths", template], label)
        for method in HTTP_METHODS:
            if method in path_item:
                op = _operation(doc, version, template, path_item, at, method, label)
                operations.setdefault(method.upper(), []).append(op)
    by_method = {m: tuple(sorted(ops, key=_specificity)) for m, ops in operations.items()}
    return CompiledSpec(label, kind, by_method)


def _specificity(op: Operation) -> tuple[int, int]:
    """Concrete paths before templated ones (OpenAPI's rule), then longer templates first."""
    return (len(op.checks), -len(op.template))


def _operation(
    doc: Mapping[str, object],
    version: str,
    template: str,
    path_item: Mapping[str, object],
    at: list[PathPart],
    method: str,
    label: str,
) -> Operation:
    schemas = _path_param_schemas(doc, path_item, at, method, label)
    pieces: list[str] = []
    checks: list[ValueCheck | None] = []
    last = 0
    for param in _TEMPLATE_PARAM.finditer(template):
        pieces += [re.escape(template[last : param.start()]), "([^/]+)"]
        where = schemas.get(param.group(1))
        checks.append(None if where is None else compile_check(doc, version, where, label))
        last = param.end()
    pieces.append(re.escape(template[last:]))
    return Operation(method.upper(), template, re.compile("".join(pieces)), tuple(checks))


def _path_param_schemas(
    doc: Mapping[str, object],
    path_item: Mapping[str, object],
    at: list[PathPart],
    method: str,
    label: str,
) -> dict[str, list[PathPart]]:
    """Where each path parameter's schema is: path-level parameters, overridden per operation."""
    out: dict[str, list[PathPart]] = {}
    operation, op_at = resolve_object(doc, path_item[method], [*at, method], label)
    for owner, owner_at in ((path_item, at), (operation, op_at)):
        params = owner.get("parameters")
        for index, raw in enumerate(params if isinstance(params, list) else []):
            param, param_at = resolve_object(doc, raw, [*owner_at, "parameters", index], label)
            if param.get("in") == "path" and "schema" in param:
                out[str(param["name"])] = [*param_at, "schema"]
    return out


class SlashEncoder:
    """``_slash_encoder``: in the first regex that matches, slashes in its groups become ``%2F``.

    >>> SlashEncoder([r"/api/contents/([^/?]+(?:(?:/[^/]+)*?))$"]).encode("/api/contents/a/b")
    '/api/contents/a%2Fb'
    """

    def __init__(self, patterns: Sequence[str], label: str = "_slash_encoder") -> None:
        if isinstance(patterns, str) or not isinstance(patterns, Sequence):
            raise SpecError(label, "$", "expected a list or tuple of regular expressions")
        self.patterns = tuple(patterns)
        self._regexes: list[re.Pattern[str]] = []
        for index, pattern in enumerate(self.patterns):
            try:
                self._regexes.append(re.compile(pattern))
            except (re.error, TypeError) as exc:
                raise SpecError(label, f"$[{index}]", f"not a regular expression: {exc}") from exc

    def encode(self, path: str) -> str:
        for regex in self._regexes:
            found = regex.search(path)
            if found is not None:
                return _encode_groups(path, found)
        return path


def _encode_groups(path: str, found: re.Match[str]) -> str:
    spans = [found.span(g) for g in range(1, (found.re.groups or 0) + 1) if found.span(g)[0] >= 0]
    if not spans:
        return path
    out: list[str] = []
    for index, char in enumerate(path):
        inside = any(start <= index < end for start, end in spans)
        out.append("%2F" if char == "/" and inside else char)
    return "".join(out)


class SpecFilter:
    """Allowed spec, blocked spec and slash encoder of one app, as one request check.

    Blocked wins over allowed; with an allowed spec a request passes only if it matches one of
    its operations. ``name`` (the app's name) appears in every verdict.
    """

    def __init__(
        self,
        allowed: object = None,
        blocked: object = None,
        slash_encoder: Sequence[str] = (),
        name: str = "spec",
    ) -> None:
        self.name = name
        self.blocked_label = f"{name}._blocked_spec"
        self.allowed = (
            None if allowed is None else compile_spec(allowed, f"{name}._allowed_spec", "allowed")
        )
        self.blocked = (
            None if blocked is None else compile_spec(blocked, self.blocked_label, "blocked")
        )
        self.encoder = SlashEncoder(slash_encoder or (), f"{name}._slash_encoder")

    @classmethod
    def from_app(cls, app: object, name: str | None = None) -> SpecFilter | None:
        """The filter of an ExtensionApp (class or instance); None when it defines no spec."""
        allowed = getattr(app, "_allowed_spec", None)
        blocked = getattr(app, "_blocked_spec", None)
        if allowed is None and blocked is None:
            return None
        label = name or str(
            getattr(app, "name", None) or getattr(app, "__name__", type(app).__name__)
        )
        return cls(allowed, blocked, getattr(app, "_slash_encoder", None) or (), label)

    def check(self, method: str, path: str) -> Verdict:
        """The verdict on ``method`` ``path`` (a raw, still percent-encoded path below base_url)."""
        method = method.upper()
        paths = [self.encoder.encode(p) for p in _variants(path)]
        if self.blocked is not None:
            op = _find(self.blocked, method, paths)
            if op is not None:
                return Verdict.by_operation(False, self.blocked.label, op.method, op.template)
        if self.allowed is None:
            return Verdict(True, f"not in {self.blocked_label}", self.blocked_label)
        op = _find(self.allowed, method, paths)
        if op is None:
            return Verdict(False, f"not in {self.allowed.label}", self.allowed.label)
        return Verdict.by_operation(True, self.allowed.label, op.method, op.template)


def _variants(path: str) -> list[str]:
    """``path``, and without its trailing slash: jupyter_server's routes mostly accept both
    (``/api/kernels/?``), so a block that missed ``/api/kernels/`` could be dodged with a slash."""
    if len(path) > 1 and path.endswith("/"):
        return [path, path.rstrip("/") or "/"]
    return [path]


def _find(spec: CompiledSpec, method: str, paths: list[str]) -> Operation | None:
    for path in paths:
        op = spec.find(method, path)
        if op is not None:
            return op
    return None
