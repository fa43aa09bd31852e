"""Find a running dev server and call its JSON API.

Where the server is, first found wins:

1. ``--url`` / ``--token`` (the token may also come from ``DEVSERVER_TOKEN``);
2. the environment: ``DEVSERVER_URL`` and ``DEVSERVER_TOKEN``;
3. the supervisor's runtime files, ``devserver-<pid>.json`` in Jupyter's runtime folder,
   skipping those whose process is gone; of several, the one ``choose()`` picks (its projects
   contain the current folder, or it has the extension named);
4. a container running the dev server (``devserver.cli.containers.find_container_server()``).

Only the standard library is used: the CLI must work where only the dev server is installed.
"""

from __future__ import annotations

import json
import os
import urllib.error
from collections.abc import Mapping
from dataclasses import dataclass, replace
from http.client import HTTPResponse
from pathlib import Path

from devserver.cli import containers
from devserver.errors import ApiError, ServerNotFound
from devserver.runtime import PATTERN, RuntimeInfo, runtime_folder
from devserver.typedjson import T, conforms

from .choose import choose
from .opener import open_url

API = "_introspect/api/"

NOT_FOUND_HELP = (
    "no running dev server found: start one with `devserver run`, or pass --url and --token "
    "(or set DEVSERVER_URL and DEVSERVER_TOKEN)"
)


@dataclass(frozen=True)
class ServerInfo:
    """Where a dev server listens (``url`` includes its base_url) and how to log in."""

    url: str
    token: str
    found_by: str
    #: The supervisor's pid, when a runtime file said it.
    pid: int | None = None

    @property
    def api(self) -> str:
        return self.url.rstrip("/") + "/" + API

    def open(self, path: str, accept: str, timeout: float, method: str = "GET") -> HTTPResponse:
        """Call ``path`` below the API with this server's token (``opener.open_url``'s errors
        pass through); ServerNotFound when the URL is not http(s)."""
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        return open_url(self.api + path.lstrip("/"), headers, timeout, method)


def find_server(
    url: str | None = None,
    token: str | None = None,
    environ: Mapping[str, str] | None = None,
    runtime_dir: Path | None = None,
    name: str | None = None,
) -> ServerInfo:
    """The server the CLI should talk to (for extension ``name``); raises ServerNotFound with
    what to do, or ConfigError listing the servers when it cannot tell which one."""
    env = os.environ if environ is None else environ
    token = token or env.get("DEVSERVER_TOKEN") or None
    if url:
        return ServerInfo(url, token or "", "--url")
    if env.get("DEVSERVER_URL"):
        return ServerInfo(env["DEVSERVER_URL"], token or "", "DEVSERVER_URL")
    found = from_runtime_files(runtime_dir or runtime_folder(), name) or from_container()
    if found is None:
        raise ServerNotFound(NOT_FOUND_HELP)
    return replace(found, token=token) if token else found


def from_runtime_files(folder: Path, name: str | None = None) -> ServerInfo | None:
    """The live supervisor's runtime file in ``folder`` meant from here, if any."""
    files = sorted(folder.glob(PATTERN), key=_mtime, reverse=True)
    live = [
        (path, info)
        for path, info in ((p, _read_json(p)) for p in files)
        if info and _alive(info["pid"]) and info["url"]
    ]
    if not live:
        return None
    path, info = choose(live, Path.cwd(), name)
    return ServerInfo(info["url"], info.get("token", ""), str(path), info["pid"])


def token_for(url: str, folder: Path | None = None) -> str:
    """The token of the live dev server at ``url`` from its runtime file, or ``""``."""
    for path in (folder or runtime_folder()).glob("devserver-*.json"):
        info = _read_json(path)
        if info and _alive(info["pid"]) and info["url"].rstrip("/") == url.rstrip("/"):
            return info.get("token", "")
    return ""


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read_json(path: Path) -> RuntimeInfo | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # a file being written or removed right now: the next one may do
    return data if isinstance(data, dict) and conforms(data, RuntimeInfo) else None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def from_container() -> ServerInfo | None:
    """A dev server in a running container of the local Docker engine, if there is one."""
    found = containers.find_container_server()
    if found is None:
        return None
    url, token = found
    return ServerInfo(url, token or "", "container")


class ApiClient:
    """Calls to one server's ``/_introspect/api/``; every answer is JSON.

    >>> client = ApiClient(ServerInfo("http://127.0.0.1:8888/", "t", "--url"))  # doctest: +SKIP
    >>> client.get("status")["version"]  # doctest: +SKIP
    '0.1.0'
    """

    def __init__(self, server: ServerInfo, timeout: float = 60.0) -> None:
        self.server = server
        self.timeout = timeout

    def get(self, path: str) -> dict[str, object]:
        status, body = self.request("GET", path)
        if status >= 400:
            raise ApiError(self._failure(status, body))
        return body

    def get_as(self, path: str, kind: type[T]) -> T:
        """``get``, for an answer the API declares as the TypedDict ``kind`` (docs/api.md)."""
        body = self.get(path)
        if not conforms(body, kind):
            raise ApiError(
                f"the dev server's answer to GET {path} is not a {kind.__name__} ({sorted(body)}):"
                " is it another version of jupyter-devserver?"
            )
        return body

    def request(self, method: str, path: str) -> tuple[int, dict[str, object]]:
        """``(status, JSON body)``; ServerNotFound when unreachable, ApiError when refused."""
        try:
            with self.server.open(path, "application/json", self.timeout, method) as resp:
                return resp.status, _json(resp.read())
        except urllib.error.HTTPError as exc:
            status, body = exc.code, _json(exc.read())
        except OSError as exc:
            raise ServerNotFound(
                f"cannot reach the dev server at {self.server.url} ({self.server.found_by}): {exc}"
            ) from None
        if status == 403:
            raise ApiError(self._refusal(body))
        return status, body

    def _refusal(self, body: dict[str, object]) -> str:
        """A 403 is either the token or the server's authorizer (``@authorized``): say which."""
        detail = str(body.get("error") or body.get("message") or "")
        if "not authorized" in detail:
            return (
                f"the dev server at {self.server.url} accepted the token, but its authorizer "
                f"(ServerApp.authorizer_class) refused the request: {detail}"
            )
        return (
            f"the dev server at {self.server.url} refused the request (403): "
            "pass the right --token or set DEVSERVER_TOKEN"
        )

    def _failure(self, status: int, body: dict[str, object]) -> str:
        detail = body.get("error") or body.get("message") or ""
        return f"the dev server answered {status}: {detail}".rstrip(": ")


def _json(raw: bytes) -> dict[str, object]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {"error": raw[:200].decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {"data": data}
