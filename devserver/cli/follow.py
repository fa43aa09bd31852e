"""Follow the dev server's event stream (``GET /_introspect/api/events``) from the terminal.

Standard library only, like ``client``. The stream is Server-Sent Events: ``event:`` and ``data:``
lines, a blank line after each message. It ends when the worker stops (a restart): ``follow``
then connects again, so ``--follow`` outlives worker restarts; a refused or unreachable server
ends it with the client's errors.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Callable, Iterator

from devserver.errors import ApiError, ServerNotFound

from .client import ServerInfo

#: Seconds without a byte before the connection is taken as dead (the server sends a keep-alive
#: comment every 15 s).
READ_TIMEOUT = 60.0
#: Seconds between attempts to reconnect after the stream ended (a worker restart).
RETRY = 1.0


def parse(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, object]]]:
    """``(event, data)`` for each message of an SSE stream; comments and ids are skipped.

    >>> list(parse(iter(["retry: 1", "event: hello", 'data: {"worker": 3}', "", ": ka", ""])))
    [('hello', {'worker': 3})]
    """
    event, data = "message", ""
    for line in lines:
        if not line:
            if data:
                yield event, json.loads(data)
            event, data = "message", ""
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()


def follow(
    server: ServerInfo, on_open: Callable[[], None] | None = None
) -> Iterator[tuple[str, dict[str, object]]]:
    """Every message of the event stream, reconnecting after each end; ``on_open`` runs once the
    first connection said hello (so what the caller lists next is not missed)."""
    opened = False
    while True:
        for event, data in _one_connection(server):
            if event == "hello" and not opened:
                opened = True
                if on_open is not None:
                    on_open()
            yield event, data
        time.sleep(RETRY)


def _one_connection(server: ServerInfo) -> Iterator[tuple[str, dict[str, object]]]:
    try:
        with server.open("events", "text/event-stream", READ_TIMEOUT) as resp:
            lines = (raw.decode("utf-8", "replace").rstrip("\r\n") for raw in resp)
            yield from parse(lines)
    except urllib.error.HTTPError as exc:
        raise ApiError(f"the dev server refused the event stream ({exc.code})") from None
    except OSError as exc:
        raise ServerNotFound(f"lost the dev server at {server.url}: {exc}") from None
