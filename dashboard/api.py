"""The JSON API under ``/_introspect/api/``.

The contract is DESIGN.md's "JSON API contract"; docs/api.md shows each endpoint with examples
that the tests run. Every method is authenticated (403 without credentials) and authorized on
the ``devserver`` resource; POST also needs the XSRF cookie or a token header.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from . import data, openapi
from .base import DashboardApiHandler


class StatusApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(self.registry.status())


class ExtensionsApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(data.extensions_json(self.registry))


class ExtensionApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self, name: str) -> None:
        self.write_json(self.extension_or_404(name))


@web.stream_request_body
class ReloadApi(DashboardApiHandler):
    """``POST extensions/{name}/reload``: 200 with ``ok`` false when the new code failed."""

    def data_received(self, chunk: bytes) -> None:
        """A reload is named by its URL: the body (at most ``MAX_BODY``) is ignored."""

    def write_error(self, status_code: int, **kwargs: object) -> None:
        # A request refused before its body was read ends its connection (tornado closes it);
        # say so, or the client sends its next request into the closed connection.
        self.set_header("Connection", "close")
        super().write_error(status_code, **kwargs)

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        result = await self.reload_extension(name)
        self.write_json(result.to_json())


class RoutesApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(data.routes_json(self.registry))


class SettingsApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(data.settings_json(self.registry))


class SpecsApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(data.specs_json(self.registry))


class ErrorsApi(DashboardApiHandler):
    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(data.errors_json(self.registry, self.get_argument("extension", None)))


class ClearErrorsApi(DashboardApiHandler):
    """``POST errors/clear``: forget the resolved errors; the open ones stay."""

    @web.authenticated
    @authorized
    def post(self) -> None:
        self.write_json({"cleared": self.registry.clear_resolved()})


class OpenApiDoc(DashboardApiHandler):
    """``GET openapi.json``: the OpenAPI document of this API, for this server's base_url."""

    @web.authenticated
    @authorized
    def get(self) -> None:
        self.write_json(openapi.document(self.base_url))


NAME = r"(?P<name>[^/]+)"
API_HANDLERS: list[tuple[str, type[web.RequestHandler]]] = [
    ("/api/status", StatusApi),
    ("/api/extensions", ExtensionsApi),
    (f"/api/extensions/{NAME}", ExtensionApi),
    (f"/api/extensions/{NAME}/reload", ReloadApi),
    ("/api/routes", RoutesApi),
    ("/api/settings", SettingsApi),
    ("/api/specs", SpecsApi),
    ("/api/errors", ErrorsApi),
    ("/api/errors/clear", ClearErrorsApi),
    ("/api/openapi.json", OpenApiDoc),
]
