"""The worker never outlives the supervisor that started it.

``die_with_supervisor()`` runs first thing in the worker, before jupyter_server is imported, so
it covers every phase (starting, serving, stuck in an import, event loop blocked). Three things
notice the supervisor's death, and each ends the worker the same way, at once (``end_now``):
its children (kernels, each in its own process group) get SIGKILL, its server files go, and the
process exits. There is no orderly shutdown to wait for: the dev server is gone, and an orderly
ServerApp shutdown takes seconds.

1. ``prctl(PR_SET_PDEATHSIG, SIGUSR2)``: Linux signals the worker the moment the supervisor
   dies; the handler runs on the main thread between two bytecodes;
2. a daemon thread watches the parent pid (it changes when the worker is re-parented), for a
   main thread stuck in C code where no signal handler runs;
3. the end of the control channel (``WorkerApp``), when the parent is gone too.

The kernels branch builds on ``end_children()`` for processes the worker starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import NoReturn

from devserver.protocol import SUPERVISOR_ENV

PR_SET_PDEATHSIG = 1
#: The signal Linux sends when the supervisor dies (unused by jupyter_server).
DEATH_SIGNAL = signal.SIGUSR2
#: How often the lifeline thread looks at the parent pid.
POLL = 0.05


def supervisor_pid() -> int:
    """The supervisor's pid, from ``SUPERVISOR_ENV`` (0 when not started by one)."""
    value = os.environ.get(SUPERVISOR_ENV, "")
    return int(value) if value.isdigit() else 0


def die_with_supervisor(supervisor_pid: int) -> None:
    """End this process (and its children) as soon as ``supervisor_pid`` is not its parent."""
    if supervisor_pid <= 0:
        return

    def on_death_signal(signum: int, frame: FrameType | None) -> None:
        if supervisor_gone(supervisor_pid):
            end_now()

    signal.signal(DEATH_SIGNAL, on_death_signal)
    _set_pdeathsig(DEATH_SIGNAL)
    if supervisor_gone(supervisor_pid):  # it died before prctl took effect
        end_now()
    threading.Thread(
        target=_lifeline, args=(supervisor_pid,), name="devserver-lifeline", daemon=True
    ).start()


def supervisor_gone(supervisor_pid: int) -> bool:
    """Whether the supervisor ``supervisor_pid`` that started this worker has died (the worker
    was re-parented)."""
    return supervisor_pid > 0 and os.getppid() != supervisor_pid


def end_now() -> NoReturn:
    """End the worker and its children at once: the supervisor is gone."""
    print("devserver: the supervisor is gone; ending the worker", file=sys.stderr, flush=True)
    end_children()
    _remove_server_files()
    os._exit(1)


def end_children() -> None:
    """SIGKILL this process's children and their process groups (a kernel runs in its own)."""
    for pid in children(os.getpid()):
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux ``/proc``; none elsewhere)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            found.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _set_pdeathsig(sig: signal.Signals) -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere the lifeline thread alone does the job
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        print(f"devserver: prctl(PR_SET_PDEATHSIG) failed: {os.strerror(errno)}", file=sys.stderr)


def _lifeline(supervisor_pid: int) -> None:
    while not supervisor_gone(supervisor_pid):
        time.sleep(POLL)
    end_now()


def _remove_server_files() -> None:
    """The ``jpserver-<pid>`` files, which would list this worker as a running server."""
    from jupyter_core.paths import jupyter_runtime_dir  # noqa: PLC0415 - only when ending

    folder = Path(jupyter_runtime_dir())
    for name in (f"jpserver-{os.getpid()}.json", f"jpserver-{os.getpid()}-open.html"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
