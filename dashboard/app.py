"""The dashboard, an ExtensionApp serving ``/_introspect``.

Its static files are served at ``{base_url}static/dashboard/``; its templates are Jinja with
autoescaping (``ExtensionAppJinjaMixin``). It also installs the live-reload transform that makes
open pages of every extension reload after an edit.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp, ExtensionAppJinjaMixin
from jupyter_server.utils import url_path_join
from traitlets import Bool, Float, Unicode

from devserver.agent.registry import SETTINGS_KEY, get_registry

from . import devpage, livereload
from .api import API_HANDLERS
from .base import PREFIX
from .doctor import AUDIT_HANDLERS
from .pages import PAGE_HANDLERS
from .requests_view import REQUEST_HANDLERS
from .shadowing import find_shadowed
from .stream import EventsApi

HERE = Path(__file__).parent


class DashboardApp(ExtensionAppJinjaMixin, ExtensionApp):
    """The introspection dashboard and its JSON API."""

    name = "dashboard"
    description = "Introspection pages and JSON API of the Jupyter dev server"
    default_url = PREFIX
    load_other_extensions = True
    static_paths = [str(HERE / "static")]
    template_paths = [str(HERE / "templates")]

    keepalive = Float(15.0, help="Seconds between keep-alive comments on the event stream.").tag(
        config=True
    )
    live_reload = Bool(
        True, help="Make open pages of every extension reload after an edit or a reload."
    ).tag(config=True)

    dev_error_page = Bool(
        True,
        help="Show a logged-in user the traceback and source lines of an extension's 500 "
        "(HTML page, or a `devserver` field in JSON). Never shown without authentication.",
    ).tag(config=True)
    editor_url = Unicode(
        "vscode://file/{file}:{line}",
        help="Link that opens a source file at a line in your editor; {file} and {line} are "
        "filled in (e.g. 'pycharm://open?file={file}&line={line}'). Empty: no links.",
    ).tag(config=True)

    #: Set when the server stops: open event streams end instead of holding the shutdown up.
    closing: asyncio.Event

    def initialize_settings(self) -> None:
        self.closing = asyncio.Event()
        assert self.serverapp is not None
        settings = self.serverapp.web_app.settings
        if SETTINGS_KEY in settings:  # reloads report the routes they shadow from now on
            get_registry(settings).find_shadowed = find_shadowed

    def initialize_handlers(self) -> None:
        for path, handler in [
            *PAGE_HANDLERS,
            *API_HANDLERS,
            *AUDIT_HANDLERS,
            *REQUEST_HANDLERS,
            ("/api/events", EventsApi),
        ]:
            self.handlers.append((PREFIX + path, handler))
        assert self.serverapp is not None
        web_app = self.serverapp.web_app
        script_url = url_path_join(self.static_url_prefix, "livereload.js")
        registry = get_registry(web_app.settings) if SETTINGS_KEY in web_app.settings else None
        if self.live_reload:
            base_url = self.serverapp.base_url
            livereload.install(
                web_app,
                script_url=script_url,
                skip_prefix=url_path_join(base_url, PREFIX),
                owner_of=registry.requests.owner_of_path if registry else None,
            )
        if self.dev_error_page and registry is not None:
            env = self.settings[f"{self.name}_jinja2_env"]
            devpage.install(web_app, registry, env, script_url)

    async def stop_extension(self) -> None:
        self.closing.set()
