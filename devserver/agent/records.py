"""The plain records the reload agent keeps and the API serves.

Each record has ``to_json()`` giving exactly the fields of the JSON API contract (docs/api.md).
Secrets are not masked here: masking is the dashboard's job, at the edge where data leaves.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

from devserver.apijson import (
    ErrorJson,
    ExtensionJson,
    FrontendJson,
    Mode,
    Phase,
    PointJson,
    ReloadJson,
    RouteJson,
    State,
)

from .deadline import ImportStuck

Outcome = Literal["pending", "loaded", "failed"]


@dataclass(frozen=True)
class ErrorRecord:
    """One failure of one extension in one phase, with where it happened.

    >>> try:
    ...     1 / 0
    ... except ZeroDivisionError as exc:
    ...     rec = ErrorRecord.from_exception("myext", "load", exc)
    >>> rec.type, rec.phase
    ('ZeroDivisionError', 'load')
    """

    extension: str
    phase: Phase
    type: str
    message: str
    traceback: str
    file: str | None
    line: int | None
    time: float = field(default_factory=time.time)
    #: Numbered by the registry when it keeps the error (0: not kept, e.g. a reload's summary).
    id: int = 0
    #: When a later successful load or reload of the extension replaced the failing code.
    resolved_at: float | None = None
    #: The request line (``GET /path``) of a ``request`` error, else None.
    request: str | None = None
    #: How many times the same error (extension, phase, type, file, line) happened.
    count: int = 1
    #: The lines around ``file:line`` as they were when it failed: ``(number, text)`` pairs.
    source: tuple[tuple[int, str], ...] = ()

    @classmethod
    def from_exception(
        cls,
        extension: str,
        phase: Phase,
        exc: BaseException,
        source: Path | None = None,
        request: str | None = None,
    ) -> ErrorRecord:
        """Record ``exc``; ``file``/``line`` point into ``source`` when the traceback is there."""
        file, line = _locate(exc, source)
        return cls(
            extension=extension,
            phase=phase,
            type=type(exc).__name__,
            message=str(exc),
            traceback=_format(exc, source),
            file=file,
            line=line,
            request=request,
            source=tuple(excerpt(file, line)),
        )

    def to_json(self) -> ErrorJson:
        """The contract's error object."""
        return {
            "extension": self.extension,
            "phase": self.phase,
            "type": self.type,
            "message": self.message,
            "traceback": self.traceback,
            "file": self.file,
            "line": self.line,
            "time": self.time,
            "id": self.id,
            "resolved_at": self.resolved_at,
            "request": self.request,
            "count": self.count,
            "source": [{"line": number, "text": text} for number, text in self.source],
        }


def excerpt(file: str | None, line: int | None, context: int = 3) -> list[tuple[int, str]]:
    """The lines ``line - context`` to ``line + context`` of ``file``, numbered; [] if unreadable.

    >>> excerpt(None, 3)
    []
    """
    if not file or not line:
        return []
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    first = max(1, line - context)
    return [(n, lines[n - 1]) for n in range(first, min(len(lines), line + context) + 1)]


def _locate(exc: BaseException, source: Path | None) -> tuple[str | None, int | None]:
    """The file and line the user should open: a syntax error's own, else the deepest frame in
    ``source`` (the extension's folder), else the deepest frame of all."""
    if isinstance(exc, SyntaxError | ImportStuck) and exc.filename:
        return exc.filename, exc.lineno
    frames = traceback.extract_tb(_innermost_tb(exc))
    if not frames:
        return None, None
    ours = [f for f in frames if source is not None and _is_under(f.filename, source)]
    frame = (ours or frames)[-1]
    return frame.filename, frame.lineno


def _format(exc: BaseException, source: Path | None) -> str:
    """The traceback from the first frame in the extension's folder on: the dev server's,
    asyncio's and importlib's frames above it say nothing to the extension's author."""
    if isinstance(exc, ImportStuck):
        return exc.stack
    tb = exc.__traceback__
    while tb is not None and not (source and _is_under(tb.tb_frame.f_code.co_filename, source)):
        tb = tb.tb_next
    if tb is None:  # the traceback never enters the extension's folder: keep all of it
        return "".join(traceback.format_exception(exc))
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _innermost_tb(exc: BaseException) -> TracebackType | None:
    """Follow ``raise ... from`` chains to the exception that started it (an ImportError raised
    by jupyter_server around the user's own error hides the user's file otherwise)."""
    while exc.__cause__ is not None and exc.__cause__.__traceback__ is not None:
        exc = exc.__cause__
    return exc.__traceback__


