"""`docker compose up` runs the dev server: tested against a real engine, through 127.0.0.1 only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from devserver.cli.containers import find_container_server

from ..conftest import wait_until
from ..kernelclient import run_ws
from .conftest import StackFactory
from .stack import REPO, TOKEN, Stack, run

pytestmark = [pytest.mark.container, pytest.mark.timeout(900)]

HELLO = "hello_ext/hello_ext/handlers.py"


def test_service_is_healthy_and_asks_for_the_token(shared_stack: Stack) -> None:
    """The container reports healthy, and the introspection API answers only with the token."""
    assert shared_stack.inspect("{{.State.Health.Status}}") == "healthy"
    status = shared_stack.client.get("_introspect/api/status")
    assert status.status_code == 200
    assert status.json()["extensions"] >= 3
    # A fresh client: the shared one keeps the login cookie the token request earned.
    anonymous = httpx.get(shared_stack.url + "_introspect/api/status", timeout=10)
    assert anonymous.status_code in (401, 403)


def test_port_is_published_on_loopback_only(shared_stack: Stack) -> None:
    """The server's port is published on the host's 127.0.0.1, not on every interface."""
    bindings = shared_stack.inspect(
        '{{range (index .NetworkSettings.Ports "8888/tcp")}}{{.HostIp}} {{end}}'
    )
    assert bindings.split() == ["127.0.0.1"]


def processes(stack: Stack) -> list[tuple[int, str, str]]:
    """(pid, uid, command line) of every process in the stack's container, as the host sees them."""
    table = run("docker", "top", stack.container(), "-o", "pid,uid,args").splitlines()[1:]
    return [(int(pid), uid, args) for pid, uid, args in (line.split(None, 2) for line in table)]


def kernel_pids(stack: Stack) -> set[int]:
    return {pid for pid, _, args in processes(stack) if "ipykernel" in args}


def test_no_process_runs_as_root(shared_stack: Stack) -> None:
    """Every process in the container, init and supervisor included, runs as the build's UID."""
    found = processes(shared_stack)
    assert any("devserver run" in args for _, _, args in found), found
    assert {uid for _, uid, _ in found} == {shared_stack.image.env["DEVSERVER_UID"]}, found
    assert shared_stack.image.env["DEVSERVER_UID"] != "0"


def test_files_created_in_the_bind_mount_belong_to_the_host_user(shared_stack: Stack) -> None:
    """A notebook the server creates through the contents API is owned by the host's UID/GID."""
    created = shared_stack.client.post("api/contents", json={"type": "notebook"})
    assert created.status_code == 201, created.text
    path = shared_stack.extensions / created.json()["path"]
    assert path.is_file()
    owner = (path.stat().st_uid, path.stat().st_gid)
    assert owner == (
        int(shared_stack.image.env["DEVSERVER_UID"]),
        int(shared_stack.image.env["DEVSERVER_GID"]),
    )
    assert owner == (shared_stack.extensions.stat().st_uid, shared_stack.extensions.stat().st_gid)


def test_host_edit_hot_reloads_and_kernel_survives(shared_stack: Stack) -> None:
    """Editing a bind-mounted handler on the host serves the new code; a running kernel lives on."""
    client = shared_stack.client
    kernel = client.post("api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    kernel_pid = wait_until(
        lambda: kernel_pids(shared_stack), timeout=60, what="the kernel process"
    )
    assert client.get("hello").json()["message"] == "Hello, world!"

    handlers = shared_stack.extensions / HELLO
    handlers.write_text(handlers.read_text().replace('GREETING = "Hello"', 'GREETING = "Howdy"'))
    wait_until(lambda: client.get("hello").json().get("message") == "Howdy, world!",
               timeout=30, what="the edit to be served")  # fmt: skip

    after = client.get(f"api/kernels/{kernel_id}")
    assert after.status_code == 200
    assert after.json()["execution_state"] != "dead"
    assert kernel_pids(shared_stack) == kernel_pid, "the kernel process was replaced"
    last_reload = client.get("_introspect/api/extensions/hello_ext").json()["last_reload"]
    assert last_reload
    assert last_reload["mode"] == "hot"


