"""One extension in full: the data of ``/_introspect/extensions/NAME`` and of
``GET api/extensions/NAME``, plus where code lives (``file:line``) for editor links.
"""

from __future__ import annotations

import inspect
import linecache
import re
import sys
from typing import Any
from urllib.parse import quote

from devserver.agent.registry import Registry

from .config_sources import Sources, describe_traits
from .data import routes_json


def extension_detail(registry: Registry, name: str) -> dict[str, Any] | None:
    """The extension's contract object plus ``error_history`` (resolved ones too, newest
    last), ``reloads`` (oldest first), ``config`` per ExtensionApp point, and each route's
    ``source`` and ``shadowed_by``; None for an unknown name."""
    package = registry.resolve(name)
    if package is None:
        return None
    record = registry.extensions[package]
    out: dict[str, Any] = dict(record.to_json(registry.routes_of(package)))
    by_order = {r["order"]: r for r in routes_with_sources(registry)}
    out["routes"] = [by_order[r["order"]] for r in out["routes"]]
    out["error_history"] = [e.to_json() for e in registry.errors if e.extension == package]
    out["reloads"] = [r.to_json() for r in record.reloads]
    out["config"] = extension_config(registry, package)
    return out


def routes_with_sources(registry: Registry) -> list[dict[str, Any]]:
    """The routes API's items, each with its handler's ``source`` (``{"file", "line"}``)."""
    routes: list[dict[str, Any]] = [dict(r) for r in routes_json(registry)["routes"]]
    for item in routes:
        item["source"] = handler_source(item["handler"])
    return routes


def extension_config(registry: Registry, package: str) -> list[dict[str, Any]]:
    """``[{"point", "app", "traits": [...]}]`` for each ExtensionApp point of ``package``."""
    serverapp = registry.serverapp
    extension = serverapp.extension_manager.extensions.get(package)
    if extension is None:
        return []
    sources = Sources.of(serverapp)
    out = []
    for point_name, point in extension.extension_points.items():
        app = point.app
        if app is None:
            continue
        names = sorted(set(app.class_own_traits(config=True)) - {"config", "log"})
        out.append(
            {"point": point_name, "app": app.name, "traits": describe_traits(app, sources, names)}
        )
    return out


def handler_source(dotted: str) -> dict[str, Any] | None:
    """``{"file", "line"}`` of a handler class named ``module.Qualname``, when it is loaded."""
    # The module is the longest prefix found in sys.modules (the class may be nested).
    obj: Any = None
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


def editor_href(template: str, source: dict[str, Any] | None) -> str:
    """The open-in-editor link for a ``{"file", "line"}``; empty without a template or source.

    >>> editor_href("vscode://file/{file}:{line}", {"file": "/a b.py", "line": 3})
    'vscode://file//a%20b.py:3'
    """
    if not template or not source or not source.get("file"):
        return ""
    return template.format(file=quote(str(source["file"])), line=source.get("line") or 1)
