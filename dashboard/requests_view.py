"""The request log and the extensions' log records: JSON API and the Requests page.

``GET requests`` (filters ``extension``, ``status`` as ``5xx`` or ``404``, ``since`` a Unix time,
``after`` an entry id, ``limit``), ``GET extensions/{name}/requests`` and
``GET extensions/{name}/logs`` (``after`` a Unix time). New entries also go out on the event
stream as ``request`` and ``log`` events, which the page's script adds as they come.
"""

from __future__ import annotations

from typing import TypeVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from devserver.agent.registry import Registry
from devserver.agent.requestlog import to_json
from devserver.apijson import LogsBody, RequestsBody

from .base import DashboardApiHandler, DashboardPageHandler

Number = TypeVar("Number", int, float)
#: How many requests the page shows (the API gives all kept ones unless ``limit`` says).
PAGE_ROWS = 300


def requests_json(
    registry: Registry,
    extension: str | None = None,
    status: str | None = None,
    since: float | None = None,
    after: int = 0,
    limit: int | None = None,
) -> RequestsBody:
    """``{"requests": [...], "worker": pid}``, oldest first (the last ``limit`` when given)."""
    entries = registry.requests.query(extension, status, since, after)
    if limit is not None:
        entries = entries[-limit:] if limit > 0 else []
    return {"requests": to_json(entries), "worker": registry.pid}


def logs_json(registry: Registry, extension: str, after: float = 0.0) -> LogsBody:
    """``{"logs": [...]}``: the extension's kept log records, oldest first."""
    return {"logs": registry.logs.of(extension, after)}


class _Filters(DashboardApiHandler):
    def number(self, name: str, kind: type[Number]) -> Number | None:
        """A numeric query argument, or None; 400 naming the argument when it is not a number."""
        raw = self.get_argument(name, None)
        if raw in (None, ""):
            return None
        try:
            return kind(raw)
        except ValueError:
            raise web.HTTPError(400, f"{name}={raw!r} is not a number") from None

    def package(self, name: str) -> str:
        package = self.registry.resolve(name)
        if package is None:
            raise web.HTTPError(404, f"no extension named {name!r}")
        return package

    def answer(self, extension: str | None) -> None:
        body = requests_json(
            self.registry,
            extension=extension,
            status=self.get_argument("status", None) or None,
            since=self.number("since", float),
            after=self.number("after", int) or 0,
            limit=self.number("limit", int),
        )
        self.write_json(body)


class RequestsApi(_Filters):
    @web.authenticated
    @authorized
    def get(self) -> None:
        name = self.get_argument("extension", None) or None
        # An ExtensionApp's name (``greeter``) means its package; ``server`` stays as it is.
        self.answer(self.registry.resolve(name) or name if name else None)


class ExtensionRequestsApi(_Filters):
    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        self.answer(self.package(name))


class ExtensionLogsApi(_Filters):
    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        after = self.number("after", float) or 0.0
        self.write_json(logs_json(self.registry, self.package(name), after))


class RequestsPage(DashboardPageHandler):
    page = "requests"

    @web.authenticated
    @authorized
    def get(self) -> None:
        extension = self.get_argument("extension", "")
        status = self.get_argument("status", "")
        registry = self.registry
        shown = requests_json(registry, extension or None, status or None, limit=PAGE_ROWS)
        package = registry.resolve(extension) if extension else None
        self.render_page(
            "requests.html",
            requests=list(reversed(shown["requests"])),
            owners=sorted({*registry.extensions, "server"}),
            extension=extension,
            status_class=status,
            logs=list(reversed(registry.logs.of(package))) if package else [],
        )


NAME = r"(?P<name>[^/]+)"
REQUEST_HANDLERS: list[tuple[str, type[web.RequestHandler]]] = [
    ("/requests", RequestsPage),
    ("/api/requests", RequestsApi),
    (f"/api/extensions/{NAME}/requests", ExtensionRequestsApi),
    (f"/api/extensions/{NAME}/logs", ExtensionLogsApi),
]
