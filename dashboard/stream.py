"""``GET /_introspect/api/events``, Server-Sent Events.

The stream opens with a ``hello`` message naming the worker's pid. Each event then goes out as
``id: <worker pid>:<n>``, ``event: <kind>`` and one JSON ``data`` line; the kind ``error`` goes
out as ``event: extension-error``, since ``EventSource`` fires its own ``error`` listeners for a
server-sent event of that name. A malformed ``Last-Event-ID`` or ``?after=`` is a 400.
Ids carry the worker's pid because a restarted worker numbers its events from 1 again: a browser
reconnecting with the old worker's ``Last-Event-ID`` gets the new worker's whole history, not a
gap. A comment line every ``keepalive`` seconds keeps proxies from closing an idle stream.

The stream ends when the client goes away, after a ``stopped`` event, and when the dashboard is
stopped (server shutdown), so it never holds a shutdown up.
"""

from __future__ import annotations

import asyncio
import json
import re
from functools import cached_property
from typing import get_args

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from devserver.agent.events import Event, EventJson, EventKind
from devserver.masking import mask_json

from .base import DashboardApiHandler

#: An event number or a pid: ASCII digits, few enough to be a real one.
EVENT_ID = re.compile(r"[0-9]{1,18}")
#: The SSE event name of each kind that must not go out under its own: a server-sent event named
#: ``error`` would also fire ``EventSource``'s own connection-error listeners.
SSE_NAMES = {"error": "extension-error"}
#: Milliseconds a browser waits before reconnecting (a worker restart takes about a second).
RETRY_MS = 1000


def parse_last_id(value: str | None, pid: int) -> int:
    """The number to replay after, from ``Last-Event-ID`` or ``?after=``.

    ``"<pid>:<n>"`` of this worker gives n; another worker's id gives 0 (replay everything);
    a bare number is taken as is; nothing gives 0. Anything else (``"²"``, a number of 5,000
    digits) raises ``ValueError``: the handler answers 400.

    >>> parse_last_id("12:5", 12), parse_last_id("11:5", 12), parse_last_id("7", 12)
    (5, 0, 7)
    >>> parse_last_id("²", 12)
    Traceback (most recent call last):
    ValueError: not an event id: '²'
    """
    if not value:
        return 0
    owner, _, number = value.rpartition(":")
    if not EVENT_ID.fullmatch(number) or (owner and not EVENT_ID.fullmatch(owner)):
        raise ValueError(f"not an event id: {value[:40]!r}")
    if owner and owner != str(pid):
        return 0
    return int(number)


def format_event(pid: int, event: EventJson, secrets: frozenset[str] = frozenset()) -> str:
    """One event in the SSE wire format, its data masked.

    >>> format_event(3, {"id": 1, "kind": "reload", "data": {}})
    'id: 3:1\\nevent: reload\\ndata: {"id": 1, "kind": "reload", "data": {}}\\n\\n'
    >>> format_event(3, {"id": 2, "kind": "error", "data": {}}).splitlines()[1]
    'event: extension-error'
    """
    data = mask_json(event, secrets)
    name = SSE_NAMES.get(event["kind"], event["kind"])
    return f"id: {pid}:{event['id']}\nevent: {name}\ndata: {data}\n\n"


class EventsApi(DashboardApiHandler):
    """The live event stream, with replay of kept events after ``Last-Event-ID``."""

    _gone: asyncio.Event | None = None

    def on_connection_close(self) -> None:
        if self._gone is not None:
            self._gone.set()

    @web.authenticated
    @authorized
    async def get(self) -> None:
        marker = self.request.headers.get("Last-Event-ID") or self.get_argument("after", None)
        try:
            last = parse_last_id(marker, self.registry.pid)
        except ValueError as exc:
            raise web.HTTPError(400, f"{exc}: give the id of an event, as `id:` sent it") from exc
        self._gone = asyncio.Event()
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")  # nginx would buffer the stream otherwise
        bus = self.registry.events
        queue = bus.subscribe()
        try:
            await self._stream(queue, marker, last)
        except StreamClosedError:
            pass  # the client went away mid-write: nothing left to do
        finally:
            bus.unsubscribe(queue)

    async def _stream(self, queue: asyncio.Queue[Event], marker: str | None, last: int) -> None:
        pid = self.registry.pid
        # "hello" has no id, so it leaves the browser's Last-Event-ID alone; it tells a page which
        # worker answers, so the page can tell a restart from a network blip; and the kinds of
        # event to listen for (SSE delivers a named event only to listeners of that name).
        hello = json.dumps(
            {
                "worker": pid,
                "after": last,
                "kinds": [SSE_NAMES.get(k, k) for k in get_args(EventKind)],
            }
        )
        self.write(f"retry: {RETRY_MS}\nevent: hello\ndata: {hello}\n\n")
        # History is replayed only to a client that says where it stopped: a page that has just
        # loaded wants what happens from now on (livereload.js would otherwise reload forever).
        if marker is not None:
            for kept in self.registry.events.recent(after=last):
                last = await self._send(pid, kept)
        else:
            last = max((e.id for e in self.registry.events.recent(limit=1)), default=0)
        await self.flush()
        while not self._stopping():
            event = await self._next(queue)
            if event is None:
                self.write(": keep-alive\n\n")
                await self.flush()
            elif event.id > last:
                last = await self._send(pid, event)
                if event.kind == "stopped":
                    break
        self.finish()

    async def _send(self, pid: int, event: Event) -> int:
        self.write(format_event(pid, event.to_json(), self.secrets))
        await self.flush()
        return event.id

    def _stopping(self) -> bool:
        gone = self._gone is not None and self._gone.is_set()
        return gone or self._closing.is_set()

    @cached_property
    def _closing(self) -> asyncio.Event:
        """Set by ``DashboardApp.stop_extension`` when the server shuts down."""
        closing = getattr(self.extensionapp, "closing", None)
        return closing if isinstance(closing, asyncio.Event) else asyncio.Event()

    async def _next(self, queue: asyncio.Queue[Event]) -> Event | None:
        """The next event, or None after ``keepalive`` seconds, on disconnect or shutdown."""
        assert self._gone is not None
        waiters = {
            asyncio.ensure_future(queue.get()),
            asyncio.ensure_future(self._gone.wait()),
            asyncio.ensure_future(self._closing.wait()),
        }
        keepalive = float(getattr(self.extensionapp, "keepalive", 15.0))
        done, pending = await asyncio.wait(
            waiters, timeout=keepalive, return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in pending:
            waiter.cancel()
        for waiter in done:
            result = waiter.result()
            if isinstance(result, Event):
                return result
        return None
