"""A stopping worker resets no request: it drains its HTTP connections before it cleans up.

The supervisor holds the listening socket, so connections that wait in its backlog are served
by the next worker. What a stopping worker must not do is exit with connections of its own
open: a keep-alive client that has just sent its next request gets "connection reset by peer"
(measured: 6 of 8 config-edit restarts reset the request of a client polling every 20 ms).

``drain()`` runs when the worker stops, before the kernels are detached and the extensions
stopped, so every request it still answers sees the full state:

1. no more keep-alive: each request whose headers arrive from now on is answered with
   ``Connection: close``, and its connection closes after the response;
2. a request in progress is answered;
3. a connection idle for ``IDLE_GRACE`` (no request begun) is closed: a client that polls sends
   its next request within that time and gets it answered, one that does not is not sending;
4. whatever is left at the deadline (a response that never ends) is closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

from tornado import httputil
from tornado.http1connection import HTTP1ServerConnection
from tornado.httpserver import HTTPServer

#: How long an idle keep-alive connection is kept open once the worker stops.
IDLE_GRACE = 0.05
#: How often the drain looks at its connections.
STEP = 0.005


class _Watched(httputil.HTTPMessageDelegate):
    """A request's delegate that notes when its headers arrived (the request has begun)."""

    def __init__(self, inner: httputil.HTTPMessageDelegate, begun: set[object]) -> None:
        self.inner, self.begun = inner, begun

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        self.begun.add(self)
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self.inner.finish()

    def on_connection_close(self) -> None:
        self.inner.on_connection_close()


class ConnectionWatch:
    """Knows, for each open connection of ``server``, whether a request on it has begun."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.begun: set[object] = set()
        self.current: dict[object, _Watched] = {}
        inner = server.start_request

        def start_request(
            server_conn: object, request_conn: httputil.HTTPConnection
        ) -> httputil.HTTPMessageDelegate:
            # Called when a connection starts waiting for its next request: the one before is over.
            self.begun.discard(self.current.get(server_conn))
            watched = _Watched(inner(server_conn, request_conn), self.begun)
            self.current[server_conn] = watched
            return watched

        # HTTPServer hands itself to each connection as the delegate: the instance attribute wins.
        server.start_request = start_request  # type: ignore[method-assign] # the documented hook is the class's

    def idle(self) -> list[HTTP1ServerConnection]:
        """Open connections waiting for a request that has not begun."""
        return [c for c in self.server._connections if self.current.get(c) not in self.begun]

    def forget_closed(self) -> None:
        for conn in [c for c in self.current if c not in self.server._connections]:
            self.begun.discard(self.current.pop(conn))


async def drain(watch: ConnectionWatch, deadline: float) -> int:
    """Answer what has begun, close the rest; return how many connections were closed
    unanswered at the deadline (0 when every request in progress was answered)."""
    server = watch.server
    server.conn_params.no_keep_alive = True
    start = time.monotonic()
    while server._connections and time.monotonic() - start < deadline:
        if time.monotonic() - start >= IDLE_GRACE:
            for conn in watch.idle():
                conn.stream.close()
        await asyncio.sleep(STEP)
        watch.forget_closed()
    left = len(server._connections)
    await server.close_all_connections()
    return left
