"""Imports with a deadline.

A reload imports the new code in a thread of its own (``ImportThread``) so the event loop keeps
serving. An import that sleeps or spins forever must not hold the reload, the supervisor and
the other extensions with it: past the deadline the reload is abandoned with an ``ImportStuck``
error that names the file and line where the thread is stuck, taken from its live stack. Python
cannot stop a thread, so the thread stays; the reload engine remembers it, and the next reload
of the same extension asks for a restart instead of waiting on the module lock it holds.
"""

from __future__ import annotations

import asyncio
import sys
import sysconfig
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
_STDLIB = sysconfig.get_paths()["stdlib"]


class ImportStuck(Exception):
    """An import ran past its deadline; ``filename``/``lineno`` say where it is stuck."""

    def __init__(self, name: str, timeout: float, stack: traceback.StackSummary) -> None:
        frame = stuck_frame(stack)
        self.filename: str | None = frame.filename if frame else None
        self.lineno: int | None = frame.lineno if frame else None
        self.stack = "Stack of the stuck import (most recent call last):\n" + "".join(
            stack.format()
        )
        where = f"{self.filename}:{self.lineno}" if frame else "an unknown place"
        super().__init__(f"importing {name} did not finish within {timeout:g} s: stuck at {where}")


def stuck_frame(stack: traceback.StackSummary) -> traceback.FrameSummary | None:
    """The innermost frame outside importlib and the standard library: the user's line.

    >>> stuck_frame(traceback.StackSummary.from_list([("<frozen x>", 1, "f", "")])) is None
    True
    """
    for frame in reversed(stack):
        if not frame.filename.startswith(("<", _STDLIB)):
            return frame
    return None


def stack_of(thread: threading.Thread) -> traceback.StackSummary:
    """The live stack of another thread (empty once it has ended)."""
    frame = sys._current_frames().get(thread.ident or -1)
    return traceback.extract_stack(frame) if frame is not None else traceback.StackSummary()


@dataclass(frozen=True)
class Failed:
    """What a call of user code raised, kept to be raised or reported elsewhere."""

    error: BaseException


def outcome(fn: Callable[[], T]) -> T | Failed:
    """``fn()``'s value, or what it raised as ``Failed``: for user code run where its failure
    cannot propagate (another thread, a verdict to print). SystemExit too: a module that calls
    sys.exit() at import must not end the worker.

    >>> outcome(lambda: 1), outcome(lambda: 1 / 0)
    (1, Failed(error=ZeroDivisionError('division by zero')))
    """
    try:
        return fn()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code may raise anything; handed on
        return Failed(exc)


def call_with_deadline(name: str, fn: Callable[[], T], timeout: float) -> T:
    """``fn()`` run in a daemon thread, for a caller that cannot await (the worker's start):
    its value or its exception, or ``ImportStuck`` after ``timeout`` (the thread runs on)."""
    result: list[T | Failed] = []
    thread = threading.Thread(
        target=lambda: result.append(outcome(fn)), name=f"devserver-import-{name}", daemon=True
    )
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise ImportStuck(name, timeout, stack_of(thread))
    if isinstance(result[0], Failed):
        raise result[0].error
    return result[0]


class ImportThread(Generic[T]):
    """Runs ``fn`` in a daemon thread; ``await result(timeout)`` gives its value or raises its
    exception, or ``ImportStuck`` past the deadline (the thread keeps running)."""

    def __init__(self, name: str, fn: Callable[[], T]) -> None:
        self.name = name
        self._fn = fn
        self._loop = asyncio.get_running_loop()
        self._future: asyncio.Future[T] = self._loop.create_future()
        self.thread = threading.Thread(target=self._run, name=f"devserver-import-{name}")
        self.thread.daemon = True

    def _run(self) -> None:
        result = outcome(self._fn)
        if isinstance(result, Failed):
            self._deliver(lambda: self._future.set_exception(result.error))
        else:
            self._deliver(lambda: self._future.set_result(result))

    def _deliver(self, action: Callable[[], None]) -> None:
        def settle() -> None:
            if not self._future.done():
                action()

        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(settle)

    async def result(self, timeout: float) -> T:
        self.thread.start()
        try:
            return await asyncio.wait_for(asyncio.shield(self._future), timeout)
        except TimeoutError:
            # Whatever the thread ends with one day is nobody's to hear: mark it retrieved.
            self._future.add_done_callback(lambda f: f.cancelled() or f.exception())
            raise ImportStuck(self.name, timeout, stack_of(self.thread)) from None

    @property
    def running(self) -> bool:
        return self.thread.is_alive()
