"""``python -m devserver.agent.probe NAME...``: does each extension load in a fresh process?

The supervisor runs this after a hot reload failed. If the new code imports, links and loads in a
process that never held the old version, the failure came from state the worker's process keeps
(a metric registered in a process-wide registry, a class registered once): only a restart brings
the new code. If it fails here too, the new code itself is wrong, and the old code keeps serving.

It builds a ServerApp as the worker does (same ``WorkerSpec`` from the environment, same
``sys.path``) but binds no port and loads no other extension. One JSON line per name on stdout:
``{"name": ..., "ok": true}`` or ``{"name": ..., "ok": false, "error": "Type: message"}``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys

from jupyter_server.extension.manager import ExtensionManager, ExtensionPackage
from jupyter_server.serverapp import ServerApp

from devserver.protocol import WorkerSpec, decode_config

from .deadline import Failed, outcome
from .syspath import fix_sys_path


class ProbeApp(ServerApp):
    """A ServerApp with no extensions of its own and no HTTP server."""

    def init_server_extensions(self) -> None:
        """An empty manager: the probe loads only the extensions it is asked about."""
        self.extension_manager = ExtensionManager(log=self.log, serverapp=self)

    def load_server_extensions(self) -> None:
        """None, as above."""


async def probe(names: list[str], spec: WorkerSpec) -> list[dict[str, object]]:
    app = ProbeApp(config=decode_config(spec.server_config))
    app.initialize(argv=[], find_extensions=False, new_httpserver=False)
    out: list[dict[str, object]] = []
    for name in names:
        # What it raises is the verdict, the probe's output.
        result = outcome(functools.partial(_link_and_load, app, name))
        if isinstance(result, Failed):
            error = result.error
            out.append({"name": name, "ok": False, "error": f"{type(error).__name__}: {error}"})
        else:
            out.append({"name": name, "ok": True})
    return out


def _link_and_load(app: ProbeApp, name: str) -> None:
    package = ExtensionPackage(name=name, enabled=True)
    package.link_all_points(app)
    package.load_all_points(app)


def main() -> None:
    spec = WorkerSpec.from_env()
    fix_sys_path(spec)
    sys.dont_write_bytecode = True
    for verdict in asyncio.run(probe(sys.argv[1:], spec)):
        print(json.dumps(verdict), flush=True)


if __name__ == "__main__":
    main()
