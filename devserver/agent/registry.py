"""The one typed object the reload agent keeps its state in.

It lives under one key of the tornado settings, ``settings["devserver"]``; the dashboard reads it
with ``get_registry(handler.settings)``. Everything the introspection API serves comes from here.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_server import __version__ as jupyter_server_version

from devserver import __version__
from devserver.apijson import SpecsBody, StatusJson

from .events import EventBus
from .extlogs import ExtensionLogs
from .records import ErrorRecord, ExtensionRecord, ReloadResult, RouteRecord, python_version
from .requestlog import RequestLog
from .routing import routing_key, walk_routes

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp

SETTINGS_KEY = "devserver"
MAX_ERRORS = 1000
MAX_ERRORS_PER_EXTENSION = 50
MAX_RELOADS_PER_EXTENSION = 20

ReloadFn = Callable[[str], Awaitable[ReloadResult]]
#: ``(pattern, host)`` pairs in routing order -> {index of a shadowed route: index of its winner}.
ShadowFinder = Callable[[Sequence[tuple[str, str]]], dict[int, int]]


class Registry:
    """Extensions, errors, reloads and events of this worker.

    >>> reg = get_registry(serverapp.web_app.settings)  # doctest: +SKIP
    >>> [e.name for e in reg.extensions.values() if e.state == "failed"]  # doctest: +SKIP
    ['broken_ext']
    """

    def __init__(self, serverapp: ServerApp) -> None:
        self.serverapp = serverapp
        self.extensions: dict[str, ExtensionRecord] = {}
        self.errors: list[ErrorRecord] = []
        self.events = EventBus()
        #: Recent requests (installed on the web app by the worker) and extensions' log records.
        self.requests = RequestLog(self, parent=serverapp)
        self.logs = ExtensionLogs(self, parent=serverapp)
        self.reloads = 0
        self.started = time.time()
        self.pid = os.getpid()
        #: Name of the ExtensionApp launched as the starter app (``devserver run --app``), if any.
        self.starter: str | None = None
        #: Set by the reload engine once the server is up.
        self.reload_fn: ReloadFn | None = None
        #: Extra data providers keyed by API section, e.g. ``"specs"`` (set by other agent parts).
        self.providers: dict[str, Callable[[], SpecsBody]] = {}
        #: Set by the dashboard (which owns the analysis): reloads then say what they shadow.
        self.find_shadowed: ShadowFinder | None = None
        self._error_ids = itertools.count(1)
        #: Live objects kept across reloads on purpose (``carry``), by settings key.
        self.carried: dict[str, object] = {}
        #: Ids of the kernels this worker took over from the one before.
        self.kernels_kept: list[str] = []
        self._routes: list[RouteRecord] = []
        self._routes_key: list[tuple[object, object]] = []

    # -- extensions -------------------------------------------------------------------------
    def extension(self, name: str) -> ExtensionRecord:
        """The record of ``name``, created on first use."""
        if name not in self.extensions:
            self.extensions[name] = ExtensionRecord(name=name, enabled=True)
        return self.extensions[name]

    def resolve(self, name: str) -> str | None:
        """The package name for ``name``, which may be a package name or an ExtensionApp's name."""
        if name in self.extensions:
            return name
        for record in self.extensions.values():
            if any(p.get("name") == name for p in record.points):
                return record.name
        return None

    def owners_of(self, paths: Sequence[str]) -> list[str]:
        """The extensions whose source folder holds one of ``paths`` (a change is theirs)."""
        folders = {n: Path(r.source) for n, r in self.extensions.items() if r.source}
        owners = []
        for name, folder in folders.items():
            root = folder if folder.is_dir() else folder.parent
            if any(Path(p).resolve().is_relative_to(root) for p in paths):
                owners.append(name)
        return owners

    # -- errors -----------------------------------------------------------------------------
    def record_error(self, error: ErrorRecord, publish: bool = True) -> ErrorRecord:
        """Keep an error with its extension, numbered, and publish it unless the caller's own
        event carries it (a failed reload); the log line is the caller's."""
        error = replace(error, id=next(self._error_ids))
        errors = self.extension(error.extension).errors
        errors.append(error)
        del errors[:-MAX_ERRORS_PER_EXTENSION]
        self.errors.append(error)
        del self.errors[:-MAX_ERRORS]
        if publish:
            self.events.publish("error", error.to_json())
        return error

    def resolve_errors(self, name: str) -> list[int]:
        """Mark the open errors of ``name`` resolved (its code loaded fine since); their ids.

        The history keeps them, greyed on the pages; counts and badges leave them out.
        """
        now = time.time()
        ids = [e.id for e in self.errors if e.extension == name and e.resolved_at is None]
        if ids:
            self.errors = [replace(e, resolved_at=now) if e.id in ids else e for e in self.errors]
            self.events.publish("resolved", {"extension": name, "ids": ids, "resolved_at": now})
        self.extension(name).errors = []
        return ids

    def clear_resolved(self) -> int:
        """Forget the resolved errors (the Clear action); how many went."""
        before = len(self.errors)
        self.errors = [e for e in self.errors if e.resolved_at is None]
        cleared = before - len(self.errors)
        self.events.publish("cleared", {"count": cleared})
        return cleared

    def open_errors(self) -> list[ErrorRecord]:
        return [e for e in self.errors if e.resolved_at is None]

    def record_repeatable(self, error: ErrorRecord) -> ErrorRecord:
        """Keep a runtime error, folding it into a kept one with the same extension, phase, type
        and file:line (that one moves to the end with ``count`` + 1 and the new time)."""
        key = _repeat_key(error)
        # A resolved error stays in the history as it was; the same failure again is a new one.
        earlier = next(
            (e for e in reversed(self.errors) if _repeat_key(e) == key and e.resolved_at is None),
            None,
        )
        if earlier is not None:
            error = replace(error, count=earlier.count + 1)
            self.errors.remove(earlier)
            mine = self.extension(error.extension).errors
            if earlier in mine:
                mine.remove(earlier)
        return self.record_error(error)

    # -- routes -----------------------------------------------------------------------------
    def routes(self) -> list[RouteRecord]:
        """Every route in routing order, each with the extension that owns it (None: the server).

        Walking 2,000 routes takes ~20 ms, so the list is kept until the routing changes: a swap
        assigns an extension router a new rule list, and anything else adds or removes a rule:
        every rule with its router's list is the key (``routing_key``).
        """
        web_app = self.serverapp.web_app
        # The objects themselves are kept (not their ids), so a freed list can't alias a new one.
        key = routing_key(web_app)
        if len(key) != len(self._routes_key) or any(
            a is not c or b is not d for (a, b), (c, d) in zip(key, self._routes_key, strict=True)
        ):
            allow_unauthenticated = bool(web_app.settings.get("allow_unauthenticated_access"))
            self._routes = walk_routes(web_app, allow_unauthenticated)
            self._routes_key = key
        return self._routes

    def routes_of(self, name: str) -> list[RouteRecord]:
        return [r for r in self.routes() if r.extension == name]

    # -- reloads ----------------------------------------------------------------------------
    async def reload(self, name: str) -> ReloadResult:
        """Hot-reload extension ``name`` (and the extensions that import it) now.

        Raises KeyError for a name that is not a known extension.
        """
        package = self.resolve(name)
        if package is None:
            raise KeyError(name)
        if self.reload_fn is None:
            raise RuntimeError("the reload engine is not running yet")
        return await self.reload_fn(package)

    def record_reload(self, result: ReloadResult) -> None:
        self.reloads += 1
        record = self.extension(result.extension)
        record.last_reload = result
        record.reloads.append(result)
        del record.reloads[:-MAX_RELOADS_PER_EXTENSION]
        self.events.publish("reload", result.to_json())

    def shadowed_by(self, name: str) -> int:
        """How many routes a route of extension ``name`` hides (0 without the dashboard)."""
        if self.find_shadowed is None:
            return 0
        routes = self.routes()
        winners = self.find_shadowed([(r.pattern, r.host) for r in routes]).values()
        return sum(1 for w in winners if routes[w].extension == name)

    # -- summary ----------------------------------------------------------------------------
    def status(self) -> StatusJson:
        """The contract's status object."""
        return {
            "version": __version__,
            "jupyter_server_version": jupyter_server_version,
            "python_version": python_version(),
            "pid": self.pid,
            "started": self.started,
            "extensions": len(self.extensions),
            "routes": len(self.routes()),
            "errors": len(self.open_errors()),
            "resolved_errors": len(self.errors) - len(self.open_errors()),
            "reloads": self.reloads,
            "starter": self.starter,
            "kernels": len(self.serverapp.kernel_manager.list_kernel_ids()),
            "kernels_kept": list(self.kernels_kept),
        }


def _repeat_key(error: ErrorRecord) -> tuple[object, ...]:
    return (error.extension, error.phase, error.type, error.file, error.line)


def get_registry(settings: Mapping[str, object]) -> Registry:
    """The registry kept in a tornado settings mapping (``handler.settings``)."""
    registry = settings[SETTINGS_KEY]
    if not isinstance(registry, Registry):
        raise TypeError(f"settings[{SETTINGS_KEY!r}] is not a devserver Registry")
    return registry
