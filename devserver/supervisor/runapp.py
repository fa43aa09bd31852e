"""``devserver run [PATH ...]``, the supervisor's command line."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from pathlib import Path

from traitlets import TraitError, Unicode
from traitlets.config import Application, Config
from traitlets.config.loader import ArgumentError

from devserver.errors import ConfigError
from devserver.urls import is_wildcard

from . import boot
from .options import DevServer

EXAMPLES = """
devserver run examples/                  # every extension project under examples/
devserver run ~/src/myext --port 9000    # one project, another port
devserver run . --app myext              # launch myext's ExtensionApp as the starter app
devserver run . --ServerApp.root_dir=/data   # any ServerApp option passes through
"""


log = logging.getLogger("devserver")


def option_error(message: str, names: dict[str, str]) -> str:
    """traitlets' "The 'port' trait of a DevServer instance expected an int, not the str 'abc'."
    as the option the user typed.

    >>> option_error("The 'port' trait of a DevServer instance expected an int, not the str "
    ...              "'abc'.", {"DevServer.port": "--port"})
    "--port: expected an int, not the str 'abc'."
    """
    match = re.match(r"The '(\w+)' trait of an? (\w+) instance (.*)", message, re.DOTALL)
    if match is None:
        return message
    trait, owner, rest = match.groups()
    option = names.get(f"{owner}.{trait}", f"--{owner}.{trait}")
    return f"{option}: {rest}"


class RunApp(Application):
    """Supervise a jupyter_server ServerApp with the extensions found under each PATH, and
    hot-reload them when their files change."""

    name = "devserver-run"
    description = __doc__ or ""
    examples = EXAMPLES
    classes = [DevServer]
    config_file = Unicode(
        "", help="A config file (devserver_config.py or .json). Default: ./devserver_config.py."
    ).tag(config=True)

    aliases = {
        "ip": "DevServer.ip",
        "port": "DevServer.port",
        "token": "DevServer.token",
        "base-url": "DevServer.base_url",
        "watch": "DevServer.watch",
        "app": "DevServer.app",
        "install": "DevServer.install",
        "frontend": "DevServer.frontend",
        "stop-timeout": "DevServer.stop_timeout",
        "poll-delay-ms": "DevServer.poll_delay_ms",
        "config": "RunApp.config_file",
    }
    flags = {
        "poll": ({"DevServer": {"poll": True}}, "Poll for file changes (Docker Desktop)."),
        "verbose": (
            {"DevServer": {"verbose": True}},
            "Show the worker's banner, the frontend watch's every line, debug messages.",
        ),
        "enforce-specs": (
            {"DevServer": {"enforce_specs": True}},
            "Enforce every ExtensionApp's OpenAPI specs, not only the --app's.",
        ),
        "no-standby": (
            {"DevServer": {"standby": False}},
            "Start each worker from scratch instead of keeping a standby one ready.",
        ),
    }

    def parse_command_line(self, argv: list[str] | None = None) -> None:
        """traitlets' ``catch_config_error`` turns a bad argument into a CRITICAL log line and
        exit 1: call the method it wraps, and make the error our one line and exit 2."""
        parse = Application.parse_command_line.__wrapped__  # type: ignore[attr-defined]
        try:
            parse(self, argv)
        except (TraitError, ArgumentError) as exc:
            raise ConfigError(option_error(str(exc), self._option_names())) from None

    def _option_names(self) -> dict[str, str]:
        return {str(target): f"--{alias}" for alias, target in self.aliases.items()}

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        path = Path(self.config_file or "devserver_config.py")
        if self.config_file and not path.is_file():
            raise SystemExit(f"devserver run: --config {path}: no such file")
        if path.is_file():
            self.load_config_file(path.name, path=str(path.parent.resolve()))
            self.update_config(self.cli_config)  # the command line wins over the file
        self.options = self._options()

    def _options(self) -> DevServer:
        """The options, checked now: a bad value is one line naming the option, exit 2."""
        try:
            return DevServer(parent=self)
        except TraitError as exc:
            raise ConfigError(option_error(str(exc), self._option_names())) from None

    def start(self) -> None:
        options = self.options
        logging.basicConfig(
            level=logging.DEBUG if options.verbose else logging.INFO,
            format="[devserver %(asctime)s] %(message)s",
            datefmt="%H:%M:%S",
        )
        # watchfiles logs every batch at INFO; the plan's outcome is what the user needs to see.
        logging.getLogger("watchfiles").setLevel(logging.WARNING)
        paths = [Path(p) for p in self.extra_args] or [Path.cwd()]
        if is_wildcard(options.ip):
            log.warning(
                "--ip %r: the server is reachable from the network; anyone who gets the token "
                "can run code as you. Use --ip 127.0.0.1 unless that is what you want.",
                options.ip,
            )
        sys.exit(asyncio.run(boot.run(options, paths, self._passthrough())))

    def _passthrough(self) -> dict[str, dict[str, object]]:
        """Config sections meant for the worker (ServerApp, IdentityProvider, extension apps)."""
        ours = {"DevServer", "RunApp", "Application", "DevServerApp"}
        return {
            k: dict(v) for k, v in self.config.items() if k not in ours and isinstance(v, Config)
        }
