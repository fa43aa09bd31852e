"""One extension in full: the data of ``/_introspect/extensions/NAME`` and of
``GET api/extensions/NAME``, plus where code lives (``file:line``) for editor links.
"""

from __future__ import annotations

import inspect
import linecache
import re
import sys
from typing import TypedDict
from urllib.parse import quote

from devserver.agent.registry import Registry
from devserver.apijson import ErrorJson, ExtensionJson, ReloadJson, RouteJson

from .config_sources import Sources, TraitJson, describe_traits
from .data import routes_json


class SourceJson(TypedDict):
    """Where a class is defined; ``line`` None when its ``class`` line is not found."""

    file: str
    line: int | None


class RouteDetailJson(RouteJson):
    """A route as the extension and routes pages show it: with its handler's source."""

    source: SourceJson | None


class ConfigPointJson(TypedDict):
    """The configurable traits of one ExtensionApp point."""

    point: str
    app: str
    traits: list[TraitJson]


class ExtensionDetailJson(ExtensionJson):
    """``GET extensions/{name}``: the extension's contract object (its ``routes`` are
    ``RouteDetailJson``), with every error, every reload and its config."""

    error_history: list[ErrorJson]
    reloads: list[ReloadJson]
    config: list[ConfigPointJson]


def extension_detail(registry: Registry, name: str) -> ExtensionDetailJson | None:
    """The extension's contract object plus ``error_history`` (resolved ones too, newest
    last), ``reloads`` (oldest first), ``config`` per ExtensionApp point, and each route's
    ``source`` and ``shadowed_by``; None for an unknown name."""
    package = registry.resolve(name)
    if package is None:
        return None
    record = registry.extensions[package]
    own = record.to_json(registry.routes_of(package))
    by_order = {r["order"]: r for r in routes_with_sources(registry)}
    routes: list[RouteJson] = [by_order[r["order"]] for r in own["routes"]]
    return {
        **own,
        "routes": routes,
        "error_history": [e.to_json() for e in registry.errors if e.extension == package],
        "reloads": [r.to_json() for r in record.reloads],
        "config": extension_config(registry, package),
    }


def routes_with_sources(registry: Registry) -> list[RouteDetailJson]:
    """The routes API's items, each with its handler's ``source`` (``{"file", "line"}``)."""
    return [
        {**route, "source": handler_source(route["handler"])}
        for route in routes_json(registry)["routes"]
    ]


def extension_config(registry: Registry, package: str) -> list[ConfigPointJson]:
    """``[{"point", "app", "traits": [...]}]`` for each ExtensionApp point of ``package``."""
    serverapp = registry.serverapp
    extension = serverapp.extension_manager.extensions.get(package)
    if extension is None:
        return []
    sources = Sources.of(serverapp)
    out: list[ConfigPointJson] = []
    for point_name, point in extension.extension_points.items():
        app = point.app
        if app is None:
            continue
        names = sorted(set(app.class_own_traits(config=True)) - {"config", "log"})
        out.append(
            {"point": point_name, "app": app.name, "traits": describe_traits(app, sources, names)}
        )
    return out


def handler_source(dotted: str) -> SourceJson | None:
    """``{"file", "line"}`` of a handler class named ``module.Qualname``, when it is loaded."""
    # The module is the longest prefix found in sys.modules (the class may be nested).
    obj: object = None
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is not None:
            obj = module
            for attr in parts[cut:]:
                obj = getattr(obj, attr, None)
            break
    if not inspect.isclass(obj):
        return None
    try:
        file = inspect.getsourcefile(obj)
    except TypeError:  # a built-in class
        return None
    if not file:
        return None
    # Found by name, not by parsing: the file may hold a syntax error by now (inspect would fail).
    definition = re.compile(rf"^\s*class\s+{re.escape(obj.__name__)}\b")
    linecache.checkcache(file)
    lines = linecache.getlines(file)
    line = next((n for n, text in enumerate(lines, 1) if definition.match(text)), None)
    return {"file": file, "line": line}


def editor_href(template: str, source: SourceJson | None) -> str:
    """The open-in-editor link for a ``{"file", "line"}``; empty without a template or source.

    >>> editor_href("vscode://file/{file}:{line}", {"file": "/a b.py", "line": 3})
    'vscode://file//a%20b.py:3'
    """
    if not template or not source or not source["file"]:
        return ""
    return template.format(file=quote(source["file"]), line=source["line"] or 1)
