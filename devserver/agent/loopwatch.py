"""Reports an event loop blocked too long, with where it was blocked.

A callback on the loop notes the time every ``TICK`` seconds; a daemon thread looks at that note,
and when it is older than the threshold it takes the main thread's stack then, while the loop is
still blocked. Once the loop runs again the first tick sees the gap and reports it, once per
block: "the event loop was blocked 1.2 s in myext/handlers.py:42", in the log and as a
``blocked`` event on the dashboard's stream.
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
from collections.abc import Callable
from typing import TypedDict

from .deadline import stack_of, stuck_frame

#: Seconds between the loop's ticks and the watching thread's looks.
TICK = 0.05


class LoopWatch:
    """Watches the running loop; ``report`` gets the block's data on the loop."""

    def __init__(self, threshold: float, report: Callable[[BlockedJson], None]) -> None:
        self.threshold = threshold
        self.report = report
        self._last = time.monotonic()
        self._sample: traceback.StackSummary | None = None
        self._loop_thread = threading.current_thread()
        self._stop = threading.Event()
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._tick()
        threading.Thread(target=self._watch, name="devserver-loopwatch", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self._handle is not None:
            self._handle.cancel()

    def _tick(self) -> None:
        now = time.monotonic()
        gap, sample = now - self._last, self._sample
        self._last, self._sample = now, None
        if gap > self.threshold and sample is not None:
            self.report(describe_block(gap, sample))
        self._handle = asyncio.get_running_loop().call_later(TICK, self._tick)

    def _watch(self) -> None:
        while not self._stop.wait(TICK):
            if self._sample is None and time.monotonic() - self._last > self.threshold:
                self._sample = stack_of(self._loop_thread)


class BlockedJson(TypedDict):
    """The data of a ``blocked`` event: how long the loop was held, where, and the stack."""

    ms: float
    where: str
    stack: str


def describe_block(seconds: float, stack: traceback.StackSummary) -> BlockedJson:
    """The data of a ``blocked`` event.

    >>> stack = traceback.StackSummary.from_list([("/src/myext/handlers.py", 42, "get", "")])
    >>> describe_block(1.234, stack)["where"]
    '/src/myext/handlers.py:42'
    """
    frame = stuck_frame(stack) or (stack[-1] if stack else None)
    where = f"{frame.filename}:{frame.lineno}" if frame else "an unknown place"
    return {
        "ms": round(seconds * 1000, 1),
        "where": where,
        "stack": "".join(stack.format()),
    }
