"""``devserver run [PATH ...]``, the supervisor's command line."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Application, Config

from .loop import Supervisor
from .options import DevServer

EXAMPLES = """
devserver run examples/                  # every extension project under examples/
devserver run ~/src/myext --port 9000    # one project, another port
devserver run . --app myext              # launch myext's ExtensionApp as the starter app
devserver run . --ServerApp.root_dir=/data   # any ServerApp option passes through
"""


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
        "stop-timeout": "DevServer.stop_timeout",
        "poll-delay-ms": "DevServer.poll_delay_ms",
        "config": "RunApp.config_file",
    }
    flags = {
        "poll": ({"DevServer": {"poll": True}}, "Poll for file changes (Docker Desktop)."),
        "enforce-specs": (
            {"DevServer": {"enforce_specs": True}},
            "Enforce every ExtensionApp's OpenAPI specs, not only the --app's.",
        ),
        "no-standby": (
            {"DevServer": {"standby": False}},
            "Start each worker from scratch instead of keeping a standby one ready.",
        ),
    }

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        path = Path(self.config_file or "devserver_config.py")
        if self.config_file and not path.is_file():
            raise SystemExit(f"devserver run: --config {path}: no such file")
        if path.is_file():
            self.load_config_file(path.name, path=str(path.parent.resolve()))
            self.update_config(self.cli_config)  # the command line wins over the file

    def start(self) -> None:
        logging.basicConfig(
            level=logging.INFO, format="[devserver %(asctime)s] %(message)s", datefmt="%H:%M:%S"
        )
        # watchfiles logs every batch at INFO; the plan's outcome is what the user needs to see.
        logging.getLogger("watchfiles").setLevel(logging.WARNING)
        paths = [Path(p) for p in self.extra_args] or [Path.cwd()]
        options = DevServer(parent=self)
        supervisor = Supervisor(options, paths, passthrough=self._passthrough())
        asyncio.run(supervisor.run())

    def _passthrough(self) -> dict[str, dict[str, object]]:
        """Config sections meant for the worker (ServerApp, IdentityProvider, extension apps)."""
        ours = {"DevServer", "RunApp", "Application", "DevServerApp"}
        return {
            k: dict(v) for k, v in self.config.items() if k not in ours and isinstance(v, Config)
        }
