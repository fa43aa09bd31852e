"""An extension whose code imports another extension: editing hello_ext reloads this one too."""

from __future__ import annotations

from typing import Any

from hello_ext import greeting
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

__version__ = "0.1.0"


class RelayHandler(JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        self.finish({"relayed": greeting("relay")})


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "uses_hello"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    base_url = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [(url_path_join(base_url, "relay"), RelayHandler)])
