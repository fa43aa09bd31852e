"""Log records of each extension, kept per extension in a bounded ring.

A record belongs to an extension when its logger is the extension's (``logging.getLogger(
__name__)`` in its package: the logger's name starts with the package name) or when the logging
call was made from a file in the extension's folder (``self.log.info(...)`` in a handler logs on
the server's logger, but from the extension's file). The handler sits on the root logger and on
the ServerApp's logger, which does not propagate.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from traitlets import Int
from traitlets.config import LoggingConfigurable

from devserver.apijson import LogJson

from .events import EventBus
from .records import ExtensionRecord, _is_under


class Owners(Protocol):
    """What the logs need of the registry (``devserver.agent.registry``, which owns them): the
    extensions, to tell whose a record is, and the event bus."""

    events: EventBus

    @property
    def extensions(self) -> Mapping[str, ExtensionRecord]: ...


class ExtensionLogs(LoggingConfigurable):
    """The last log records of every extension (``devserver run --ExtensionLogs.size=500``)."""

    size = Int(200, help="How many log records are kept for each extension.").tag(config=True)

    def __init__(self, registry: Owners, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.registry = registry
        self.records: dict[str, deque[LogJson]] = {}
        self.handler = _Handler(self)
        self._owners: dict[str, str | None] = {}
        self._owners_key: tuple[tuple[str, str | None], ...] = ()

    def install(self, *loggers: logging.Logger) -> None:
        for logger in (logging.getLogger(), *loggers):
            if self.handler not in logger.handlers:
                logger.addHandler(self.handler)

    def uninstall(self, *loggers: logging.Logger) -> None:
        for logger in (logging.getLogger(), *loggers):
            logger.removeHandler(self.handler)

    def of(self, extension: str, after: float = 0.0) -> list[LogJson]:
        """The kept records of ``extension``, oldest first, newer than ``after`` (Unix time)."""
        return [r for r in self.records.get(extension, ()) if r["time"] > after]

    def owner(self, record: logging.LogRecord) -> str | None:
        """The extension a record belongs to, or None."""
        key = tuple((name, rec.source) for name, rec in self.registry.extensions.items())
        if key != self._owners_key:  # an extension appeared or moved: forget what was found
            self._owners, self._owners_key = {}, key
        for name, _ in key:
            if record.name == name or record.name.startswith(name + "."):
                return name
        path = record.pathname
        if path not in self._owners:
            self._owners[path] = self._find_owner(path, key)
        return self._owners[path]

    def _find_owner(self, path: str, key: tuple[tuple[str, str | None], ...]) -> str | None:
        # A source is a package's folder or a plain module's file (manager.source_dir).
        folders = [
            (name, Path(src) if Path(src).is_dir() else Path(src).parent)
            for name, src in key
            if src
        ]
        found = [(len(str(f)), name) for name, f in folders if _is_under(path, f)]
        return max(found)[1] if found else None

    def keep(self, record: logging.LogRecord) -> None:
        name = self.owner(record)
        if name is None:
            return
        entry: LogJson = {
            "extension": name,
            "time": record.created,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "file": record.pathname,
            "line": record.lineno,
        }
        if name not in self.records:
            self.records[name] = deque(maxlen=max(1, self.size))
        self.records[name].append(entry)
        # The event bus belongs to the IOLoop's thread; a record from another thread is kept only.
        if threading.current_thread() is threading.main_thread():
            self.registry.events.publish("log", entry, keep=False)


class _Handler(logging.Handler):
    def __init__(self, logs: ExtensionLogs) -> None:
        super().__init__(logging.NOTSET)
        self.logs = logs

    def emit(self, record: logging.LogRecord) -> None:
        self.logs.keep(record)
