"""The schemas of the JSON API's bodies, for the OpenAPI document (``dashboard.openapi``).

Fields listed as ``required`` are the contract; objects stay open (``additionalProperties``)
because fields may be added, never removed. The enums are the records' own ``Literal`` types.
"""

from __future__ import annotations

from typing import get_args

from devserver.apijson import Mode, Phase, State

Schema = dict[str, object]

NULLABLE_STR: Schema = {"type": ["string", "null"]}


def obj(required: dict[str, Schema], **optional: Schema) -> Schema:
    """An open object schema: ``required`` fields must be there, more may come."""
    return {"type": "object", "required": list(required), "properties": {**required, **optional}}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


ERROR = obj(
    {
        "type": {"type": "string"},
        "message": {"type": "string"},
        "traceback": {"type": "string"},
        "file": NULLABLE_STR,
        "line": {"type": ["integer", "null"]},
    },
    extension={"type": "string"},
    phase={"enum": list(get_args(Phase))},
    time={"type": "number"},
    id={"type": "integer"},
    resolved_at={"type": ["number", "null"]},
)
ROUTE = obj(
    {
        "pattern": {"type": "string"},
        "handler": {"type": "string"},
        "extension": NULLABLE_STR,
        "methods": array({"type": "string"}),
        "authenticated": {"type": "boolean"},
        "order": {"type": "integer"},
    },
    host={"type": "string"},
    shadowed_by={"type": ["integer", "null"]},
)
RELOAD = obj(
    {
        "extension": {"type": "string"},
        "ok": {"type": "boolean"},
        "mode": {"enum": list(get_args(Mode))},
        "duration_ms": {"type": "number"},
        "routes_before": {"type": "integer"},
        "routes_after": {"type": "integer"},
        "error": {"oneOf": [ref("Error"), {"type": "null"}]},
    },
    blocked_ms={"type": "number"},
    together_with=array({"type": "string"}),
    time={"type": "number"},
    shadows={"type": "integer"},
)
EXTENSION = obj(
    {
        "name": {"type": "string"},
        "enabled": {"type": "boolean"},
        "state": {"enum": list(get_args(State))},
        "module": {"type": "string"},
        "version": {"type": "string"},
        "source": NULLABLE_STR,
        "points": array({"type": "object"}),
        "routes": array(ref("Route")),
        "errors": array(ref("Error")),
        "last_reload": {"oneOf": [ref("Reload"), {"type": "null"}]},
    },
    # GET extensions/{name} only: the extension's page.
    error_history=array(ref("Error")),
    reloads=array(ref("Reload")),
    config=array({"type": "object"}),
)
STATUS = obj(
    {
        "version": {"type": "string"},
        "jupyter_server_version": {"type": "string"},
        "python_version": {"type": "string"},
        "pid": {"type": "integer"},
        "started": {"type": "number"},
        "extensions": {"type": "integer"},
        "routes": {"type": "integer"},
        "errors": {"type": "integer"},
        "reloads": {"type": "integer"},
    },
    starter=NULLABLE_STR,
    resolved_errors={"type": "integer"},
    kernels={"type": "integer"},
    kernels_kept=array({"type": "string"}),
)
CHECK = obj(
    {
        "check": {"type": "string"},
        "ok": {"type": "boolean"},
        "summary": {"type": "string"},
        "items": array({"type": "string"}),
    }
)
AUDIT = obj(
    {
        "extension": {"type": "string"},
        "times": {"type": "integer"},
        "ok": {"type": "boolean"},
        "checks": array(ref("AuditCheck")),
    },
    duration_ms={"type": "number"},
    packages=array({"type": "string"}),
    # Empty when a reload failed before the memory was measured.
    memory=obj(
        {},
        per_reload_kb={"type": "number"},
        limit_kb={"type": "number"},
        heap_before_kb={"type": "integer"},
        heap_after_kb={"type": "integer"},
        rss_before_kb={"type": "integer"},
        rss_after_kb={"type": "integer"},
    ),
)
FAILURE = obj({"error": {"type": "string"}}, status={"type": "integer"})
REQUEST = obj(
    {
        "id": {"type": "integer"},
        "time": {"type": "number"},
        "method": {"type": "string"},
        "path": {"type": "string"},
        "status": {"type": "integer"},
        "duration_ms": {"type": "number"},
        "route": NULLABLE_STR,
        "handler": {"type": "string"},
        "extension": {"type": "string"},
        "user": NULLABLE_STR,
        "websocket": {"type": ["object", "null"]},
    }
)
LOG_RECORD = obj(
    {
        "extension": {"type": "string"},
        "time": {"type": "number"},
        "level": {"type": "string"},
        "logger": {"type": "string"},
        "message": {"type": "string"},
    },
    file={"type": "string"},
    line={"type": "integer"},
)

SCHEMAS: dict[str, Schema] = {
    "Status": STATUS,
    "Extension": EXTENSION,
    "Route": ROUTE,
    "Reload": RELOAD,
    "Error": ERROR,
    "AuditCheck": CHECK,
    "Request": REQUEST,
    "LogRecord": LOG_RECORD,
    "Audit": AUDIT,
    "Failure": FAILURE,
}
