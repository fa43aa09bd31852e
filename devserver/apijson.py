"""Runs in the worker, the supervisor, the CLI and the dashboard: the JSON contract (docs/api.md),
declared once for the worker that builds it and everyone who reads it:

- the records' ``to_json()`` and the ``/_introspect`` API's bodies: status, extensions, routes,
  errors, specs (``GET status``, ``GET extensions``, ...), read by the dashboard and the CLI; a
  reload's result, an error and a frontend build also cross the control channel, whose messages
  (``devserver.protocol``) carry them;
- the request log and the extensions' log records (``GET requests``,
  ``GET extensions/{name}/logs``, the event stream's ``request`` and ``log`` events), built by
  ``devserver.agent.requestlog`` and ``devserver.agent.extlogs``, read by ``devserver requests``
  and ``devserver logs``;
- the reload-safety audit (``POST extensions/{name}/audit``), built by
  ``devserver.agent.audit``, read by ``devserver doctor`` and the pytest plugin.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class WebSocketJson(TypedDict):
    """A websocket's life: open since the 101, messages each way, when it closed."""

    open: bool
    messages_in: int
    messages_out: int
    closed: float | None


class RequestJson(TypedDict):
    """One answered request; ``extension`` is ``"server"`` when no extension owns the route."""

    id: int
    time: float
    method: str
    path: str
    status: int
    duration_ms: float
    route: str | None
    handler: str
    extension: str
    user: str | None
    websocket: WebSocketJson | None


class LogJson(TypedDict):
    """One log record of an extension."""

    extension: str
    time: float
    level: str
    logger: str
    message: str
    file: str
    line: int


class RequestsBody(TypedDict):
    """``GET requests``: oldest first; ``worker``: the pid whose requests these are (a new
    worker numbers its requests from 1 again)."""

    requests: list[RequestJson]
    worker: int


class LogsBody(TypedDict):
    """``GET extensions/{name}/logs``: oldest first."""

    logs: list[LogJson]


class CheckJson(TypedDict):
    """One line of the audit's table; ``items``: what it found."""

    check: str
    ok: bool
    summary: str
    items: list[str]


class MemoryJson(TypedDict, total=False):
    """The audit's memory figures, in KiB (``after`` ones once the second half ran)."""

    rss_before_kb: int
    heap_before_kb: int
    rss_after_kb: int
    heap_after_kb: int
    per_reload_kb: float
    limit_kb: float


class AuditJson(TypedDict):
    """``POST extensions/{name}/audit``: ``packages``: those reloaded with it."""

    extension: str
    times: int
    packages: list[str]
    ok: bool
    checks: list[CheckJson]
    memory: MemoryJson
    duration_ms: float


Phase = Literal["import", "link", "load", "start", "reload", "request", "task"]
State = Literal["pending", "loaded", "failed", "disabled"]
#: How a reload was done: always in place (changes that need a new worker are the supervisor's).
Mode = Literal["hot"]


class ErrorJson(TypedDict):
    """One failure of one extension in one phase (``ErrorRecord.to_json()``)."""

    extension: str
    phase: Phase
    type: str
    message: str
    traceback: str
    file: str | None
    line: int | None
    time: float
    #: The request line (``GET /path``) of a ``request`` error, else None.
    request: str | None
    #: How many times the same error (extension, phase, type, file, line) happened.
    count: int
    #: The lines around ``file:line`` as they were when it failed.
    source: list[SourceLineJson]
    #: Its number in this worker (0: not kept, e.g. a reload's summary of another's failure).
    id: int
    #: When a later successful load or reload of the extension replaced the failing code.
    resolved_at: float | None


class SourceLineJson(TypedDict):
    line: int
    text: str


class ReloadJson(TypedDict):
    """The outcome of one reload (``ReloadResult.to_json()``); ``blocked_ms``: how long the
    worker's event loop was held."""

    extension: str
    ok: bool
    mode: Mode
    duration_ms: float
    blocked_ms: float
    routes_before: int
    routes_after: int
    together_with: list[str]
    error: ErrorJson | None
    time: float
    #: How many routes a route of this extension now hides (never served).
    shadows: NotRequired[int]


class RouteJson(TypedDict):
    """One URL rule in routing order (``RouteRecord.to_json()``); the API adds ``shadowed_by``."""

    pattern: str
    handler: str
    extension: str | None
    methods: list[str]
    authenticated: bool
    order: int
    host: str
    shadowed_by: NotRequired[int | None]


class PointJson(TypedDict):
    """One extension point of a package; ``app`` is its ExtensionApp class, dotted."""

    name: str
    module: str
    app: str | None


FrontendState = Literal["off", "building", "ok", "failed"]


class BuildErrorJson(TypedDict):
    """One error of a frontend build, where its author should look."""

    file: str
    line: int | None
    message: str


class FrontendJson(TypedDict):
    """The JupyterLab frontend of an extension's project, as its last build left it."""

    state: FrontendState
    last_build: float | None
    duration_ms: float | None
    errors: list[BuildErrorJson]
    #: Why it is off (``--frontend=off``, node missing, ...), or what failed before a build.
    reason: str


class ExtensionJson(TypedDict):
    """One extension package (``ExtensionRecord.to_json()``)."""

    name: str
    enabled: bool
    state: State
    module: str
    version: str
    source: str | None
    points: list[PointJson]
    routes: list[RouteJson]
    errors: list[ErrorJson]
    last_reload: ReloadJson | None
    #: Why a change to it restarts the worker instead of reloading in place; None: it reloads.
    restart_only: str | None
    #: None for a project without a JupyterLab frontend.
    frontend: FrontendJson | None


class StatusJson(TypedDict):
    """``GET status``: versions and counts of the running worker."""

    version: str
    jupyter_server_version: str
    python_version: str
    pid: int
    started: float
    extensions: int
    routes: int
    #: Open errors; ``resolved_errors``: fixed since, still in the history.
    errors: int
    resolved_errors: int
    reloads: int
    #: The starter app's name (``devserver run --app``), or null.
    starter: str | None
    #: Running kernels, and the ids of those this worker took over from the one before.
    kernels: int
    kernels_kept: list[str]


class ExtensionsBody(TypedDict):
    """``GET extensions``."""

    extensions: list[ExtensionJson]


class RoutesBody(TypedDict):
    """``GET routes``."""

    routes: list[RouteJson]


class ErrorsBody(TypedDict):
    """``GET errors``."""

    errors: list[ErrorJson]


class SpecJson(TypedDict):
    """One ExtensionApp's OpenAPI specs (``GET specs``); ``allowed``/``blocked`` as written."""

    extension: str
    app: str
    allowed: object
    blocked: object
    slash_encoder: list[str]
    enforced: bool
    error: str | None


class VerdictRowJson(TypedDict):
    """What a request to an example path of one route and method gets (``GET specs``)."""

    pattern: str
    method: str
    extension: str | None
    example: str | None
    verdict: str
    rule: str


class SpecsBody(TypedDict):
    """``GET specs``."""

    specs: list[SpecJson]
    verdicts: list[VerdictRowJson]
    starter: str | None
