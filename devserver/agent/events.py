"""The live event stream (reloads, errors, restarts, file changes).

Publishing happens on the IOLoop thread; subscribers are asyncio queues that the dashboard's
event-stream handler drains. Old events are kept in a bounded ring for pages that open later.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict

EventKind = Literal[
    "started",
    "reload",
    "error",
    "resolved",
    "cleared",
    "restart",
    "change",
    "stopped",
    "request",
    "log",
    "blocked",
    "frontend",
]


class EventJson(TypedDict):
    """One event as the API and the stream carry it."""

    id: int
    kind: EventKind
    time: float
    data: Mapping[str, object]


@dataclass(frozen=True)
class Event:
    """One thing that happened, numbered in order of publication."""

    id: int
    kind: EventKind
    data: Mapping[str, object]
    time: float = field(default_factory=time.time)

    def to_json(self) -> EventJson:
        return {"id": self.id, "kind": self.kind, "time": self.time, "data": self.data}


class EventBus:
    """A bounded history of events plus fan-out to live subscribers.

    >>> bus = EventBus(keep=2)
    >>> _ = bus.publish("reload", {"extension": "a"}); _ = bus.publish("error", {})
    >>> [e.kind for e in bus.recent()]
    ['reload', 'error']
    """

    def __init__(self, keep: int = 500, queue_size: int = 1000) -> None:
        self._history: deque[Event] = deque(maxlen=keep)
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._ids = itertools.count(1)
        self._queue_size = queue_size

    def publish(self, kind: EventKind, data: Mapping[str, object], keep: bool = True) -> Event:
        """Record an event and hand it to every subscriber (a full subscriber queue drops it).

        ``keep=False``: live subscribers only, not the history (requests and log lines, which
        would push the reloads and errors out of it)."""
        event = Event(next(self._ids), kind, data)
        if keep:
            self._history.append(event)
        for queue in self._subscribers:
            if not queue.full():
                queue.put_nowait(event)
        return event

    def recent(self, limit: int | None = None, after: int = 0) -> list[Event]:
        """Events kept so far, oldest first; ``after`` skips ids up to and including it."""
        events = [e for e in self._history if e.id > after]
        return events if limit is None else events[-limit:]

    def subscribe(self) -> asyncio.Queue[Event]:
        """A queue that receives every event published from now on; pass it to unsubscribe()."""
        queue: asyncio.Queue[Event] = asyncio.Queue(self._queue_size)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        self._subscribers.discard(queue)
