"""The guide's simplest extension: a module with ``_load_jupyter_server_extension``."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from .handlers import HelloHandler, greeting

__version__ = "0.1.0"
__all__ = ["greeting"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "hello_ext"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add ``/hello`` to the server, under its ``base_url``."""
    base_url = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [(url_path_join(base_url, "hello"), HelloHandler)])
