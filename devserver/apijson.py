"""Runs in the worker and the CLI: the JSON API's answers that the control channel never carries
(those are in ``devserver.protocol``), declared once for the worker that builds them and the CLI
that reads them (docs/api.md):

- the request log and the extensions' log records (``GET requests``,
  ``GET extensions/{name}/logs``, the event stream's ``request`` and ``log`` events), built by
  ``devserver.agent.requestlog`` and ``devserver.agent.extlogs``, read by ``devserver requests``
  and ``devserver logs``;
- the reload-safety audit (``POST extensions/{name}/audit``), built by
  ``devserver.agent.audit``, read by ``devserver doctor`` and the pytest plugin.
"""

from __future__ import annotations

from typing import TypedDict


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
