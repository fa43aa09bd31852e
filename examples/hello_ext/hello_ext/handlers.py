"""Handlers of hello_ext. Edit the greeting while the dev server runs: the next request shows it."""

from __future__ import annotations

from jupyter_server.base.handlers import JupyterHandler
from tornado import web

GREETING = "Hello"


def greeting(name: str) -> str:
    """The greeting other extensions reuse (see examples/uses_hello)."""
    return f"{GREETING}, {name}!"


class HelloHandler(JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        self.finish({"message": greeting("world")})
