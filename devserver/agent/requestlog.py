"""What each request reached, what it answered and how long it took: a bounded ring.

tornado calls ``settings["log_function"](handler)`` once per request, when it has finished (a
websocket: when the upgrade is answered with 101). ``install`` wraps jupyter_server's log function
(its access log keeps working) and records one ``RequestRecord`` per call: the route the handler
class serves (from the registry's route table), its owner, the user, the duration. A websocket's
record then counts its messages and says when it closed: its handler instance gets counting
wrappers around ``on_message``, ``write_message`` and ``on_close``.

Query values under a secret-looking name (``token``, ``key``, ``xsrf``, ``code``...) are masked
before anything is kept: the token never reaches the ring.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from asyncio import Future
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from tornado import web
from tornado.websocket import WebSocketHandler
from traitlets import Bool, Int
from traitlets.config import LoggingConfigurable

from devserver.apijson import RequestJson, WebSocketJson
from devserver.masking import MASK, is_secret_name

from .events import EventBus
from .records import RouteRecord


class RouteTable(Protocol):
    """What the request log needs of the registry (``devserver.agent.registry``, which owns
    it): the routes, to name each request's, and the event bus."""

    events: EventBus

    def routes(self) -> list[RouteRecord]: ...


#: Query names jupyter_server also scrubs from its access log (OAuth's ``code`` and ``state``).
EXTRA_SECRET_PARAMS = ("auth", "code", "state", "xsrf")
#: The owner of a request no extension's route answered (jupyter_server's own, or a 404).
SERVER = "server"
#: Set on an exception a websocket handler raised: its request line.
REQUEST_ATTR = "__devserver_request__"

LogFunction = Callable[[web.RequestHandler], None]


def scrub_uri(uri: str) -> str:
    """``uri`` with the value of every secret-looking query parameter masked.

    >>> scrub_uri("/lab?token=abc&x=1&_xsrf=q")
    '/lab?token=********&x=1&_xsrf=********'
    """
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    params = []
    for item in parts.query.split("&"):
        key, sep, value = item.partition("=")
        secret = is_secret_name(key) or any(word in key.lower() for word in EXTRA_SECRET_PARAMS)
        params.append(f"{key}{sep}{MASK}" if secret and value else item)
    return urlunsplit(parts._replace(query="&".join(params)))


@dataclass
class WebSocketStats:
    """A websocket's life: open since the 101, messages each way, when it closed."""

    messages_in: int = 0
    messages_out: int = 0
    closed: float | None = None

    def to_json(self) -> WebSocketJson:
        return {
            "open": self.closed is None,
            "messages_in": self.messages_in,
            "messages_out": self.messages_out,
            "closed": self.closed,
        }


@dataclass
class RequestRecord:
    """One request as the API serves it; ``extension`` is ``"server"`` when no extension owns
    the route."""

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
    websocket: WebSocketStats | None = field(default=None)

    def request_line(self) -> str:
        return f"{self.method} {self.path}"

    def to_json(self) -> RequestJson:
        return {
            "id": self.id,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "route": self.route,
            "handler": self.handler,
            "extension": self.extension,
            "user": self.user,
            "websocket": self.websocket.to_json() if self.websocket else None,
        }


def status_matches(status: int, wanted: str) -> bool:
    """The API's ``status`` filter: a class like ``5xx`` or an exact code like ``404``.

    >>> status_matches(503, "5xx"), status_matches(404, "404"), status_matches(200, "4xx")
    (True, True, False)
    """
    wanted = wanted.strip().lower()
    if len(wanted) == 3 and wanted.endswith("xx") and wanted[0].isdigit():
        return status // 100 == int(wanted[0])
    return wanted.isdigit() and status == int(wanted)


class RouteIndex:
    """Handler class name to its routes, rebuilt when the registry's route table changes."""

    def __init__(self) -> None:
        self._source: list[RouteRecord] | None = None
        self._all: list[tuple[re.Pattern[str], RouteRecord]] = []
        self._by_handler: dict[str, list[tuple[re.Pattern[str], RouteRecord]]] = {}

    def _update(self, routes: list[RouteRecord]) -> None:
        if routes is self._source:
            return
        self._all = [(re.compile(route.pattern + "$"), route) for route in routes]
        self._by_handler = {}
        for regex, route in self._all:
            self._by_handler.setdefault(route.handler, []).append((regex, route))
        self._source = routes

    def first_match(self, routes: list[RouteRecord], path: str) -> RouteRecord | None:
        """The route tornado would pick for ``path`` (host patterns aside)."""
        self._update(routes)
        return next((route for regex, route in self._all if regex.match(path)), None)

    def find(self, routes: list[RouteRecord], handler: str, path: str) -> RouteRecord | None:
        """The route of ``handler`` that matches ``path`` (the only one, most of the time)."""
        self._update(routes)
        candidates = self._by_handler.get(handler, [])
        if len(candidates) == 1:
            return candidates[0][1]
        return next((route for regex, route in candidates if regex.match(path)), None)


