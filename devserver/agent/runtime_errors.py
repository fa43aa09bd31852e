"""Exceptions raised while extensions run, kept like load errors.

Every uncaught exception of a running server ends up in one of two loggers, with its traceback:

- ``tornado.application``: a handler's (``Uncaught exception GET /x (ip)`` plus the request, from
  ``RequestHandler.log_exception``), a websocket's ``open``/``on_message`` (from
  ``WebSocketHandler.log_exception``), a ``PeriodicCallback``'s or an ``IOLoop`` callback's;
- ``asyncio``: a task that failed and was never awaited, from the loop's default exception handler.

``RuntimeErrorCapture`` is a logging filter on both. It gives each exception to the extension
whose folder holds the deepest frame of its traceback (an exception that never passes through an
extension's code is the server's and is logged as before), records it with phase ``request``
(with the request line) or ``task``, folds repeats into one record with a count, and says it on
the console in one short line with the extension's own file:line, in place of the multi-line
traceback: that one is kept in the record (``devserver errors --traceback``, the Errors page).
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from tornado.httputil import HTTPServerRequest
from tornado.web import HTTPError

from devserver.apijson import Phase

from .manager import source_dir
from .records import ErrorRecord, _is_under
from .requestlog import REQUEST_ATTR, scrub_uri

if TYPE_CHECKING:
    from .registry import Registry

LOGGERS = ("tornado.application", "asyncio")
#: How tornado's ``log_exception`` starts its message (handlers and websockets alike).
UNCAUGHT = "Uncaught exception"
#: Set on an exception once recorded: the same one may be logged twice (websocket close paths).
SEEN = "__devserver_recorded__"


class RuntimeErrorCapture(logging.Filter):
    """Records the exceptions logged by tornado and asyncio as extension errors."""

    def __init__(self, registry: Registry, console: logging.Logger) -> None:
        super().__init__()
        self.registry = registry
        self.console = console

    def install(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).addFilter(self)

    def uninstall(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        """Record an extension's exception (False: its short line replaces this record)."""
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or isinstance(exc, HTTPError):
            return True
        if getattr(exc, SEEN, False):
            return False
        is_request = isinstance(record.msg, str) and record.msg.startswith(UNCAUGHT)
        error = self.capture(exc, "request" if is_request else "task", request_line(record))
        if error is None:
            return True
        with contextlib.suppress(AttributeError):  # __slots__: it may be recorded twice then
            setattr(exc, SEEN, True)
        return False

    def capture(self, exc: BaseException, phase: Phase, request: str | None) -> ErrorRecord | None:
        """Record ``exc`` for the extension it came from; None when it is the server's own."""
        owner = owner_of(self.registry, exc)
        if owner is None:
            return None
        name, folder = owner
        error = ErrorRecord.from_exception(name, phase, exc, folder, request=request)
        error = self.registry.record_repeatable(error)
        self.console.error("%s", short_line(error))
        return error


def owner_of(registry: Registry, exc: BaseException) -> tuple[str, Path] | None:
    """The extension (and its folder) holding the deepest frame of ``exc``'s traceback."""
    folders = [
        (name, folder)
        for name, record in registry.extensions.items()
        if (folder := source_dir(record.source)) is not None
    ]
    # Longest folder first: an extension nested in another's folder owns its own files.
    folders.sort(key=lambda item: len(str(item[1])), reverse=True)
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        for name, folder in folders:
            if _is_under(frame.filename, folder):
                return name, folder
    return None


def request_line(record: logging.LogRecord) -> str | None:
    """``GET /path?x=1`` (secrets masked) of a handler's ``Uncaught exception`` record."""
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(getattr(exc, REQUEST_ATTR, None), str):
        return str(getattr(exc, REQUEST_ATTR))
    args = record.args if isinstance(record.args, tuple) else ()
    request = next((a for a in args if isinstance(a, HTTPServerRequest)), None)
    if request is None:
        return None
    return f"{request.method} {scrub_uri(request.uri or '/')}"


def short_line(error: ErrorRecord) -> str:
    """The console's one line for a runtime error.

    >>> e = ErrorRecord("hello_ext", "request", "KeyError", "'x'", "", "/s/h.py", 9,
    ...                 request="GET /hello", count=2)
    >>> short_line(e)
    "hello_ext | request error: KeyError: 'x' at /s/h.py:9 (GET /hello) [2 times]"
    """
    where = f"{error.file}:{error.line}" if error.file else "?"
    context = f" ({error.request})" if error.request else ""
    repeat = f" [{error.count} times]" if error.count > 1 else ""
    message = error.message.splitlines()[0] if error.message else ""
    head = f"{error.extension} | {error.phase} error: {error.type}: {message}"
    return f"{head} at {where}{context}{repeat}"
