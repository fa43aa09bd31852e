"""An ExtensionApp with Jinja templates and static files, found through its extension points."""

from __future__ import annotations

from typing import Any

from .app import GreeterApp

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "greeter_app", "app": GreeterApp}]


# The classic notebook-server name, as the guide shows it.
load_jupyter_server_extension = GreeterApp.load_classic_server_extension
launch_instance = GreeterApp.launch_instance
