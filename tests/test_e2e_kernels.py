"""End to end: kernels and sessions outlive every worker restart, and never the supervisor."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import DevServer, Factory, alive, children, wait_until
from .kernelclient import RefusalWatch, evaluate_ws, execute_zmq, kernel_pids
from .test_e2e_reload import run_cli

pytestmark = pytest.mark.e2e

CONFIG = "hello_ext/jupyter-config/jupyter_server_config.d/hello_ext.json"
#: An extension whose handlers module registers a prometheus metric at import: a reload fails
#: with ``DuplicateTimeseries`` in the worker, and loads in a fresh process (restart-only).
REGISTERED = Path(__file__).parent / "fixtures" / "registered_ext"


def start_kernel_with_state(server: DevServer) -> tuple[str, int, str]:
    """A kernel with ``x = 42`` set over its ZMQ channels, and a session on it:
    (kernel id, kernel pid, session id)."""
    kernel_id = server.client.post("api/kernels", json={"name": "python3"}).json()["id"]
    execute_zmq(server.runtime_dir / f"kernel-{kernel_id}.json", "x = 42")
    notebook = {"path": "a.ipynb", "name": "a.ipynb", "type": "notebook"}
    session = server.client.post("api/sessions", json={**notebook, "kernel": {"id": kernel_id}})
    session = session.json()
    assert session["kernel"]["id"] == kernel_id
    (pid,) = kernel_pids(server.proc.pid)
    return kernel_id, pid, session["id"]


def restart_by_config_edit(server: DevServer) -> None:
    server.edit(CONFIG, "true", "true ")


def restart_by_pyproject_edit(server: DevServer) -> None:
    # A valid edit: a second `description` key would make the file invalid TOML, which restarts
    # nothing (tests/faults/test_unreadable_config.py).
    server.edit("hello_ext/pyproject.toml", 'description = "', 'description = "Edited. ')


def restart_by_worker_sigkill(server: DevServer) -> None:
    worker = server.worker_pid()
    assert worker is not None
    os.kill(worker, signal.SIGKILL)


RESTARTS: dict[str, Callable[[DevServer], None]] = {
    "config-json-edit": restart_by_config_edit,
    "pyproject-edit": restart_by_pyproject_edit,
    "worker-sigkill": restart_by_worker_sigkill,
}


@pytest.mark.parametrize("how", list(RESTARTS))
def test_kernel_and_session_survive_worker_restart(devserver_factory: Factory, how: str) -> None:
    """After a worker restart the same kernel (id, pid, x == 42) and its session are served by
    the new worker, and no request made meanwhile is refused."""
    server = devserver_factory("hello_ext")
    kernel_id, pid, session_id = start_kernel_with_state(server)
    worker = server.worker_pid()
    with RefusalWatch(server) as watch:
        RESTARTS[how](server)
        wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
        server.wait_for_log("kept 1 kernel and 1 session across the restart")
    assert watch.failures == []
    assert watch.answered > 0
    assert [k["id"] for k in server.get("api/kernels").json()] == [kernel_id]
    assert kernel_pids(server.proc.pid) == [pid]
    assert evaluate_ws(server, kernel_id, "x") == "42"
    sessions = server.get("api/sessions").json()
    assert [(s["id"], s["kernel"]["id"]) for s in sessions] == [(session_id, kernel_id)]
    assert server.get("_introspect/api/status").json()["kernels_kept"] == [kernel_id]


def test_kernel_survives_a_reload_that_falls_back_to_a_restart(
    devserver_factory: Factory,
) -> None:
    """A reload that fails only because the worker holds the previous version's state restarts
    the worker by itself, and the kernel is kept: same id, same pid, x == 42, same session."""
    server = devserver_factory(str(REGISTERED))
    assert server.get("registered").json() == {"message": "first"}
    kernel_id, pid, session_id = start_kernel_with_state(server)
    worker = server.worker_pid()
    server.edit("registered_ext/registered_ext/handlers.py", '"first"', '"second"')
    wait_until(lambda: server.worker_pid() not in (None, worker), 120, what="a new worker")
    server.wait_for_log("kept 1 kernel and 1 session across the restart")
    server.wait_for_log("hot reload not possible for registered_ext: DuplicateTimeseries:")
    assert server.get("registered").json() == {"message": "second"}
    assert [k["id"] for k in server.get("api/kernels").json()] == [kernel_id]
    assert kernel_pids(server.proc.pid) == [pid]
    assert evaluate_ws(server, kernel_id, "x") == "42"
    sessions = server.get("api/sessions").json()
    assert [(s["id"], s["kernel"]["id"]) for s in sessions] == [(session_id, kernel_id)]


def test_adopted_kernel_interrupts_restarts_and_shuts_down(devserver_factory: Factory) -> None:
    """A kept kernel is interrupted, restarted (a new process under the same id) and shut down
    through the REST API of the new worker; its connection file goes with it."""
    server = devserver_factory("hello_ext")
    kernel_id, pid, _ = start_kernel_with_state(server)
    restart_by_config_edit(server)
    server.wait_for_log("kept 1 kernel")
    assert server.client.post(f"api/kernels/{kernel_id}/interrupt").status_code == 204
    assert server.client.post(f"api/kernels/{kernel_id}/restart", timeout=60).status_code == 200
    wait_until(lambda: not alive(pid), what="the old kernel process to end")
    (new_pid,) = wait_until(lambda: kernel_pids(server.proc.pid), what="the restarted kernel")
    assert new_pid != pid
    assert evaluate_ws(server, kernel_id, "'x' in globals()") == "False"
    assert server.client.delete(f"api/kernels/{kernel_id}").status_code == 204
    wait_until(lambda: not alive(new_pid), what="the kernel to shut down")
    assert not (server.runtime_dir / f"kernel-{kernel_id}.json").exists()


def test_supervisor_sigkill_leaves_no_kernel(devserver_factory: Factory) -> None:
    """SIGKILL of the supervisor: its kernels are gone within 5 s."""
    server = devserver_factory("hello_ext")
    _, pid, _ = start_kernel_with_state(server)
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(10)
    wait_until(lambda: not alive(pid), timeout=5, what="the kernel to end with the supervisor")


def test_bad_kept_state_is_dropped_with_one_line_each(devserver_factory: Factory) -> None:
    """A kernel whose connection file is gone, one that died while no worker ran, and a session
    table that cannot be read: one line each, and the new worker serves."""
    server = devserver_factory("hello_ext")
    first, pid_first, _ = start_kernel_with_state(server)
    second = server.client.post("api/kernels", json={"name": "python3"}).json()["id"]
    pid_second = next(p for p in kernel_pids(server.proc.pid) if p != pid_first)
    worker = server.worker_pid()
    assert worker is not None
    state = next(server.runtime_dir.glob("devserver-*.d"))
    standby = wait_until(lambda: standby_pid(server), what="a standby worker")
    (server.runtime_dir / f"kernel-{first}.json").unlink()
    (state / "sessions.db").write_bytes(b"garbage, not a database")
    os.kill(standby, signal.SIGSTOP)  # the next worker waits until the world has changed
    os.kill(worker, signal.SIGKILL)
    server.wait_for_log("the worker exited (code -9)")
    os.kill(pid_second, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{pid_second}").exists(), what="the kernel to be reaped")
    os.kill(standby, signal.SIGCONT)
    wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
    server.wait_for_log("kept 0 kernels and 0 sessions")
    log = server.log()
    assert f"kernel {first} (pid {pid_first}) cannot be reached through" in log
    assert f"kernel {second} exited (code -9) while no worker ran" in log
    assert "the session table" in log
    assert "cannot be read (not an SQLite database)" in log
    assert server.get("api/kernels").json() == []
    assert server.get("api/sessions").json() == []
    wait_until(lambda: not alive(pid_first), what="the unreachable kernel to be stopped")
    assert (state / "sessions.db").stat().st_mode & 0o077 == 0


def test_stop_ends_kept_kernels_and_the_private_folder(
    devserver_factory: Factory, isolated_env: dict[str, str]
) -> None:
    """`devserver status` and the dashboard list the kernel kept by a restart; SIGTERM then shuts
    it down and removes the private folder."""
    server = devserver_factory("hello_ext")
    kernel_id, pid, _ = start_kernel_with_state(server)
    restart_by_config_edit(server)
    server.wait_for_log("kept 1 kernel")
    env = {**isolated_env, "DEVSERVER_URL": server.url, "DEVSERVER_TOKEN": server.token}
    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stderr
    assert re.search(rf"^kernels_kept\s+{kernel_id}$", status.stdout, re.MULTILINE)
    assert f"kept across the last restart: {kernel_id}" in server.get("_introspect/").text
    started = time.monotonic()
    assert server.stop() == 0
    assert not alive(pid)
    assert time.monotonic() - started < 20
    assert list(server.runtime_dir.glob("devserver-*.d")) == []
    assert list(server.runtime_dir.glob("kernel-*.json")) == []


def test_private_folder_is_owner_only(devserver_factory: Factory) -> None:
    """The supervisor's folder holding the session table is readable by its owner only."""
    server = devserver_factory("hello_ext")
    (state,) = server.runtime_dir.glob("devserver-*.d")
    assert state.stat().st_mode & 0o777 == 0o700
    assert Path(state / "sessions.db").exists()