class RequestLog(LoggingConfigurable):
    """The ring of recent requests (``devserver run --RequestLog.size=5000``)."""

    size = Int(1000, help="How many requests the request log keeps (the oldest go first).").tag(
        config=True
    )
    enabled = Bool(True, help="Record requests at all (the Requests page stays empty).").tag(
        config=True
    )

    def __init__(self, registry: RouteTable, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.registry = registry
        self.entries: deque[RequestRecord] = deque(maxlen=max(1, self.size))
        self._ids = itertools.count(1)
        self._index = RouteIndex()

    def install(self, app: web.Application) -> None:
        """Wrap the application's ``log_function`` so that every finished request is recorded."""
        if not self.enabled:
            return
        settings = app.settings
        original: LogFunction | None = settings.get("log_function")

        def log_function(handler: web.RequestHandler) -> None:
            if original is not None:
                original(handler)
            self.record(handler)

        settings["log_function"] = log_function

    def record(self, handler: web.RequestHandler) -> RequestRecord:
        """Keep one finished request and publish it on the event stream."""
        request = handler.request
        name = f"{type(handler).__module__}.{type(handler).__qualname__}"
        path = request.path or "/"
        route = self._index.find(self.registry.routes(), name, path)
        elapsed = request.request_time()
        entry = RequestRecord(
            id=next(self._ids),
            time=time.time() - elapsed,
            method=request.method or "",
            path=scrub_uri(request.uri or path),
            status=handler.get_status(),
            duration_ms=1000.0 * elapsed,
            route=route.pattern if route else None,
            handler=name,
            extension=(route.extension if route else None) or SERVER,
            user=user_name(handler),
        )
        if entry.status == 101 and isinstance(handler, WebSocketHandler):
            entry.websocket = watch_websocket(handler)
        self.entries.append(entry)
        # Not kept in the event history: requests would push reloads and errors out of it.
        self.registry.events.publish("request", entry.to_json(), keep=False)
        return entry

    def owner_of_path(self, path: str) -> str | None:
        """The extension whose route serves ``path``, or None for the server's own."""
        route = self._index.first_match(self.registry.routes(), path)
        return route.extension if route else None

    def query(
        self,
        extension: str | None = None,
        status: str | None = None,
        since: float | None = None,
        after: int = 0,
    ) -> list[RequestRecord]:
        """Kept requests, oldest first, filtered as ``GET requests`` is."""
        return [
            entry
            for entry in self.entries
            if (extension is None or entry.extension == extension)
            and (status is None or status_matches(entry.status, status))
            and (since is None or entry.time > since)
            and entry.id > after
        ]


def user_name(handler: web.RequestHandler) -> str | None:
    """The logged-in user's name, or None (read once jupyter_server's log function has asked)."""
    try:
        user = handler.current_user
    except Exception:  # noqa: BLE001 - an identity provider may raise anything; no user then
        return None
    if user is None:
        return None
    return str(getattr(user, "username", user))


def watch_websocket(handler: WebSocketHandler) -> WebSocketStats:
    """Count the messages of an open websocket and note when it closes.

    tornado calls ``handler.on_message`` / ``on_close`` through the instance, so wrappers set on
    the instance see every call, whatever the class overrides.
    """
    stats = WebSocketStats()
    on_message, write_message, on_close, log_exception = (
        handler.on_message,
        handler.write_message,
        handler.on_close,
        handler.log_exception,
    )
    line = f"{handler.request.method} {scrub_uri(handler.request.uri or '/')}"

    def counted_on_message(message: str | bytes) -> Awaitable[None] | None:
        stats.messages_in += 1
        return on_message(message)

    def counted_write_message(
        message: bytes | str | dict[str, object], binary: bool = False
    ) -> Future[None]:
        stats.messages_out += 1
        return write_message(message, binary)

    def noted_on_close() -> None:
        stats.closed = time.time()
        on_close()

    def log_with_request(
        typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        # WebSocketHandler logs without the request: runtime_errors reads it from here.
        if value is not None:
            with contextlib.suppress(AttributeError):
                setattr(value, REQUEST_ATTR, line)
        log_exception(typ, value, tb)

    handler.log_exception = log_with_request  # type: ignore[method-assign]
    handler.on_message = counted_on_message  # type: ignore[method-assign]
    handler.write_message = counted_write_message  # type: ignore[method-assign]
    handler.on_close = noted_on_close  # type: ignore[method-assign]
    return stats


def to_json(entries: Iterable[RequestRecord]) -> list[RequestJson]:
    return [entry.to_json() for entry in entries]
