"""``devserver requests`` and ``devserver logs``: the request log and an extension's log records.

Both print what the server kept, one line each, and with ``--follow`` go on printing what comes
on the event stream until interrupted (Ctrl-C), across worker restarts. ``--json`` prints the
API's JSON, or with ``--follow`` one JSON object per line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from traitlets import Bool, Int, Unicode

from devserver.apijson import ExtensionsBody, LogJson, LogsBody, RequestJson, RequestsBody
from devserver.errors import ConfigError
from devserver.typedjson import T, conforms

from .apicli import ApiCommand
from .follow import follow


def payload(event: dict[str, object], kind: type[T]) -> T | None:
    """The ``data`` of an event of the stream, if it is a ``kind``.

    >>> payload({"kind": "x", "data": {"logs": []}}, LogsBody), payload({"data": 1}, LogsBody)
    ({'logs': []}, None)
    """
    data = event.get("data")
    return data if isinstance(data, dict) and conforms(data, kind) else None


def clock(timestamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


def request_line(entry: RequestJson) -> str:
    """One request as the terminal shows it.

    >>> line = request_line({"time": 0, "method": "GET", "path": "/hello", "status": 200,
    ...     "duration_ms": 1.25, "extension": "hello_ext", "route": "/hello", "websocket": None})
    >>> print(line.split("  ", 1)[1])
    GET    200     1.2 ms  hello_ext  /hello  (route /hello)
    """
    ws = entry["websocket"]
    extra = ""
    if ws:
        state = "open" if ws["open"] else "closed"
        extra = f"  [ws {state}, {ws['messages_in']} in / {ws['messages_out']} out]"
    return (
        f"{clock(entry['time'])}  {entry['method']:<6} {entry['status']:<4} "
        f"{entry['duration_ms']:>6.1f} ms  {entry['extension']}  {entry['path']}  "
        f"(route {entry['route'] or '-'}){extra}"
    )


def log_line(record: LogJson) -> str:
    """One log record as the terminal shows it.

    >>> print(log_line({"time": 0, "level": "INFO", "logger": "x", "message": "hi",
    ...     "file": "/a/b.py", "line": 3}).split("  ", 1)[1])
    INFO     x: hi  (b.py:3)
    """
    where = f"{record['file'].rsplit('/', 1)[-1]}:{record['line']}"
    text = f"{record['logger']}: {record['message']}  ({where})"
    return f"{clock(record['time'])}  {record['level']:<8} {text}"


class FollowCommand(ApiCommand):
    """What ``requests`` and ``logs`` share: ``--follow`` and printing one item."""

    follow = Bool(False, help="Keep printing new entries as they come (Ctrl-C ends).").tag(
        config=True
    )
    flags = {
        **ApiCommand.flags,
        "follow": ({"FollowCommand": {"follow": True}}, "Keep printing new entries."),
        "f": ({"FollowCommand": {"follow": True}}, "Keep printing new entries."),
    }

    def show(self, item: Mapping[str, object], human: str) -> None:
        print(json.dumps(item) if self.json_output else human, flush=True)


class RequestsApp(FollowCommand):
    """The requests the dev server answered: method, status, time, owner, path, route.

    Usage: devserver requests [--extension NAME] [--status 5xx] [--follow] [--json]
    """

    name = "devserver requests"
    description = __doc__ or ""
    extension = Unicode("", help="Only requests to this extension ('server': the server's).").tag(
        config=True
    )
    status = Unicode("", help="Only this status class (5xx) or code (404).").tag(config=True)
    limit = Int(50, help="How many of the newest kept requests to print first.").tag(config=True)
    aliases = {
        **ApiCommand.aliases,
        "extension": "RequestsApp.extension",
        "status": "RequestsApp.status",
        "limit": "RequestsApp.limit",
    }

    def start(self) -> None:
        client = self.client()
        params = {k: v for k, v in (("extension", self.extension), ("status", self.status)) if v}
        last: dict[str, int] = {"id": 0}
        worker: dict[str, object] = {"pid": None}

        def print_kept() -> None:
            query = urlencode({**params, "limit": self.limit})
            data = client.get_as(f"requests?{query}", RequestsBody)
            if not self.follow and self.json_output:
                print(json.dumps(data, indent=2))
                return
            for entry in data["requests"]:
                self.show(entry, request_line(entry))
                last["id"] = max(last["id"], entry["id"])
            if not data["requests"] and not self.follow:
                print("no requests recorded")

        if not self.follow:
            print_kept()
            return
        for event, data in follow(client.server, on_open=print_kept):
            if event == "hello":
                if worker["pid"] is not None and data.get("worker") != worker["pid"]:
                    last["id"] = 0  # a new worker numbers its requests from 1 again
                worker["pid"] = data.get("worker")
            elif (
                event == "request"
                and (entry := payload(data, RequestJson))
                and self._wanted(entry, last["id"])
            ):
                last["id"] = entry["id"]
                self.show(entry, request_line(entry))

    def _wanted(self, entry: RequestJson, after: int) -> bool:
        status = self.status.lower()
        return (
            entry["id"] > after
            and (not self.extension or entry["extension"] == self.extension)
            and (not status or str(entry["status"]).startswith(status.rstrip("x")))
        )


class LogsApp(FollowCommand):
    """The log records an extension emitted (its own loggers, or logging calls in its files).

    Usage: devserver logs NAME [--follow] [--json]
    """

    name = "devserver logs"
    description = __doc__ or ""

    def start(self) -> None:
        if len(self.extra_args) != 1:
            raise ConfigError("usage: devserver logs NAME (one extension name)")
        name = self.extra_args[0]
        client = self.client()
        status, ext = client.request("GET", f"extensions/{quote(name, safe='')}")
        if status == 404:
            known = [e["name"] for e in client.get_as("extensions", ExtensionsBody)["extensions"]]
            raise ConfigError(f"no extension named {name!r}; known: {', '.join(known) or 'none'}")
        package = str(ext["name"])
        last = {"time": 0.0}

        def print_kept() -> None:
            data = client.get_as(f"extensions/{quote(package, safe='')}/logs", LogsBody)
            if not self.follow and self.json_output:
                print(json.dumps(data, indent=2))
                return
            for record in data["logs"]:
                self.show(record, log_line(record))
                last["time"] = max(last["time"], record["time"])
            if not data["logs"] and not self.follow:
                print(f"no log records from {package}")

        if not self.follow:
            print_kept()
            return
        for event, message in follow(client.server, on_open=print_kept):
            record = payload(message, LogJson) if event == "log" else None
            if record and record["extension"] == package and record["time"] > last["time"]:
                self.show(record, log_line(record))
