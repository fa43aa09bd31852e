"""A new worker takes over the kernels and sessions of the one before; a stopping worker leaves
them behind.

``adopt`` runs before the worker accepts its first request (so no request sees a kernel list
without them): it asks the supervisor for the kernels it runs and gives each the bookkeeping
``MappingKernelManager`` gives a kernel it started (activity watching, the "dead" callback, the
culler, the running-kernels metric), under the same id. A kernel whose connection file is gone or
unreadable cannot be reached: it is stopped and dropped with one line. Sessions live in a SQLite
file in the supervisor's private folder (``sessions_database``); rows whose kernel was not kept
are dropped, and a table that cannot be read is moved aside with one line: the worker starts
regardless.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jupyter_client.kernelspec import NoSuchKernel
from jupyter_server._tz import isoformat, utcnow
from jupyter_server.prometheus.metrics import KERNEL_CURRENTLY_RUNNING_TOTAL
from jupyter_server.serverapp import ServerApp
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from jupyter_server.services.sessions.sessionmanager import SessionManager
from traitlets.config import Config

from devserver.kernel_messages import DetachRequest, KernelJson, KernelState
from devserver.protocol import KeptJson

from .kernels import KernelChannelError, SupervisedProvisioner, SupervisorLink

log = logging.getLogger("devserver.agent")


@dataclass
class Kept:
    """What a worker took over from the one before."""

    kernels: list[str] = field(default_factory=list)
    sessions: int = 0
    #: One line per kernel or session that could not be kept, and why.
    dropped: list[str] = field(default_factory=list)
    #: Terminals the previous worker had open: they end with it.
    terminals_closed: int = 0

    def to_json(self) -> KeptJson:
        return KeptJson(
            kernels=self.kernels,
            sessions=self.sessions,
            dropped=self.dropped,
            terminals_closed=self.terminals_closed,
        )


async def adopt(app: ServerApp, link: SupervisorLink) -> Kept:
    """Adopt every kernel the supervisor still runs into ``app.kernel_manager``."""
    kept = Kept()
    try:
        reply = await link.request({"op": "list"})
    except (KernelChannelError, TimeoutError) as exc:
        log.warning("devserver: could not list the kept kernels (%s); starting without them", exc)
        return kept
    kept.terminals_closed = reply.get("terminals", 0)
    for gone in reply.get("dropped", []):
        kept.dropped.append(
            f"kernel {gone['kernel_id']} exited (code {gone['code']}) while no worker ran"
        )
    for record in reply.get("kernels", []):
        try:
            adopt_one(app.kernel_manager, record)
        except (OSError, ValueError, KeyError, NoSuchKernel) as exc:
            line = (
                f"kernel {record['kernel_id']} (pid {record['pid']}) cannot be reached through "
                f"{record['connection_file']} ({type(exc).__name__}: {exc}): stopped and dropped"
            )
            log.warning("devserver: %s", line)
            kept.dropped.append(line)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(record["pid"], signal.SIGTERM)
        else:
            kept.kernels.append(record["kernel_id"])
    kept.sessions, dropped = prune_sessions(app.session_manager, set(kept.kernels))
    if dropped:
        kept.dropped.append(f"{dropped} session(s) whose kernel was not kept")
    return kept


def adopt_one(mkm: MappingKernelManager, record: KernelJson) -> None:
    """One running kernel into a MappingKernelManager, as if it had started it."""
    kernel_id = record["kernel_id"]
    km = mkm.kernel_manager_factory(
        connection_file=record["connection_file"],
        parent=mkm,
        log=mkm.log,
        kernel_name=record["kernel_name"],
        kernel_spec_manager=mkm.kernel_spec_manager,
    )
    km.load_connection_file()
    km.kernel_id = kernel_id
    km.provisioner = SupervisedProvisioner(
        kernel_id=kernel_id, kernel_spec=km.kernel_spec, parent=km
    )
    km.provisioner.adopt(record["pid"], km.get_connection_info(), record["cwd"])
    km._launch_args = {"env": dict(record["env"]), "cwd": record["cwd"]}  # restart relaunches
    km._connection_file_written = True  # a shutdown through the API removes it
    km._attempted_start = True
    km.ready.set_result(None)
    km.start_restarter()
    km._connect_control_socket()
    mkm._kernels[kernel_id] = km
    mkm._kernel_connections[kernel_id] = 0
    mkm._kernel_ports[kernel_id] = km.ports
    mkm.start_watching_activity(kernel_id)
    state = record["state"]
    km.execution_state = state.get("execution_state") or "idle"
    km.last_activity = _parse_time(state.get("last_activity")) or utcnow()
    mkm.add_restart_callback(kernel_id, lambda: mkm._handle_kernel_died(kernel_id), "dead")
    KERNEL_CURRENTLY_RUNNING_TOTAL.labels(type=km.kernel_name).inc()
    if not mkm._initialized_culler:
        mkm.initialize_culler()


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


async def detach(app: ServerApp, link: SupervisorLink) -> int:
    """Let go of every kernel without ending it, for the next worker; the number let go."""
    mkm = app.kernel_manager
    states: dict[str, KernelState] = {}
    for kernel_id in list(mkm._kernels):
        km = mkm._kernels[kernel_id]
        states[kernel_id] = {
            "execution_state": km.execution_state,
            "last_activity": isoformat(km.last_activity) if km.last_activity else None,
        }
        km.stop_restarter()
        mkm.stop_watching_activity(kernel_id)
        km._close_control_socket()
        km._connection_file_written = False  # the kernel still reads it: keep it
        mkm.remove_kernel(kernel_id)
    terminals = app.web_app.settings.get("terminal_manager")
    open_terminals = len(getattr(terminals, "terminals", {}) or {})
    with contextlib.suppress(KernelChannelError, TimeoutError):
        message: DetachRequest = {"op": "detach", "kernels": states, "terminals": open_terminals}
        await link.request(message, timeout=5.0)
    return len(states)


def sessions_database(folder: str) -> str:
    """The session table's file in the supervisor's private folder. One that cannot be read is
    moved aside with one line, and sessions start empty."""
    path = Path(folder) / "sessions.db"
    problem = _unreadable(path)
    if problem:
        aside = path.with_name(f"sessions.unreadable-{int(time.time())}.db")
        path.rename(aside)
        log.warning(
            "devserver: the session table %s cannot be read (%s): moved to %s; "
            "sessions start empty",
            path,
            problem,
            aside,
        )
    if not path.exists():  # created private: it names the user's notebooks
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return str(path)


def _unreadable(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        with path.open("rb") as f:
            header = f.read(16)
        if header and header != b"SQLite format 3\x00":
            return "not an SQLite database"
        if header:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                db.close()
    except (OSError, sqlite3.DatabaseError) as exc:
        return str(exc)
    return None


def prune_sessions(session_manager: SessionManager, kernels: set[str]) -> tuple[int, int]:
    """Drop the sessions whose kernel is not running; (kept, dropped)."""
    cursor = session_manager.cursor
    rows = cursor.execute("SELECT session_id, kernel_id FROM session").fetchall()
    gone = [row[0] for row in rows if row[1] not in kernels]
    for session_id in gone:
        cursor.execute("DELETE FROM session WHERE session_id=?", (session_id,))
    return len(rows) - len(gone), len(gone)


def keep_kernels_config(config: Config, state_dir: str) -> Config:
    """Kernels started by the supervisor, sessions in a file of its private folder; settings
    the user's config made win (their kernels and sessions are then not kept)."""
    extra = Config()
    managers = ("MappingKernelManager", "AsyncMappingKernelManager")
    if not any("kernel_manager_class" in config[m] for m in managers):
        extra.AsyncMappingKernelManager.kernel_manager_class = (
            "devserver.agent.kernels.KeptKernelManager"
        )
    if state_dir and "database_filepath" not in config.SessionManager:
        extra.SessionManager.database_filepath = sessions_database(state_dir)
    return extra
