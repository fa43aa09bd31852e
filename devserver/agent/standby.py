"""The worker's side of a standby start (``devserver.supervisor.standby``): import what every
worker needs, then wait for the spec."""

from __future__ import annotations

import gc
import importlib
import os
import select
import sys

from devserver.protocol import STANDBY_ENV, WorkerSpec

#: Imported while waiting: what every worker loads, none of it user code.
PRELOAD = (
    "jupyter_server.serverapp",
    "jupyter_server.services.kernels.kernelmanager",
    "jupyter_server.services.sessions.sessionmanager",
    "jupyter_server.services.kernels.websocket",
    "jupyter_server.services.kernels.connection.channels",
    "jupyter_server_terminals",
    "dashboard",
    "devserver.agent.worker",
)
#: Imported only while no spec is waiting yet (a standby kept for a restart): needed by apps that
#: declare specs, and not worth delaying a first start that already has its spec.
WHILE_IDLE = ("openapi_spec_validator.shortcuts", "openapi_schema_validator", "jsonschema_path")


def wait_for_spec() -> WorkerSpec:
    """Import ``PRELOAD`` (and ``WHILE_IDLE`` if no spec is there yet), then read the spec;
    exit quietly if the supervisor discarded us."""
    fd = int(os.environ.pop(STANDBY_ENV))
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # optional ones (terminals) may be absent
            continue
    if not select.select([fd], [], [], 0)[0]:
        for name in WHILE_IDLE:
            importlib.import_module(name)
        # Time to spare: free the imports' garbage before the worker freezes them (gcpause.py).
        gc.collect()
    with os.fdopen(fd, "rb") as pipe:
        raw = pipe.read()
    if not raw:
        sys.exit(0)
    return WorkerSpec.from_json(raw)
