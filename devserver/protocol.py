"""Runs in both the supervisor and the worker: what the supervisor tells a worker it starts, and
the messages of the control channel between them.

The channel is a private socket pair (one end passed to the worker with ``pass_fds``) carrying
framed JSON objects: a 4-byte big-endian length, then that many bytes of JSON. Frames have no
line limit (a batch of 20,000 paths is one message like any other). Nothing else can reach the
channel, so it needs no authentication.

supervisor → worker::

    {"id": 1, "op": "reload", "extensions": ["hello_ext"]}
    {"id": 2, "op": "changed", "kind": "template" | "static", "paths": [...], "count": n}
    {"id": 3, "op": "ping"}
    {"id": 4, "op": "frontend", "extensions": [...], "package": "acme-stats",
     "frontend": {"state", "last_build", "duration_ms", "errors": [{"file", "line", "message"}]}}

worker → supervisor::

    {"op": "ready", "url": ..., "extensions": {name: {"state", "source", "errors": [...]}}}
    {"op": "reply", "id": 1, "results": [ReloadResult.to_json(), ...], "restart": reason?}
    {"op": "reply", "id": 2, "error": "what went wrong"}

Two more private descriptors may be passed: the kernel channel (``kernels_fd``, the messages are
in ``devserver.kernel_messages``, framed the same way), and for a standby worker a pipe
(``STANDBY_ENV``) that carries its ``WorkerSpec`` once a restart needs it. ``SUPERVISOR_ENV``
names the supervisor's pid from the worker's first line on (``devserver.agent.lifeline``).
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import (
    Literal,
    NotRequired,
    TypedDict,
    TypeGuard,
    get_args,
)

from traitlets.config import Config
from traitlets.config.loader import DeferredConfigList, DeferredConfigString

from devserver.apijson import ErrorJson, FrontendJson, ReloadJson, State
from devserver.typedjson import by_op, known_kind

SPEC_ENV = "DEVSERVER_WORKER_SPEC"
#: Set instead of ``SPEC_ENV`` for a standby worker: the pipe its spec will arrive on.
STANDBY_ENV = "DEVSERVER_STANDBY_FD"
SUPERVISOR_ENV = "DEVSERVER_SUPERVISOR_PID"
DEFERRED = "$devserver-deferred"


class ReadyExtension(TypedDict):
    """An extension as the worker's ``ready`` message tells it."""

    state: State
    source: str | None
    errors: list[ErrorJson]


class KeptJson(TypedDict, total=False):
    """What a worker took over from the one before (``devserver.agent.adopt.Kept``)."""

    kernels: list[str]
    sessions: int
    #: One line per kernel or session that could not be kept, and why.
    dropped: list[str]
    terminals_closed: int


class ReadyMessage(TypedDict):
    """worker → supervisor, once it serves."""

    op: Literal["ready"]
    url: str
    pid: int
    extensions: dict[str, ReadyExtension]
    kept: NotRequired[KeptJson]


class Answer(TypedDict, total=False):
    """A request's answer as the worker's handler gives it. ``results`` for a reload;
    ``restart``: why the changes need a new worker; ``error``: the request failed."""

    results: list[ReloadJson]
    restart: str
    error: str


class ReplyMessage(Answer):
    """worker → supervisor: the answer to the request with this ``id``."""

    op: Literal["reply"]
    id: int | None


#: What the worker sends on the control channel.
WorkerMessage = ReadyMessage | ReplyMessage


class Numbered(TypedDict):
    """The ``id`` the supervisor gives a request on the wire; its reply carries it back."""

    id: NotRequired[int]


class ReloadRequest(Numbered):
    """supervisor → worker: reload these extensions (with those that import them)."""

    op: Literal["reload"]
    extensions: list[str]


class ChangedRequest(Numbered):
    """supervisor → worker: templates or static files changed; pages that show them refresh."""

    op: Literal["changed"]
    kind: Literal["template", "static"]
    #: At most ``LISTED`` of the paths (``devserver.supervisor.plan``); ``count`` of them all.
    paths: list[str]
    count: int