def standby_pid(server: DevServer) -> int | None:
    """The supervisor's worker process that is not serving: the standby."""
    worker = server.worker_pid()
    for pid in children(server.proc.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if pid != worker and alive(pid) and b"devserver.agent" in cmdline:
            return pid
    return None


def test_restart_is_served_by_the_standby_worker(devserver_factory: Factory) -> None:
    """A restart is served by the standby worker started ahead (jupyter_server imported), and a
    new standby is started for the next restart."""
    server = devserver_factory("hello_ext")
    standby = wait_until(lambda: standby_pid(server), what="a standby worker")
    restart_by_config_edit(server)
    wait_until(lambda: server.worker_pid() == standby, what="the standby to serve")
    wait_until(lambda: standby_pid(server) not in (None, standby), what="the next standby")
    server.wait_for_log("worker restarted in")


def test_restarts_reset_no_request_of_a_keep_alive_client(devserver_factory: Factory) -> None:
    """Eight worker restarts under a client that polls every 20 ms on one keep-alive connection:
    every request is answered (a stopping worker drains its connections before it exits; it
    used to reset the request of 6 restarts in 8)."""
    server = devserver_factory("hello_ext")
    with RefusalWatch(server) as watch:
        for _ in range(8):
            restart_and_wait_for_answers(server, watch)
    assert watch.failures == []


def restart_and_wait_for_answers(server: DevServer, watch: RefusalWatch) -> None:
    worker = server.worker_pid()
    restart_by_config_edit(server)
    wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
    answered = watch.answered
    wait_until(lambda: watch.answered > answered + 5, what="the new worker to answer")
