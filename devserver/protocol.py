"""Runs in both the supervisor and the worker: what the supervisor tells a worker it starts, and
the messages of the control channel between them.

The channel is a private socket pair (one end passed to the worker with ``pass_fds``) carrying
one JSON object per line. Nothing else can reach it, so it needs no authentication.

supervisor → worker::

    {"id": 1, "op": "reload", "extensions": ["hello_ext"]}
    {"id": 2, "op": "changed", "kind": "template" | "static", "paths": [...]}

worker → supervisor::

    {"op": "ready", "url": ..., "extensions": {name: {"state", "source", "errors": [...]}}}
    {"op": "reply", "id": 1, "results": [ReloadResult.to_json(), ...]}

Two more private descriptors may be passed: the kernel channel (``kernels_fd``, the messages are
in ``devserver.supervisor.kernels``), and for a standby worker a pipe (``STANDBY_ENV``) that
carries its ``WorkerSpec`` once a restart needs it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from traitlets.config import Config
from traitlets.config.loader import DeferredConfigList, DeferredConfigString

SPEC_ENV = "DEVSERVER_WORKER_SPEC"
#: Set instead of ``SPEC_ENV`` for a standby worker: the pipe its spec will arrive on.
STANDBY_ENV = "DEVSERVER_STANDBY_FD"
DEFERRED = "$devserver-deferred"


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs from the supervisor, passed in one environment variable."""

    listen_fd: int
    control_fd: int
    port: int
    #: jpserver_extensions names to enable on top of the user's own config.
    extensions: tuple[str, ...] = ()
    #: Source roots put first on the worker's sys.path, so the watched code is what runs.
    sys_path: tuple[str, ...] = ()
    #: Config sections for the ServerApp and friends (``{"ServerApp": {"ip": ...}}``); these win
    #: over the user's config files because they come from the dev server's own command line.
    server_config: dict[str, Any] = field(default_factory=dict)
    #: The ExtensionApp name launched as the starter app (``devserver run --app``).
    starter: str | None = None
    enforce_specs: bool = False
    #: Why this worker was started ("start", "crash", "config changed", ...), for its events.
    reason: str = "start"
    #: How many times the supervisor has started a worker before this one.
    generation: int = 0
    #: The worker's end of the kernel channel (``devserver.supervisor.kernels``); -1: none, the
    #: worker starts its kernels itself and they end with it.
    kernels_fd: int = -1
    #: The supervisor's private folder (0700): the session table lives there.
    state_dir: str = ""
    #: Extensions that reload only by a restart, each with the reason (shown on the dashboard).
    restart_only: dict[str, str] = field(default_factory=dict)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WorkerSpec:
        raw = (environ if environ is not None else dict(os.environ)).get(SPEC_ENV)
        if not raw:
            raise RuntimeError(f"{SPEC_ENV} is not set: the worker is started by `devserver run`")
        return cls.from_json(raw)

    @classmethod
    def from_json(cls, raw: str | bytes) -> WorkerSpec:
        data = json.loads(raw)
        data["extensions"] = tuple(data["extensions"])
        data["sys_path"] = tuple(data["sys_path"])
        return cls(**data)


def encode_config(config: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Config sections as JSON-safe data. Values given on the command line for classes the
    supervisor does not know (``--ServerApp.port_retries=3``) are still unparsed strings, which
    traitlets parses once it knows the trait's type: keep them marked so the worker can."""
    return {section: {k: _mark(v) for k, v in values.items()} for section, values in config.items()}


def decode_config(config: dict[str, dict[str, Any]]) -> Config:
    """The worker's side of ``encode_config``."""
    return Config({s: {k: _unmark(v) for k, v in values.items()} for s, values in config.items()})


def _mark(value: Any) -> Any:
    if isinstance(value, DeferredConfigString):
        return {DEFERRED: str(value)}
    if isinstance(value, DeferredConfigList):
        return {DEFERRED: list(value)}
    return value


def _unmark(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {DEFERRED}:
        raw = value[DEFERRED]
        return DeferredConfigList(raw) if isinstance(raw, list) else DeferredConfigString(raw)
    return value


def encode(message: dict[str, Any]) -> bytes:
    """One control-channel line."""
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one control-channel line; a malformed line is a bug, so it raises."""
    message = json.loads(line)
    if not isinstance(message, dict) or "op" not in message:
        raise ValueError(f"not a control message: {line[:200]!r}")
    return message
