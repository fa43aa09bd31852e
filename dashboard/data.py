"""The API's bodies, built from the Registry.

Pages and JSON endpoints share these functions, so a page shows exactly what the API serves.
Nothing here is masked yet: handlers mask on the way out.
"""

from __future__ import annotations

from collections import defaultdict

from devserver.agent.events import EventJson
from devserver.agent.records import RouteRecord
from devserver.agent.registry import Registry
from devserver.apijson import ErrorsBody, ExtensionJson, ExtensionsBody, RoutesBody, SpecsBody

from .settings_view import collect_settings
from .shadowing import find_shadowed


def extension_json(registry: Registry, name: str) -> ExtensionJson | None:
    """One extension, found by package or ExtensionApp name; None when unknown."""
    package = registry.resolve(name)
    if package is None:
        return None
    return registry.extensions[package].to_json(registry.routes_of(package))


def extensions_json(registry: Registry) -> ExtensionsBody:
    """``{"extensions": [...]}``, sorted by name, each with its own routes."""
    owned: dict[str | None, list[RouteRecord]] = defaultdict(list)
    for route in registry.routes():
        owned[route.extension].append(route)
    records = sorted(registry.extensions.values(), key=lambda r: r.name)
    return {"extensions": [r.to_json(owned.get(r.name, [])) for r in records]}


def routes_json(registry: Registry) -> RoutesBody:
    """``{"routes": [...]}`` in routing order; ``shadowed_by`` is the ``order`` of the earlier
    route that catches every path of this one, or null."""
    routes = registry.routes()
    shadowed = find_shadowed([(r.pattern, r.host) for r in routes])
    out = []
    for index, route in enumerate(routes):
        item = route.to_json()
        culprit = shadowed.get(index)
        item["shadowed_by"] = routes[culprit].order if culprit is not None else None
        out.append(item)
    return {"routes": out}


def shadowed_count(registry: Registry) -> int:
    """How many routes can never match (an earlier rule catches all their paths)."""
    routes = registry.routes()
    return len(find_shadowed([(r.pattern, r.host) for r in routes]))


def errors_json(registry: Registry, extension: str | None = None) -> ErrorsBody:
    """``{"errors": [...]}``, newest last, optionally of one extension."""
    errors = [e for e in registry.errors if extension is None or e.extension == extension]
    return {"errors": [e.to_json() for e in errors]}


def specs_json(registry: Registry) -> SpecsBody:
    """The spec provider's answer, or empty lists when no ExtensionApp restricts its endpoints."""
    provider = registry.providers.get("specs")
    body: SpecsBody = {"specs": [], "verdicts": [], "starter": None}
    if provider is not None:
        body.update(provider())
    return body


def settings_json(registry: Registry) -> dict[str, object]:
    """``{"server", "tornado", "extensions"}``, unmasked."""
    return collect_settings(registry.serverapp)


def events_json(registry: Registry, limit: int | None = None) -> list[EventJson]:
    """Recent events, newest first (the order pages show them in)."""
    return [e.to_json() for e in reversed(registry.events.recent(limit=limit))]