def test_discovery_finds_the_stack_through_the_engine(shared_stack: Stack) -> None:
    """find_container_server() returns the stack's host URL and token, read from the engine."""
    assert find_container_server(REPO) == (shared_stack.url, TOKEN)


def test_cli_on_the_host_reloads_without_flags(shared_stack: Stack, tmp_path: Path) -> None:
    """`devserver reload hello_ext` on the host finds the container and reloads in it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEVSERVER_", "JUPYTER_"))}
    # No runtime file of a dev server on the host may be found first: only the container.
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    done = subprocess.run(
        [sys.executable, "-m", "devserver", "reload", "hello_ext"],
        capture_output=True, text=True, timeout=60, env=env, cwd=REPO,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hello_ext" in done.stdout


def test_stop_is_quick_and_the_supervisor_shuts_down_cleanly(stack_factory: StackFactory) -> None:
    """`docker compose stop` takes seconds, exits 0, and the supervisor logs a clean shutdown."""
    stack = stack_factory()
    kernel = stack.client.post("api/kernels", json={"name": "python3"})
    assert kernel.status_code == 201
    seconds = stack.stop()
    assert seconds < 10, f"docker compose stop took {seconds:.1f} s"
    assert stack.inspect("{{.State.ExitCode}}") == "0"
    assert "clean shutdown" in stack.logs()


def test_base_url_is_respected_by_server_and_healthcheck(stack_factory: StackFactory) -> None:
    """With a base URL the service still turns healthy and serves under that prefix."""
    stack = stack_factory(base_url="/dev%40box/")
    assert stack.inspect("{{.State.Health.Status}}") == "healthy"
    assert stack.client.get("_introspect/api/status").status_code == 200


def test_polling_is_switched_on_from_the_environment(stack_factory: StackFactory) -> None:
    """With DEVSERVER_POLL=1 (for Docker Desktop) the container polls and still hot-reloads."""
    stack = stack_factory(settings={"DEVSERVER_POLL": "1"})
    assert "DEVSERVER_POLL=1" in stack.inspect("{{range .Config.Env}}{{.}} {{end}}").split()
    handlers = stack.extensions / HELLO
    handlers.write_text(handlers.read_text().replace('GREETING = "Hello"', 'GREETING = "Polled"'))
    wait_until(lambda: stack.client.get("hello").json().get("message") == "Polled, world!",
               timeout=30, what="the edit to be served while polling")  # fmt: skip


def test_printed_urls_are_the_hosts(shared_stack: Stack) -> None:
    """The server prints the URL a user opens on the host, not the container's hostname."""
    assert f"http://127.0.0.1:{shared_stack.port}/" in shared_stack.logs()


def test_kernel_and_its_state_survive_a_worker_restart(stack_factory: StackFactory) -> None:
    """In the container too, a config edit restarts the worker and the kernel is kept: same id,
    same process, its variable still set."""
    stack = stack_factory()
    kernel_id = stack.client.post("api/kernels", json={"name": "python3"}).json()["id"]
    run_ws(stack.url, TOKEN, kernel_id, "x = 42", timeout=60)
    before = kernel_pids(stack)
    assert len(before) == 1
    config = stack.extensions / "hello_ext/jupyter-config/jupyter_server_config.d/hello_ext.json"
    config.write_text(config.read_text() + " ")
    wait_until(lambda: "kept 1 kernel" in stack.logs(), timeout=60, what="the restart")
    assert [k["id"] for k in stack.client.get("api/kernels").json()] == [kernel_id]
    assert kernel_pids(stack) == before
    assert run_ws(stack.url, TOKEN, kernel_id, "", "x", timeout=60) == "42"
