"""Handlers of the greeter ExtensionApp, using the guide's mixins."""

from __future__ import annotations

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin
from tornado import web


class PageHandler(ExtensionHandlerMixin, ExtensionHandlerJinjaMixin, JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        self.finish(
            self.render_template(
                "index.html",
                salutation=self.settings["greeter_salutation"],
                extension_name=self.name,
                css_url=self.static_url("style.css"),
            )
        )


class GreetHandler(ExtensionHandlerMixin, JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        who = self.get_argument("name", "world")
        self.finish(
            {
                "greeting": f"{self.settings['greeter_salutation']}, {who}",
                "by": self.name,
                "app": hex(id(self.extensionapp)),
            }
        )
