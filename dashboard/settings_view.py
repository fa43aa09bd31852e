"""The effective settings as JSON-safe data.

Three sections, as the API's ``GET settings`` serves them: the ServerApp's configurable traits
and the config it loaded, tornado's ``web_app.settings``, and each ExtensionApp's own traits.
Values that are not JSON become a short ``repr``. Masking happens afterwards, on the result.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING

from traitlets import HasTraits

from devserver.masking import secret_values, values_under_secret_names
from devserver.typedjson import JSON

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp

MAX_DEPTH = 6
MAX_REPR = 200
MAX_ITEMS = 200

# ExtensionApp traits that copy the whole server (``settings`` holds every tornado setting) or
# hold objects: shown in their own sections, or meaningless as data.
_SKIPPED_APP_TRAITS = frozenset({"settings", "handlers", "serverapp", "config", "parent", "log"})


def jsonable(value: object, depth: int = 0) -> JSON:
    """``value`` as JSON data: containers recurse, other objects become a short repr.

    >>> jsonable({"a": (1, PurePath("/x")), 2: {3}})
    {'a': [1, '/x'], '2': [3]}
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return _short_repr(value) if depth >= MAX_DEPTH else _converted(value, depth + 1)


@functools.singledispatch
def _converted(value: object, depth: int) -> JSON:
    """``value`` (not a JSON scalar) as JSON data, its items at ``depth``: by its type, one
    function each below; any other kind its short repr."""
    return _short_repr(value)


@_converted.register(bytes)
def _bytes(value: bytes, depth: int) -> JSON:
    return value.decode("utf-8", "replace")


@_converted.register(PurePath)
def _path(value: PurePath, depth: int) -> JSON:
    return str(value)


@_converted.register(Mapping)
def _mapping(value: Mapping[object, object], depth: int) -> JSON:
    return {str(k): jsonable(v, depth) for k, v in list(value.items())[:MAX_ITEMS]}


@_converted.register(list)
@_converted.register(tuple)
def _sequence(value: list[object] | tuple[object, ...], depth: int) -> JSON:
    return [jsonable(v, depth) for v in value[:MAX_ITEMS]]


@_converted.register(set)
@_converted.register(frozenset)
def _set(value: set[object] | frozenset[object], depth: int) -> JSON:
    return [jsonable(v, depth) for v in sorted(value, key=repr)[:MAX_ITEMS]]


def _short_repr(value: object) -> str:
    if isinstance(value, type):
        return f"<class {value.__module__}.{value.__qualname__}>"
    text = repr(value)
    if len(text) > MAX_REPR:
        return f"<{type(value).__module__}.{type(value).__qualname__} object>"
    return text


def configured_traits(obj: HasTraits, own_only: bool = False) -> dict[str, object]:
    """The configurable traits of ``obj`` that hold a value.

    Traits never read are left out rather than computed: computing a default on a running server
    can have effects, and a few (``ServerApp.token``) warn that they are deprecated.
    """
    names = obj.class_own_traits(config=True) if own_only else obj.traits(config=True)
    return {
        name: jsonable(obj._trait_values[name])
        for name in sorted(names)
        if name not in _SKIPPED_APP_TRAITS and name in obj._trait_values
    }


def collect_settings(serverapp: ServerApp) -> dict[str, object]:
    """The ``server``, ``tornado`` and ``extensions`` sections, unmasked."""
    return {
        "server": {
            "traits": configured_traits(serverapp),
            "config": jsonable(serverapp.config),
        },
        "tornado": jsonable(serverapp.web_app.settings),
        "extensions": extension_settings(serverapp),
    }


def extension_settings(serverapp: ServerApp) -> dict[str, object]:
    """Per extension point (an ExtensionApp's ``name``): its package, and for an ExtensionApp
    its own configurable traits and the settings it keeps under its name (``<name>_...``)."""
    out: dict[str, object] = {}
    manager = serverapp.extension_manager
    for package_name, package in sorted(manager.extensions.items()):
        for point_name, point in package.extension_points.items():
            app = point.app
            entry: dict[str, object] = {"package": package_name, "module": point.module_name}
            if app is not None:
                entry["traits"] = configured_traits(app, own_only=True)
                own = {k: v for k, v in app.settings.items() if k.startswith(app.name)}
                entry["settings"] = jsonable(own)
            out[point_name] = entry
    return out


def server_secrets(serverapp: ServerApp) -> frozenset[str]:
    """The secret values of this server: token, hashed password, cookie secret, secret env."""
    identity = serverapp.identity_provider
    settings = serverapp.web_app.settings
    candidates: list[str | bytes | None] = [
        getattr(identity, "token", None),
        getattr(identity, "hashed_password", None),
        settings.get("cookie_secret"),
        settings.get("password"),
        # Values under secret names anywhere in the config, however they were given (a
        # --ServerApp.tornado_settings dict on the command line): masked wherever they appear.
        *values_under_secret_names(dict(serverapp.config)),
        *values_under_secret_names(serverapp.tornado_settings),
    ]
    return secret_values(candidates, os.environ)
