"""The specs of jupyter_server's extension guide, as plain data for the tests (verbatim)."""

from __future__ import annotations

from typing import Any


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


ALLOWED: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {"title": "Test specs", "version": "0.0.1"},
    "paths": {
        "/api/contents/{path}": {
            # Will be blocked by _blocked_spec
            "get": {
                "parameters": [_path_param("path")],
                "responses": {"200": {"description": ""}},
            },
        },
        "/api/contents/{path}/checkpoints": {
            "post": {
                "parameters": [_path_param("path")],
                "responses": {"201": {"description": ""}},
            },
        },
        "/api/sessions/{sessionId}": {
            "get": {
                "parameters": [_path_param("sessionId")],
                "responses": {"200": {"description": ""}},
            },
        },
    },
}

BLOCKED: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {"title": "Test specs", "version": "0.0.1"},
    "paths": {
        "/api/contents/{path}": {
            "get": {
                "parameters": [_path_param("path")],
                "responses": {"200": {"description": ""}},
            },
        },
    },
}

SLASH_ENCODER = (
    r"/api/contents/([^/?]+(?:(?:/[^/]+)*?))/checkpoints$",
    r"/api/contents/([^/?]+(?:(?:/[^/]+)*?))$",
)
