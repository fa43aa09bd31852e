"""The OpenAPI 3.1 description of the JSON API, served at ``/_introspect/api/openapi.json``.

One document describes every endpoint of docs/api.md; the tests validate it, check that every
route under ``/_introspect/api`` is described, and fuzz the running server against it. Fields
listed as ``required`` are the contract (``dashboard.openapi_schemas``).

>>> doc = document("/")
>>> doc["servers"][0]["url"], sorted(doc["paths"])[:2]
('/_introspect/api', ['/errors', '/errors/clear'])
"""

from __future__ import annotations

from devserver import __version__

from .openapi_schemas import SCHEMAS, Schema, array, obj, ref

NAME_PARAM: Schema = {
    "name": "name",
    "in": "path",
    "required": True,
    "description": "The extension's package name, or its ExtensionApp's name.",
    "schema": {"type": "string", "minLength": 1},
}
#: The most reloads one audit may run (a request that holds the server this long is enough).
MAX_AUDIT_TIMES = 50


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


def query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def log_paths() -> dict[str, Schema]:
    """The request log and the extensions' log records."""
    bad = {"400": answer("A numeric filter is not a number.", ref("Failure"))}
    filters = [
        query("status", {"type": "string"}, "`5xx`, `4xx`... or one status such as `404`."),
        query("since", {"type": "number"}, "Only requests after this Unix time."),
        query("after", {"type": "integer"}, "Only requests after this entry id."),
        query("limit", {"type": "integer"}, "Only the newest this many."),
    ]
    body = obj({"requests": array(ref("Request")), "worker": {"type": "integer"}})
    every = operation("listRequests", "Requests the server answered, oldest first.", body, bad)
    every["parameters"] = [query("extension", {"type": "string"}, "Only this owner's."), *filters]
    one = operation("listExtensionRequests", "One extension's requests.", body, bad, UNKNOWN)
    one["parameters"] = filters
    logs = operation(
        "listExtensionLogs",
        "One extension's log records, oldest first.",
        obj({"logs": array(ref("LogRecord"))}),
        bad,
        UNKNOWN,
    )
    logs["parameters"] = [query("after", {"type": "number"}, "Only records after this time.")]
    return {
        "/requests": {"get": every},
        "/extensions/{name}/requests": {"parameters": [NAME_PARAM], "get": one},
        "/extensions/{name}/logs": {"parameters": [NAME_PARAM], "get": logs},
    }


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
    stream: Schema = {
        "description": "A `text/event-stream` that stays open.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
    events = operation(
        "streamEvents", "Server-Sent Events: reloads, errors, restarts.", {}, {"200": stream}
    )
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
        "/errors/clear": {
            "post": operation(
                "clearErrors",
                "Forget the resolved errors; the open ones stay.",
                obj({"cleared": {"type": "integer"}}),
            )
        },
        "/events": {"get": events},
        "/openapi.json": {"get": operation("getOpenApi", "This document.", {"type": "object"})},
        **log_paths(),
    }


def document(base_url: str) -> dict[str, object]:
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