class FrontendRequest(Numbered):
    """supervisor → worker: a build of a project's frontend finished (or started); its
    extensions' records keep it and open JupyterLab pages hear of it."""

    op: Literal["frontend"]
    extensions: list[str]
    package: str
    frontend: FrontendJson


class PingRequest(Numbered):
    """supervisor → worker: the heartbeat; answered with an empty reply."""

    op: Literal["ping"]


Request = ReloadRequest | ChangedRequest | PingRequest | FrontendRequest


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
    server_config: dict[str, dict[str, object]] = field(default_factory=dict)
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
    #: Seconds a reload's imports may take before the reload is abandoned.
    reload_timeout: float = 5.0
    #: Seconds the event loop may be blocked before the worker reports where.
    blocked_threshold: float = 1.0
    #: ``devserver run --verbose``: keep jupyter_server's own start-up banner in the log.
    verbose: bool = False

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


def encode_config(config: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    """Config sections as JSON-safe data. Values given on the command line for classes the
    supervisor does not know (``--ServerApp.port_retries=3``) are still unparsed strings, which
    traitlets parses once it knows the trait's type: keep them marked so the worker can."""
    return {section: {k: _mark(v) for k, v in values.items()} for section, values in config.items()}


def decode_config(config: Mapping[str, Mapping[str, object]]) -> Config:
    """The worker's side of ``encode_config``."""
    return Config({s: {k: _unmark(v) for k, v in values.items()} for s, values in config.items()})


def _mark(value: object) -> object:
    if isinstance(value, DeferredConfigString):
        return {DEFERRED: str(value)}
    if isinstance(value, DeferredConfigList):
        return {DEFERRED: list(value)}
    return value


def _unmark(value: object) -> object:
    if isinstance(value, dict) and set(value) == {DEFERRED}:
        raw = value[DEFERRED]
        return DeferredConfigList(raw) if isinstance(raw, list) else DeferredConfigString(raw)
    return value


#: The frame header: the length of the JSON body that follows.
HEADER = struct.Struct(">I")
#: A frame longer than this is a corrupt stream, not a message (the largest real ones, a reload
#: of many extensions, are a few hundred KB).
MAX_FRAME = 64 * 1024 * 1024


class ChannelError(Exception):
    """The control channel carried something that is not a control message."""


def encode(message: Mapping[str, object]) -> bytes:
    """One control-channel frame.

    >>> encode({"op": "ping"})
    b'\\x00\\x00\\x00\\r{"op":"ping"}'
    """
    body = json.dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(body)) + body


def decode(body: bytes) -> dict[str, object]:
    """Parse one frame's body; anything but a control message raises ``ChannelError``."""
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise ChannelError(f"not JSON ({exc}): {body[:200]!r}") from exc
    if not isinstance(message, dict) or "op" not in message:
        raise ChannelError(f"not a control message: {body[:200]!r}")
    return {str(k): v for k, v in message.items()}


def is_request(message: Mapping[str, object]) -> TypeGuard[Request]:
    """True for a request the worker knows, with the fields its kind needs.

    >>> is_request({"op": "reload", "extensions": ["a"]}), is_request({"op": "reload"})
    (True, False)
    """
    return known_kind(message, _REQUEST_FIELDS)


def is_worker_message(message: Mapping[str, object]) -> TypeGuard[WorkerMessage]:
    """True for a message the supervisor knows, with the fields its kind needs."""
    return known_kind(message, _WORKER_FIELDS)


async def read_message(reader: asyncio.StreamReader) -> dict[str, object] | None:
    """The next message, or None at a clean end of the channel; ``ChannelError`` if the stream
    is cut inside a frame or carries something else."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise ChannelError("the channel ended inside a frame header") from exc
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ChannelError(f"a frame of {size} bytes: the stream is corrupt")
    try:
        body = await reader.readexactly(size)
    except asyncio.IncompleteReadError as exc:
        raise ChannelError(f"the channel ended inside a frame of {size} bytes") from exc
    return decode(body)


_REQUEST_FIELDS = by_op(*get_args(Request))
_WORKER_FIELDS = by_op(*get_args(WorkerMessage))