def _is_under(filename: str, folder: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class RouteRecord:
    """One URL rule of the running server, in routing order."""

    pattern: str
    handler: str
    extension: str | None
    methods: list[str]
    authenticated: bool
    order: int
    host: str = ".*$"

    def to_json(self) -> RouteJson:
        """The contract's route object."""
        return {
            "pattern": self.pattern,
            "handler": self.handler,
            "extension": self.extension,
            "methods": self.methods,
            "authenticated": self.authenticated,
            "order": self.order,
            "host": self.host,
        }


@dataclass(frozen=True)
class ReloadResult:
    """The outcome of one reload of one extension."""

    extension: str
    ok: bool
    mode: Mode
    duration_ms: float
    routes_before: int
    routes_after: int
    error: ErrorRecord | None = None
    blocked_ms: float = 0.0
    together_with: tuple[str, ...] = ()
    time: float = field(default_factory=time.time)
    #: How many routes (of any owner) a route of this extension now hides: never served.
    shadows: int = 0

    def to_json(self) -> ReloadJson:
        """The contract's reload object."""
        return {
            "extension": self.extension,
            "ok": self.ok,
            "mode": self.mode,
            "duration_ms": round(self.duration_ms, 3),
            "blocked_ms": round(self.blocked_ms, 3),
            "routes_before": self.routes_before,
            "routes_after": self.routes_after,
            "together_with": list(self.together_with),
            "error": self.error.to_json() if self.error else None,
            "time": self.time,
            "shadows": self.shadows,
        }


@dataclass
class ExtensionRecord:
    """What the agent knows of one extension package (a ``jpserver_extensions`` key).

    Its ``state`` is derived, never stored: "disabled" while not ``enabled``, else the outcome
    of its last load or reload ("pending" until it has one).

    >>> rec = ExtensionRecord("x", enabled=True)
    >>> rec.state, rec.loaded().state, rec.failed().state
    ('pending', 'loaded', 'failed')
    >>> rec.enabled = False
    >>> rec.state
    'disabled'
    """

    name: str
    enabled: bool
    outcome: Outcome = "pending"
    module: str = ""
    version: str = ""
    source: str | None = None
    points: list[PointJson] = field(default_factory=list)
    #: The errors of the code that runs now (resolved ones leave; the registry keeps them all).
    errors: list[ErrorRecord] = field(default_factory=list)
    last_reload: ReloadResult | None = None
    #: The latest reloads, oldest first (bounded by the registry).
    reloads: list[ReloadResult] = field(default_factory=list)
    #: Why a change to it restarts the worker instead of reloading in place; None: it reloads.
    restart_only: str | None = None
    #: The project's JupyterLab frontend as the supervisor last reported it (``state``,
    #: ``last_build``, ``duration_ms``, ``errors``); None for a project without one.
    frontend: FrontendJson | None = None

    @property
    def state(self) -> State:
        return self.outcome if self.enabled else "disabled"

    def loaded(self) -> ExtensionRecord:
        self.outcome = "loaded"
        return self

    def failed(self) -> ExtensionRecord:
        self.outcome = "failed"
        return self

    def to_json(self, routes: list[RouteRecord]) -> ExtensionJson:
        """The contract's extension object; ``routes`` are this extension's."""
        return {
            "name": self.name,
            "enabled": self.enabled,
            "state": self.state,
            "module": self.module,
            "version": self.version,
            "source": self.source,
            "points": self.points,
            "routes": [r.to_json() for r in routes],
            "errors": [e.to_json() for e in self.errors],
            "last_reload": self.last_reload.to_json() if self.last_reload else None,
            "restart_only": self.restart_only,
            "frontend": self.frontend,
        }


def python_version() -> str:
    """The worker's Python version, as the status endpoint shows it."""
    return sys.version.split()[0]
