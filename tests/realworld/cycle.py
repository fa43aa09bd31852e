"""The edit cycle every real extension goes through: listed, edited, broken, fixed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.conftest import DevServer, wait_until

from .projects import EDIT_HEADER, replace_text

API = "_introspect/api"
SYNTAX_ERROR = "def broken_by_the_test(:\n"


def edit_snippet(handler: str, tag: str) -> str:
    """Code appended to a handler module: the handler's responses carry a header saying ``tag``."""
    return (
        f"\n\n_devserver_test_base = {handler}.set_default_headers\n\n\n"
        "def _devserver_test_headers(self):\n"
        "    _devserver_test_base(self)\n"
        f"    self.set_header({EDIT_HEADER!r}, {tag!r})\n\n\n"
        f"{handler}.set_default_headers = _devserver_test_headers\n"
    )


def extension(server: DevServer, name: str) -> dict[str, Any]:
    response = server.get(f"{API}/extensions/{name}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def assert_routes_owned_once(server: DevServer, name: str, handler: str) -> int:
    """Every route of the server is listed once; ``handler`` is among ``name``'s own routes."""
    routes = server.get(f"{API}/routes").json()["routes"]
    keys = Counter((r["host"], r["pattern"], r["handler"], r["extension"]) for r in routes)
    duplicated = [k for k, n in keys.items() if n > 1]
    assert not duplicated, f"routes listed twice: {duplicated}"
    own = [r for r in routes if r["extension"] == name]
    assert any(r["handler"].endswith(f".{handler}") for r in own), own
    unowned = [r for r in routes if r["extension"] is None and r["handler"].endswith(f".{handler}")]
    assert not unowned, f"{handler} routes with no owner: {unowned}"
    return len(own)


def edit_header(server: DevServer, url: str) -> str | None:
    return server.get(url).headers.get(EDIT_HEADER)


def run_cycle(
    server: DevServer, root: Path, name: str, module: str, handler: str, url: str
) -> None:
    """Listed with its routes; a handler edit served with a kernel kept; a syntax error keeps the
    old code with file:line; the fix recovers; the routes are still listed once each."""
    assert extension(server, name)["state"] == "loaded", server.log()
    routes_at_start = assert_routes_owned_once(server, name, handler)
    kernel = server.client.post("api/kernels", json={}).json()["id"]

    path = root / module
    original = path.read_text(encoding="utf-8")
    replace_text(path, original + edit_snippet(handler, "1"))
    wait_until(lambda: edit_header(server, url) == "1", 60, what=f"{name}'s edit to be served")
    assert server.get(f"api/kernels/{kernel}").status_code == 200, "the kernel was lost"

    broken = original + edit_snippet(handler, "1") + SYNTAX_ERROR
    replace_text(path, broken)
    line = broken.count("\n")

    def failed() -> dict[str, Any] | None:
        last = extension(server, name)["last_reload"]
        return last if last and not last["ok"] and last["error"]["type"] == "SyntaxError" else None

    error = wait_until(failed, 60, what=f"{name}'s syntax error to be reported")["error"]
    assert (Path(error["file"]).name, error["line"]) == (path.name, line), error
    assert edit_header(server, url) == "1", "the old code stopped serving"

    replace_text(path, original + edit_snippet(handler, "2"))
    wait_until(lambda: edit_header(server, url) == "2", 60, what=f"{name} to recover")
    assert extension(server, name)["last_reload"]["ok"]
    assert assert_routes_owned_once(server, name, handler) == routes_at_start
    assert server.get(f"api/kernels/{kernel}").status_code == 200, "the kernel was lost"
