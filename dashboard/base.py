"""What every page and API handler shares.

Each handler reads the one ``Registry`` of the worker, goes through jupyter_server's
authentication and authorizer (resource ``AUTH_RESOURCE``), and masks secrets at the edge:
``write_json`` and ``render`` are the only ways data leaves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from functools import cached_property

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado import web

from devserver.agent.records import ReloadResult
from devserver.agent.registry import SETTINGS_KEY, Registry, get_registry
from devserver.masking import mask, mask_json, mask_text

from .extension_view import ExtensionDetailJson, editor_href, extension_detail
from .settings_view import server_secrets

#: The resource name the dashboard asks jupyter_server's authorizer about ("read" for GET,
#: "write" for reloads); an Authorizer can grant or refuse the dashboard on its own.
AUTH_RESOURCE = "devserver"

#: Where everything lives, below the server's base_url.
PREFIX = "/_introspect"


#: Bytes of request body the dashboard takes: its POSTs carry none (a reload is named by its URL).
MAX_BODY = 64 * 1024


def refuse_early(handler: JupyterHandler) -> None:
    """Refuse a POST without credentials or with a body over ``MAX_BODY``. The reload API
    streams request bodies (``stream_request_body``), so for it this runs in ``prepare`` once
    the headers are in, before tornado reads (and buffers) a byte of the body. (Only there:
    tornado closes the connection after refusing a streamed request, and the no-JavaScript
    reload form needs its body parsed for ``_xsrf``.)"""
    if handler.request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if handler.current_user is None:
        raise web.HTTPError(403, "log in, or pass the token, to use the dashboard")
    if int(handler.request.headers.get("Content-Length") or 0) > MAX_BODY:
        raise web.HTTPError(413, f"the dashboard takes request bodies up to {MAX_BODY} bytes")
    if handler.request.connection is not None:
        handler.request.connection.set_max_body_size(MAX_BODY)  # type: ignore[attr-defined]


class DashboardMixin(ExtensionHandlerMixin):
    """Registry access and masking for the dashboard's handlers."""

    auth_resource = AUTH_RESOURCE

    @cached_property
    def registry(self) -> Registry:
        if SETTINGS_KEY not in self.settings:
            raise web.HTTPError(503, "the dev server's agent is not loaded in this server")
        return get_registry(self.settings)

    @cached_property
    def secrets(self) -> frozenset[str]:
        """The secret values of this server, collected once per request."""
        return server_secrets(self.registry.serverapp)

    def masked(self, data: object) -> object:
        return mask(data, self.secrets)

    def extension_or_404(self, name: str) -> ExtensionDetailJson:
        """One extension in full (``extension_view.extension_detail``); 404 for other names."""
        ext = extension_detail(self.registry, name)
        if ext is None:
            raise web.HTTPError(404, f"no extension named {name!r}")
        return ext

    async def reload_extension(self, name: str) -> ReloadResult:
        """Reload a known extension; 404 for any other name, 503 before the engine runs."""
        try:
            return await self.registry.reload(name)
        except KeyError:
            raise web.HTTPError(404, f"no extension named {name!r}") from None
        except RuntimeError as exc:  # the reload engine is not running (yet)
            raise web.HTTPError(503, str(exc)) from None


class DashboardApiHandler(DashboardMixin, APIHandler):
    """Base of the JSON API: 403 without credentials, JSON errors, masked bodies."""

    # APIHandler.prepare drops JupyterHandler's keyword the same way (and ignores it too).
    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        refuse_early(self)

    def write_json(self, data: Mapping[str, object], status: int = 200) -> None:
        self.set_status(status)
        self.finish(mask_json(data, self.secrets))

    def write_error(self, status_code: int, **kwargs: object) -> None:
        """Errors as ``{"error": ...}`` (the contract's shape), masked like every answer."""
        exc_info = kwargs.get("exc_info")  # tornado's (type, value, traceback), if any
        exc = exc_info[1] if isinstance(exc_info, tuple) else None
        message = getattr(exc, "log_message", None) or self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(mask_json({"error": message, "status": status_code}, self.secrets))


class DashboardPageHandler(DashboardMixin, ExtensionHandlerJinjaMixin, JupyterHandler):
    """Base of the HTML pages: the login redirect without credentials, autoescaped templates."""

    async def prepare(self, *, _redirect_to_login: bool = True) -> None:
        await super().prepare(_redirect_to_login=_redirect_to_login)
        refuse_early(self)

    page = ""

    def render_page(self, template: str, **ns: object) -> None:
        """Render ``template`` with masked data and the layout's common values."""
        registry = self.registry
        app = self.extensionapp
        editor_url = str(getattr(app, "editor_url", ""))
        html = self.render_template(
            template,
            page=self.page,
            prefix=self.base_url.rstrip("/") + PREFIX,
            status=self.masked(registry.status()),
            live_events=self.masked([e.to_json() for e in registry.events.recent(limit=8)]),
            worker=registry.pid,
            now=time.time(),
            fmt_time=fmt_time,
            pretty=pretty_json,
            # One URL for every page (no version query): one SharedWorker for every tab.
            events_worker_url=url_path_join(app.static_url_prefix, "events-worker.js"),
            editor=lambda source: editor_href(editor_url, source),
            **{k: self.masked(v) for k, v in ns.items()},
        )
        # The data was masked above; this catches a secret that reached the page another way
        # (a template that prints a setting, a repr that embeds the token).
        self.finish(mask_text(html, self.secrets))


def fmt_time(timestamp: float | None) -> str:
    """A timestamp as the pages show it: local time of day, with the date when not today.

    >>> fmt_time(None)
    '—'
    """
    if not timestamp:
        return "—"
    moment = time.localtime(timestamp)
    if time.strftime("%Y-%m-%d", moment) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M:%S", moment)
    return time.strftime("%Y-%m-%d %H:%M:%S", moment)


def pretty_json(value: object) -> str:
    """JSON data indented for a <pre> block."""
    return json.dumps(value, indent=2, sort_keys=True, default=repr)
