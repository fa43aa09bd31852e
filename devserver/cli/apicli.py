"""``devserver reload / status / extensions / routes / errors``.

Each command calls the running dev server's JSON API (found as ``devserver.cli.client`` describes)
and prints a table for people, or the API's JSON with ``--json`` for scripts. Exit codes are
``devserver.errors.ExitCode``: 0 done, 2 unknown extension name, 4 no server reachable,
5 the API refused, 6 the reloaded code failed (the old code keeps serving).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from traitlets import Bool, Int, Unicode
from traitlets.config import Application

from devserver import __version__
from devserver.apijson import (
    ErrorJson,
    ErrorsBody,
    ExtensionJson,
    ExtensionsBody,
    FrontendJson,
    ReloadJson,
    RouteJson,
    RoutesBody,
    StatusJson,
)
from devserver.errors import ConfigError, ReloadFailed
from devserver.outcomes import is_failure, reload_line, where
from devserver.typedjson import conforms

from .client import ApiClient, find_server, token_for

MAX_CELL = 60


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as aligned columns; cells longer than MAX_CELL are cut, except in the last column.

    >>> print(table(["name", "state"], [["hello_ext", "loaded"], ["b", "failed"]]))
    NAME       STATE
    hello_ext  loaded
    b          failed
    """
    cells = [[_cell(v, last=i == len(headers) - 1) for i, v in enumerate(r)] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [[h.upper() for h in headers], *cells]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _cell(value: object, last: bool) -> str:
    text = "-" if value is None else str(value)
    return text if last or len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


class ApiCommand(Application):
    """Base of the commands that talk to a running dev server."""

    version = __version__
    url = Unicode(
        "", help="Base URL of the dev server (default: $DEVSERVER_URL, then the local one)."
    ).tag(config=True)
    token = Unicode("", help="Its token (default: $DEVSERVER_TOKEN, or found with the URL).").tag(
        config=True
    )
    json_output = Bool(False, help="Print the API's JSON instead of a table.").tag(config=True)
    port = Int(0, help="Port of a local dev server, as given to `devserver run --port`.").tag(
        config=True
    )
    host = Unicode("127.0.0.1", help="Host of the dev server, with --port.").tag(config=True)

    # traitlets reads these class attributes; they are never mutated.
    aliases = {
        "url": "ApiCommand.url",
        "token": "ApiCommand.token",
        "port": "ApiCommand.port",
        "host": "ApiCommand.host",
    }
    flags = {
        "json": ({"ApiCommand": {"json_output": True}}, "Print the API's JSON instead of a table.")
    }

    def client(self, name: str | None = None) -> ApiClient:
        """A client of the dev server meant here (the one with extension ``name``, if given)."""
        url = self.url
        if not url and self.port:  # like `devserver run --port`; the token from its runtime file
            url = f"http://{self.host}:{self.port}/"
        token = self.token or (token_for(url) if url and not self.url else "")
        return ApiClient(find_server(url or None, token or None, name=name))

    def emit(self, data: Mapping[str, object], human: str) -> None:
        print(json.dumps(data, indent=2) if self.json_output else human)


class StatusApp(ApiCommand):
    """Versions and counts of the running dev server."""

    name = "devserver status"
    description = __doc__ or ""

    def start(self) -> None:
        client = self.client()
        status = client.get_as("status", StatusJson)
        server = client.server
        shown: dict[str, object] = {"url": server.url, "pid": server.pid or "?", **status}
        if isinstance(status.get("started"), int | float):
            shown["started"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(status["started"]))
        if isinstance(status.get("kernels_kept"), list):
            shown["kernels_kept"] = ", ".join(status["kernels_kept"]) or "none"
        lines = [f"{key:<24}{value}" for key, value in shown.items()]
        frontends = frontends_of(client.get_as("extensions", ExtensionsBody)["extensions"])
        for name, frontend in frontends.items():
            lines.append(f"{'frontend ' + name:<24}{describe_frontend(frontend)}")
        self.emit({**status, "frontends": frontends} if frontends else status, "\n".join(lines))


def frontends_of(extensions: Sequence[ExtensionJson]) -> dict[str, FrontendJson]:
    """Each extension's frontend build, by extension name (those that have one)."""
    return {e["name"]: f for e in extensions if (f := e.get("frontend"))}


def describe_frontend(frontend: FrontendJson) -> str:
    """One line about a frontend build.

    >>> describe_frontend({"state": "failed", "last_build": None, "duration_ms": None,
    ...                    "errors": [{"file": "src/index.ts", "line": 3, "message": "TS1005"}],
    ...                    "reason": ""})
    'failed: src/index.ts:3 TS1005'
    """
    text = str(frontend["state"])
    built, took = frontend["last_build"], frontend["duration_ms"]
    if built:
        text += f", built {time.strftime('%H:%M:%S', time.localtime(built))}"
        if took is not None:
            text += f" in {took / 1000:.1f} s"
    errors = [
        f"{e['file']}:{e['line']} {e['message']}" if e["line"] else f"{e['file']} {e['message']}"
        for e in frontend["errors"]
    ]
    if errors:
        text += ": " + "; ".join(errors)
    elif frontend["reason"]:
        text += f" ({frontend['reason']})"
    return text


class ExtensionsApp(ApiCommand):
    """The extensions of the running dev server, their state, routes and errors."""

    name = "devserver extensions"
    description = __doc__ or ""

    def start(self) -> None:
        data = self.client().get_as("extensions", ExtensionsBody)
        rows = [
            [
                e["name"],
                e["state"],
                e["version"] or "-",
                len(e["routes"]),
                len(e["errors"]),
                e["source"],
            ]
            for e in data["extensions"]
        ]
        headers = ["name", "state", "version", "routes", "errors", "source"]
        self.emit(data, table(headers, rows))


class RoutesApp(ApiCommand):
    """Every route in routing order and the extension that owns it."""

    name = "devserver routes"
    description = __doc__ or ""
    extension = Unicode("", help="Only the routes of this extension ('-': the server's).").tag(
        config=True
    )
    aliases = {**ApiCommand.aliases, "extension": "RoutesApp.extension"}

    def start(self) -> None:
        data = self.client().get_as("routes", RoutesBody)
        wanted = [r for r in data["routes"] if self._wanted(r)]
        rows = [
            [
                r["order"],
                r["pattern"],
                r["extension"] or "(server)",
                ",".join(r["methods"]),
                "yes" if r["authenticated"] else "NO",
                _shadow_note(r),
                r["handler"],
            ]
            for r in wanted
        ]
        headers = ["#", "pattern", "extension", "methods", "auth", "note", "handler"]
        self.emit({"routes": wanted}, table(headers, rows))

    def _wanted(self, route: RouteJson) -> bool:
        return not self.extension or (route["extension"] or "-") == self.extension


def _shadow_note(route: RouteJson) -> str:
    culprit = route.get("shadowed_by")
    return "" if culprit is None else f"shadowed by #{culprit}"


class ErrorsApp(ApiCommand):
    """Load and reload errors, oldest first, with the file and line to open."""

    name = "devserver errors"
    description = __doc__ or ""
    traceback = Bool(False, help="Print each error's full traceback.").tag(config=True)
    flags = {
        **ApiCommand.flags,
        "traceback": ({"ErrorsApp": {"traceback": True}}, "Print full tracebacks."),
    }

    def start(self) -> None:
        data = self.client().get_as("errors", ErrorsBody)
        errors = data["errors"]
        if not errors:
            self.emit(data, "no errors")
            return
        rows = [_error_row(e) for e in errors]
        human = table(["extension", "phase", "state", "error", "where"], rows)
        if self.traceback:
            human += "".join(
                f"\n\n{e['extension']} ({e['phase']}):\n{e['traceback']}" for e in errors
            )
        self.emit(data, human)


def _error_row(error: ErrorJson) -> list[object]:
    state = "fixed" if error.get("resolved_at") else "open"
    message = f"{error['type']}: {error['message']}{_context(error)}"
    return [error["extension"], error["phase"], state, message, where(error)]


def _context(error: ErrorJson) -> str:
    """What a runtime error adds to its line: the request and how many times it happened.

    >>> _context({"request": "GET /x", "count": 3}), _context({"phase": "load"})
    (' [GET /x, 3 times]', '')
    """
    request = error.get("request")
    parts = [request] if request else []
    if error.get("count", 1) > 1:
        parts.append(f"{error['count']} times")
    return f" [{', '.join(parts)}]" if parts else ""


class ReloadApp(ApiCommand):
    """Hot-reload one extension now and print what changed, or why it failed.

    Usage: devserver reload NAME
    """

    name = "devserver reload"
    description = __doc__ or ""

    def start(self) -> None:
        if len(self.extra_args) != 1:
            raise ConfigError("usage: devserver reload NAME (one extension name)")
        name = self.extra_args[0]
        client = self.client(name)
        status, result = client.request("POST", f"extensions/{_quote(name)}/reload")
        if status == 404:
            known = [e["name"] for e in client.get_as("extensions", ExtensionsBody)["extensions"]]
            raise ConfigError(f"no extension named {name!r}; known: {', '.join(known) or 'none'}")
        if status >= 400 or not conforms(result, ReloadJson):
            raise ReloadFailed(f"the dev server could not reload {name!r}: {result}")
        reload = result
        self.emit(result, describe_reload(reload))
        error = reload["error"]
        if error is not None:
            raise ReloadFailed(f"{name} kept its previous code: {error['type']} at {where(error)}")


def describe_reload(result: ReloadJson) -> str:
    """What ``devserver reload`` prints for one reload result: its line, and for a failure
    where to look and the traceback."""
    line = reload_line(result)
    error = result["error"]
    if error is None or not is_failure(result):
        return line
    return f"{line}\n  at {where(error)}\n\n{error['traceback']}".rstrip()


def _quote(name: str) -> str:
    return quote(name, safe="")


if __name__ == "__main__":  # pragma: no cover - `python -m devserver.apicli` for debugging
    StatusApp.launch_instance(sys.argv[1:])
