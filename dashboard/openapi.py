"""The OpenAPI 3.1 description of the JSON API, served at ``/_introspect/api/openapi.json``.

One document describes every endpoint of docs/api.md; the tests validate it, check that every
route under ``/_introspect/api`` is described, and fuzz the running server against it. Fields
listed as ``required`` are the contract; objects stay open (``additionalProperties``) because
fields may be added, never removed.

>>> doc = document("/")
>>> doc["servers"][0]["url"], sorted(doc["paths"])[:2]
('/_introspect/api', ['/errors', '/events'])
"""

from __future__ import annotations

from typing import Any

from devserver import __version__

Schema = dict[str, Any]

NULLABLE_STR: Schema = {"type": ["string", "null"]}
NAME_PARAM: Schema = {
    "name": "name",
    "in": "path",
    "required": True,
    "description": "The extension's package name, or its ExtensionApp's name.",
    "schema": {"type": "string", "minLength": 1},
}
#: The most reloads one audit may run (a request that holds the server this long is enough).
MAX_AUDIT_TIMES = 50


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
    phase={"enum": ["import", "link", "load", "start", "reload"]},
    time={"type": "number"},
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
        "mode": {"enum": ["hot", "restart"]},
        "duration_ms": {"type": "number"},
        "routes_before": {"type": "integer"},
        "routes_after": {"type": "integer"},
        "error": {"oneOf": [ref("Error"), {"type": "null"}]},
    },
    blocked_ms={"type": "number"},
    together_with=array({"type": "string"}),
    time={"type": "number"},
)
EXTENSION = obj(
    {
        "name": {"type": "string"},
        "enabled": {"type": "boolean"},
        "state": {"enum": ["loaded", "failed", "disabled"]},
        "module": {"type": "string"},
        "version": {"type": "string"},
        "source": NULLABLE_STR,
        "points": array({"type": "object"}),
        "routes": array(ref("Route")),
        "errors": array(ref("Error")),
        "last_reload": {"oneOf": [ref("Reload"), {"type": "null"}]},
    }
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

SCHEMAS: dict[str, Schema] = {
    "Status": STATUS,
    "Extension": EXTENSION,
    "Route": ROUTE,
    "Reload": RELOAD,
    "Error": ERROR,
    "AuditCheck": CHECK,
    "Audit": AUDIT,
    "Failure": FAILURE,
}


def answer(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


REFUSED = {
    "403": answer("No or wrong credentials, or the authorizer refused.", ref("Failure")),
}
UNKNOWN = {"404": answer("No extension of that name.", ref("Failure"))}


def operation(op_id: str, summary: str, ok: Schema, *extra: dict[str, Schema]) -> Schema:
    """One operation answering ``ok`` (a JSON schema) with 200, plus the usual refusals."""
    responses: dict[str, Schema] = {"200": answer(summary, ok), **REFUSED}
    for more in extra:
        responses.update(more)
    return {"operationId": op_id, "summary": summary, "responses": responses}


def paths() -> dict[str, Schema]:
    """Every endpoint, keyed by its path below ``/_introspect/api``."""
    not_ready = {"503": answer("The reload engine is not running yet.", ref("Failure"))}
    audit = operation(
        "auditExtension",
        "Reload N times and list what leaks.",
        ref("Audit"),
        UNKNOWN,
        not_ready,
        {"400": answer("`times` is not a number from 1 to 50.", ref("Failure"))},
    )
    audit["parameters"] = [
        NAME_PARAM,
        {
            "name": "times",
            "in": "query",
            "required": False,
            "description": "How many reloads (default 5).",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_AUDIT_TIMES},
        },
    ]
    errors = operation(
        "listErrors", "Load and reload errors, oldest first.", obj({"errors": array(ref("Error"))})
    )
    errors["parameters"] = [
        {
            "name": "extension",
            "in": "query",
            "required": False,
            "description": "Only this extension's errors.",
            "schema": {"type": "string"},
        }
    ]
    events = operation("streamEvents", "Server-Sent Events: reloads, errors, restarts.", {})
    events["responses"]["200"] = {
        "description": "A `text/event-stream` that stays open.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
    one = operation("getExtension", "One extension.", ref("Extension"), UNKNOWN)
    reload = operation(
        "reloadExtension", "Hot-reload an extension now.", ref("Reload"), UNKNOWN, not_ready
    )
    return {
        "/status": {"get": operation("getStatus", "Versions and counts.", ref("Status"))},
        "/extensions": {
            "get": operation(
                "listExtensions",
                "Every extension, by name.",
                obj({"extensions": array(ref("Extension"))}),
            )
        },
        "/extensions/{name}": {"parameters": [NAME_PARAM], "get": one},
        "/extensions/{name}/reload": {"parameters": [NAME_PARAM], "post": reload},
        "/extensions/{name}/audit": {"post": audit},
        "/routes": {
            "get": operation(
                "listRoutes", "Every route in routing order.", obj({"routes": array(ref("Route"))})
            )
        },
        "/settings": {
            "get": operation(
                "getSettings",
                "Effective settings, secrets masked.",
                obj(
                    {
                        "server": {"type": "object"},
                        "tornado": {"type": "object"},
                        "extensions": {"type": "object"},
                    }
                ),
            )
        },
        "/specs": {
            "get": operation(
                "getSpecs",
                "OpenAPI restrictions and their verdicts.",
                obj({"specs": array({"type": "object"}), "verdicts": array({"type": "object"})}),
            )
        },
        "/errors": {"get": errors},
        "/events": {"get": events},
        "/openapi.json": {"get": operation("getOpenApi", "This document.", {"type": "object"})},
    }


def document(base_url: str) -> dict[str, Any]:
    """The whole OpenAPI document for a server whose base_url is ``base_url``."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jupyter-devserver introspection API",
            "version": __version__,
            "description": "The JSON API of the dev server's `/_introspect` dashboard. "
            "Every endpoint needs the server's token (`Authorization: token ...`).",
        },
        "servers": [{"url": base_url.rstrip("/") + "/_introspect/api"}],
        "security": [{"jupyter": []}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "jupyter": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`token <the server's token>`",
                }
            },
        },
    }
