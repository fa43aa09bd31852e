"""The HTML pages under ``/_introspect``.

Pages are plain server-rendered HTML that work without JavaScript; ``static/app.js`` only adds
the live parts (event feed, reload without leaving the page, filtering as you type). Without
credentials a page redirects to the login page, like every page of jupyter_server.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from devserver.apijson import RouteJson, SpecsBody, VerdictRowJson

from . import data
from .base import PREFIX, DashboardPageHandler
from .config_sources import Sources, describe_traits
from .extension_view import RouteDetailJson, extension_config, routes_with_sources


class OverviewPage(DashboardPageHandler):
    page = "overview"

    @web.authenticated
    @authorized
    def get(self) -> None:
        registry = self.registry
        self.render_page(
            "overview.html",
            extensions=data.extensions_json(registry)["extensions"],
            errors=[e.to_json() for e in reversed(registry.open_errors())][:5],
            events=data.events_json(registry, limit=15),
            shadowed=data.shadowed_count(registry),
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


class ExtensionPage(DashboardPageHandler):
    """One extension in full: points, config and its sources, routes, errors, reloads."""

    page = "extension"

    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        self.render_page("extension.html", ext=self.extension_or_404(name))


class ReloadForm(DashboardPageHandler):
    """The reload button without JavaScript: POST (with ``_xsrf``), then back to the list."""

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        result = await self.reload_extension(name)
        target = f"{self.base_url.rstrip('/')}{PREFIX}/extensions"
        name = quote(result.extension)
        self.redirect(f"{target}?reloaded={name}#ext-{name}", status=303)


class RouteRow(RouteDetailJson):
    """A row of the routes page: ``hidden`` when the filters leave it out."""

    hidden: bool


class RoutesPage(DashboardPageHandler):
    page = "routes"

    @web.authenticated
    @authorized
    def get(self) -> None:
        text = self.get_argument("q", "").strip()
        owner = self.get_argument("extension", "")
        only_shadowed = self.get_argument("shadowed", "") == "1"
        own = self.get_argument("own", "") == "1" or owner == "dashboard"
        found = routes_with_sources(self.registry)
        shown = visible_routes(found, text, owner, only_shadowed, own)
        routes: list[RouteRow] = [{**r, "hidden": r["order"] not in shown} for r in found]
        self.render_page(
            "routes.html",
            routes=routes,
            shown=sum(1 for r in routes if not r["hidden"]),
            total=len(routes),
            shadowed=sum(1 for r in routes if r["shadowed_by"] is not None),
            owners=sorted({r["extension"] for r in routes if r["extension"]}),
            q=text,
            extension=owner,
            only_shadowed=only_shadowed,
            own=own,
        )


def visible_routes(
    routes: Sequence[RouteJson], text: str, owner: str, only_shadowed: bool, own: bool
) -> set[int]:
    """The ``order`` of each route the filters show; with ``only_shadowed`` the winners too
    (a "shadowed by #3" link must lead somewhere). The dashboard's own routes show with ``own``.
    static/app.js's filterRoutes() does the same as you type.

    >>> common = {"handler": "H", "extension": "x"}
    >>> rs = [{**common, "order": 0, "pattern": "/a/(.*)", "shadowed_by": None},
    ...       {**common, "order": 1, "pattern": "/a/b", "shadowed_by": 0}]
    >>> sorted(visible_routes(rs, "", "", True, False))
    [0, 1]
    """
    matched = {
        r["order"]
        for r in routes
        if route_matches(r, text, owner, only_shadowed) and (own or r["extension"] != "dashboard")
    }
    winners = {
        winner
        for r in routes
        if only_shadowed and r["order"] in matched and (winner := r["shadowed_by"]) is not None
    }
    return matched | winners


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
        serverapp = self.registry.serverapp
        sources = Sources.of(serverapp)
        self.render_page(
            "settings.html",
            settings=data.settings_json(self.registry),
            server_traits=describe_traits(serverapp, sources),
            app_traits={
                point["point"]: point["traits"]
                for package in self.registry.extensions
                for point in extension_config(self.registry, package)
            },
            config_files=list(sources.files),
        )


class SpecsPage(DashboardPageHandler):
    page = "specs"

    @web.authenticated
    @authorized
    def get(self) -> None:
        specs = data.specs_json(self.registry)
        governed, others = split_verdicts(specs)
        self.render_page("specs.html", specs=specs, governed=governed, others=others)


def split_verdicts(specs: SpecsBody) -> tuple[list[VerdictRowJson], list[VerdictRowJson]]:
    """Verdicts that a spec decides (or that refuse a request) first; the rest, where no spec
    applies, separately: with no spec at all, every route would be listed as "allowed".

    >>> split_verdicts({"specs": [{"extension": "a"}], "verdicts": [
    ...     {"extension": "a", "verdict": "allowed"}, {"extension": None, "verdict": "allowed"}]})
    ([{'extension': 'a', 'verdict': 'allowed'}], [{'extension': None, 'verdict': 'allowed'}])
    """
    with_spec = {s["extension"] for s in specs["specs"]}
    governed: list[VerdictRowJson] = []
    others: list[VerdictRowJson] = []
    for verdict in specs["verdicts"]:
        decided = verdict["extension"] in with_spec or verdict["verdict"] != "allowed"
        (governed if decided else others).append(verdict)
    return governed, others


class ErrorsPage(DashboardPageHandler):
    page = "errors"

    @web.authenticated
    @authorized
    def get(self) -> None:
        errors = list(reversed(data.errors_json(self.registry)["errors"]))
        self.render_page(
            "errors.html",
            open_errors=[e for e in errors if e["resolved_at"] is None],
            resolved=[e for e in errors if e["resolved_at"] is not None],
        )


class ClearErrorsForm(DashboardPageHandler):
    """The Clear button without JavaScript: forget the fixed errors, back to the Errors page."""

    @web.authenticated
    @authorized
    def post(self) -> None:
        self.registry.clear_resolved()
        self.redirect(f"{self.base_url.rstrip('/')}{PREFIX}/errors", status=303)


class EventsPage(DashboardPageHandler):
    page = "events"

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.render_page("events.html", events=data.events_json(self.registry, limit=200))


PAGE_HANDLERS: list[tuple[str, type[web.RequestHandler]]] = [
    ("/?", OverviewPage),
    ("/extensions", ExtensionsPage),
    (r"/extensions/(?P<name>[^/]+)", ExtensionPage),
    (r"/extensions/(?P<name>[^/]+)/reload", ReloadForm),
    ("/routes", RoutesPage),
    ("/settings", SettingsPage),
    ("/specs", SpecsPage),
    ("/errors", ErrorsPage),
    ("/errors/clear", ClearErrorsForm),
    ("/events", EventsPage),
]
