"""The worker's end of the control channel to the supervisor.

Reads one framed request at a time (``devserver.protocol``), runs it on the IOLoop, writes the
reply. A request that fails is answered with ``{"error": ...}``; a channel that carries garbage
or ends stops the loop, and the worker with it (the supervisor starts another).
"""

from __future__ import annotations

import asyncio
import logging
import socket

from devserver.protocol import (
    Answer,
    ChannelError,
    FrontendRequest,
    ReadyMessage,
    Request,
    WorkerMessage,
    encode,
    is_request,
    read_message,
)

from . import caches
from .registry import Registry
from .reload import ReloadEngine

log = logging.getLogger("devserver.agent")


class ControlChannel:
    """Serves the supervisor's requests until the channel closes."""

    def __init__(self, fd: int, engine: ReloadEngine, registry: Registry) -> None:
        self._sock = socket.socket(fileno=fd)
        self._sock.setblocking(False)
        self.engine = engine
        self.registry = registry
        self._writer: asyncio.StreamWriter | None = None
        #: Requests being answered: each runs in a task of its own, so a heartbeat is answered
        #: while a reload runs.
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self, ready: ReadyMessage) -> None:
        """Announce readiness, then answer requests; returns when the supervisor goes away or
        the channel breaks."""
        reader, self._writer = await asyncio.open_unix_connection(sock=self._sock)
        self.send(ready)
        try:
            while (message := await read_message(reader)) is not None:
                task = asyncio.ensure_future(self._answer(message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except (ChannelError, ConnectionError) as exc:
            log.critical("devserver: the control channel broke: %s", exc)
        finally:
            self._writer.close()

    async def _answer(self, message: dict[str, object]) -> None:
        request_id = message.get("id")
        try:
            if is_request(message):
                answer = await self.handle(message)
            else:
                answer = Answer(error=f"unknown op {message.get('op')!r} or missing fields")
        except Exception as exc:  # a bug here must not silence the channel: logged, answered
            log.exception("devserver: control request %r failed", message.get("op"))
            answer = Answer(error=f"{type(exc).__name__}: {exc}")
        number = request_id if isinstance(request_id, int) else None
        self.send({"op": "reply", "id": number, **answer})

    def send(self, message: WorkerMessage) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(encode(message))

    async def handle(self, message: Request) -> Answer:
        if message["op"] == "reload":
            results = await self.engine.reload(list(message["extensions"]))
            answer = Answer(results=[r.to_json() for r in results])
            if self.engine.needs_restart:
                answer["restart"] = self.engine.needs_restart
            return answer
        if message["op"] == "changed":
            if message["kind"] == "static":
                caches.STATIC.refresh()
            paths = message["paths"]
            owners = self.registry.owners_of(paths)  # open pages of other extensions stay put
            self.registry.events.publish(
                "change",
                {
                    "kind": message["kind"],
                    "paths": paths,
                    "count": message["count"],
                    "extensions": owners,
                },
            )
        elif message["op"] == "frontend":
            self._frontend(message)
        return Answer()

    def _frontend(self, message: FrontendRequest) -> None:
        """A build of a project's frontend: kept on its extensions' records, and published
        (open JupyterLab pages reload after ``ok`` and show the errors after ``failed``)."""
        frontend = message["frontend"]
        for name in message["extensions"]:
            self.registry.extension(name).frontend = frontend
        self.registry.events.publish(
            "frontend",
            {"package": message["package"], "extensions": message["extensions"], **frontend},
        )
