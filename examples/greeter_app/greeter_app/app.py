"""The ExtensionApp: name, default_url, static and template paths, settings, handlers."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.extension.application import ExtensionApp, ExtensionAppJinjaMixin
from traitlets import Unicode

from .handlers import GreetHandler, PageHandler

HERE = Path(__file__).parent


class GreeterApp(ExtensionAppJinjaMixin, ExtensionApp):
    name = "greeter"
    default_url = "/greeter"
    load_other_extensions = True
    file_url_prefix = "/render"

    static_paths = [str(HERE / "static")]  # noqa: RUF012 (a traitlets List default)
    template_paths = [str(HERE / "templates")]  # noqa: RUF012

    salutation = Unicode("Hi", help="How the greeter says hello.").tag(config=True)

    def initialize_settings(self) -> None:
        self.settings.update({"greeter_salutation": self.salutation})

    def initialize_handlers(self) -> None:
        self.handlers.extend([("/greeter", PageHandler), ("/greeter/api/greet", GreetHandler)])

    async def stop_extension(self) -> None:
        # Called on shutdown, and by the dev server on the old app when it hot-reloads this one.
        self.log.info("greeter: stop_extension called on app %s", hex(id(self)))
