"""The HTML pages under ``/_introspect``.

Pages are plain server-rendered HTML that work without JavaScript; ``static/app.js`` only adds
the live parts (event feed, reload without leaving the page, filtering as you type). Without
credentials a page redirects to the login page, like every page of jupyter_server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from devserver.protocol import RouteJson

from . import data
from .base import PREFIX, DashboardPageHandler


class OverviewPage(DashboardPageHandler):
    page = "overview"

    @web.authenticated
    @authorized
    def get(self) -> None:
        registry = self.registry
        self.render_page(
            "overview.html",
            extensions=data.extensions_json(registry)["extensions"],
            errors=list(reversed(data.errors_json(registry)["errors"]))[:5],
            events=data.events_json(registry, limit=15),
        )


class ExtensionsPage(DashboardPageHandler):
    page = "extensions"

    @web.authenticated
    @authorized
    def get(self) -> None:
        reloaded = self.get_argument("reloaded", None)
        extensions = data.extensions_json(self.registry)["extensions"]
        shadowed = {r["order"]: r["shadowed_by"] for r in data.routes_json(self.registry)["routes"]}
        for route in (r for ext in extensions for r in ext["routes"]):
            route["shadowed_by"] = shadowed.get(route["order"])
        self.render_page(
            "extensions.html",
            extensions=extensions,
            reloaded=data.extension_json(self.registry, reloaded) if reloaded else None,
        )


class ReloadForm(DashboardPageHandler):
    """The reload button without JavaScript: POST (with ``_xsrf``), then back to the list."""

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        result = await self.reload_extension(name)
        target = f"{self.base_url.rstrip('/')}{PREFIX}/extensions"
        name = quote(result.extension)
        self.redirect(f"{target}?reloaded={name}#ext-{name}", status=303)


class RoutesPage(DashboardPageHandler):
    page = "routes"

    @web.authenticated
    @authorized
    def get(self) -> None:
        routes = data.routes_json(self.registry)["routes"]
        text = self.get_argument("q", "").strip()
        owner = self.get_argument("extension", "")
        only_shadowed = self.get_argument("shadowed", "") == "1"
        shown = [r for r in routes if route_matches(r, text, owner, only_shadowed)]
        self.render_page(
            "routes.html",
            routes=shown,
            total=len(routes),
            shadowed=sum(1 for r in routes if r["shadowed_by"] is not None),
            owners=sorted({r["extension"] for r in routes if r["extension"]}),
            q=text,
            extension=owner,
            only_shadowed=only_shadowed,
        )


def route_matches(route: RouteJson, text: str, owner: str, only_shadowed: bool) -> bool:
    """The routes page's filter: text in pattern, handler or owner; owner ``"-"`` is the server.

    >>> r = {"pattern": "/api/x", "handler": "m.H", "extension": None, "shadowed_by": None}
    >>> route_matches(r, "API", "-", False), route_matches(r, "", "hello", False)
    (True, False)
    """
    if only_shadowed and route["shadowed_by"] is None:
        return False
    if owner and (route["extension"] or "-") != owner:
        return False
    haystack = f"{route['pattern']} {route['handler']} {route['extension'] or ''}".lower()
    return text.lower() in haystack


class SettingsPage(DashboardPageHandler):
    page = "settings"

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.render_page("settings.html", settings=data.settings_json(self.registry))


class SpecsPage(DashboardPageHandler):
    page = "specs"

    @web.authenticated
    @authorized
    def get(self) -> None:
        specs = data.specs_json(self.registry)
        governed, others = split_verdicts(specs)
        self.render_page("specs.html", specs=specs, governed=governed, others=others)


def split_verdicts(specs: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Verdicts that a spec decides (or that refuse a request) first; the rest, where no spec
    applies, separately: with no spec at all, every route would be listed as "allowed".

    >>> split_verdicts({"specs": [{"extension": "a"}], "verdicts": [
    ...     {"extension": "a", "verdict": "allowed"}, {"extension": None, "verdict": "allowed"}]})
    ([{'extension': 'a', 'verdict': 'allowed'}], [{'extension': None, 'verdict': 'allowed'}])
    """
    with_spec = {s.get("extension") for s in specs.get("specs", [])}
    governed: list[Any] = []
    others: list[Any] = []
    for verdict in specs.get("verdicts", []):
        decided = verdict.get("extension") in with_spec or verdict.get("verdict") != "allowed"
        (governed if decided else others).append(verdict)
    return governed, others


class ErrorsPage(DashboardPageHandler):
    page = "errors"

    @web.authenticated
    @authorized
    def get(self) -> None:
        errors = data.errors_json(self.registry)["errors"]
        self.render_page("errors.html", errors=list(reversed(errors)))


class EventsPage(DashboardPageHandler):
    page = "events"

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.render_page("events.html", events=data.events_json(self.registry, limit=200))


PAGE_HANDLERS: list[tuple[str, type[web.RequestHandler]]] = [
    ("/?", OverviewPage),
    ("/extensions", ExtensionsPage),
    (r"/extensions/(?P<name>[^/]+)/reload", ReloadForm),
    ("/routes", RoutesPage),
    ("/settings", SettingsPage),
    ("/specs", SpecsPage),
    ("/errors", ErrorsPage),
    ("/events", EventsPage),
]
