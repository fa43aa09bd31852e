"""What real extensions need beyond the edit cycle: live terminals across a reload, a restart
when only a fresh process can load the new code, routes of nbclassic's wildcard router."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from tests.conftest import TOKEN, DevServer, alive, children, wait_until
from tests.kernelclient import close_websocket

from .conftest import Start
from .cycle import API, edit_header, edit_snippet, extension
from .projects import replace_text

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


async def shell_echo(server: DevServer, name: str) -> str:
    """Open terminal ``name``'s websocket, run an echo, and return what came back."""
    url = f"ws://127.0.0.1:{server.port}/terminals/websocket/{name}?token={TOKEN}"
    ws = await websocket_connect(url)
    try:
        ws.write_message(json.dumps(["stdin", "echo devserver-$((6*7))\r"]))
        seen = ""
        while "devserver-42" not in seen:
            message = await asyncio.wait_for(ws.read_message(), 15)
            assert message is not None, f"the websocket closed; got {seen!r}"
            seen += "".join(str(part) for part in json.loads(message)[1:])
    finally:
        await close_websocket(ws)
    return seen


def worker_pid(server: DevServer) -> int:
    """The pid of the worker that answers now."""
    return int(server.get(f"{API}/status").json()["pid"])


SHELLS = {"bash", "sh", "dash", "zsh"}


def shell_children(pid: int) -> list[int]:
    """The children of ``pid`` that are shells: another short-lived child of the worker is no
    terminal, and may well be gone after the reload."""
    return [c for c in children(pid) if Path(f"/proc/{c}/comm").read_text().strip() in SHELLS]


def test_terminals_survive_a_reload_of_their_extension(
    real_project: Callable[[str], Path], start_on: Start
) -> None:
    """After jupyter_server_terminals reloads, its open terminal is listed with the same name and
    the same shell process, its websocket works, and a new terminal gets a new name."""
    server = start_on(real_project("jupyter_server_terminals"))
    name = server.client.post("api/terminals", json={}).json()["name"]
    worker = server.worker_pid()
    assert worker is not None
    shells = wait_until(lambda: shell_children(worker), what="the terminal's shell")
    reloaded = server.client.post(f"{API}/extensions/jupyter_server_terminals/reload").json()
    assert reloaded["ok"], reloaded
    assert [t["name"] for t in server.get("api/terminals").json()] == [name]
    assert all(alive(pid) for pid in shells), "the shell was stopped"
    assert "devserver-42" in asyncio.run(shell_echo(server, name))
    assert server.client.post("api/terminals", json={}).json()["name"] != name
    assert "kept the live TerminalManager" in server.log()


def test_process_state_makes_the_worker_restart_by_itself(
    real_project: Callable[[str], Path], start_on: Start
) -> None:
    """jupyter-resource-usage's prometheus metrics make an in-place reload fail; the new code
    loads in a fresh process, so the worker restarts by itself, says why, and the extension is
    marked restart-only; an error in the new code itself still keeps the old code serving."""
    root = real_project("jupyter_resource_usage")
    server = start_on(root)
    first = worker_pid(server)
    path = root / "jupyter_resource_usage" / "api.py"
    original = path.read_text(encoding="utf-8")
    replace_text(path, original + edit_snippet("ApiHandler", "1"))
    wait_until(lambda: edit_header(server, "api/metrics/v1") == "1", 120, what="the restart")
    assert worker_pid(server) != first
    server.wait_for_log("hot reload not possible for jupyter_resource_usage: DuplicateTimeseries:")
    assert "; restarted in " in server.log()
    assert "Duplicated timeseries" in (extension(server, "jupyter_resource_usage")["restart_only"])
    assert "restart-only" in server.get("_introspect/extensions").text

    second = worker_pid(server)
    replace_text(path, original + edit_snippet("ApiHandler", "1") + "raise RuntimeError('bad')\n")
    server.wait_for_log("jupyter_resource_usage fails in a fresh process too", timeout=120)
    assert worker_pid(server) == second
    assert edit_header(server, "api/metrics/v1") == "1"


def test_nbclassic_wildcard_routes_are_owned_and_swapped(
    real_project: Callable[[str], Path], start_on: Start
) -> None:
    """nbclassic's rules in tornado's wildcard router are listed as nbclassic's, once, and an
    edit of the handler behind one of them is served after a reload."""
    root = real_project("nbclassic")
    server = start_on(root)
    path = root / "nbclassic" / "terminal" / "handlers.py"
    original = path.read_text(encoding="utf-8")
    routes = server.get(f"{API}/routes").json()["routes"]
    wild = [r for r in routes if r["pattern"] in ("/terminals/(\\w+)", "/custom/(.*)")]
    assert [r["extension"] for r in wild] == ["nbclassic", "nbclassic"], wild
    replace_text(path, original + edit_snippet("TerminalHandler", "1"))
    wait_until(lambda: edit_header(server, "terminals/1") == "1", 60, what="the edit")
    after = server.get(f"{API}/routes").json()["routes"]
    assert len(after) == len(routes)


def test_a_reload_logs_its_steps_at_debug_level(
    real_project: Callable[[str], Path], start_on: Start
) -> None:
    """With the worker's log at DEBUG, a reload of jupyter-lsp logs its duration and the time of
    each step of the transaction, in the order they ran."""
    server = start_on(real_project("jupyter_lsp"), args=("--ServerApp.log_level=DEBUG",))
    reloaded = server.client.post(f"{API}/extensions/jupyter_lsp/reload").json()
    assert reloaded["ok"], reloaded
    server.wait_for_log("jupyter_lsp: reloaded in ")
    line = next(x for x in server.log().splitlines() if "jupyter_lsp: reloaded in " in x)
    steps = re.findall(r"(\w+) \d+\.\d", line.partition(" ms: ")[2])
    # No "stop": jupyter-lsp is a module extension, with no app to stop.
    expected = ["group", "purge", "import", "link", "load", "carry", "swap", "start", "specs"]
    assert steps == expected, line
