"""The worker never outlives the supervisor that started it.

``die_with_supervisor()`` runs first thing in the worker, before jupyter_server is imported, so
it covers every phase (starting, serving, stuck in an import, event loop blocked):

1. ``prctl(PR_SET_PDEATHSIG, SIGTERM)``: Linux sends the worker SIGTERM the moment the
   supervisor dies, and ServerApp's own handler shuts down its kernels;
2. a daemon thread watches the parent pid (it changes when the worker is re-parented): if the
   worker is still alive ``grace`` seconds after the supervisor's death, because its loop is
   blocked or its shutdown hangs, the thread kills the worker's children (each kernel in its
   own process group) and the worker itself.

The control channel's end is the third signal: ``WorkerApp`` stops when the supervisor closes it.
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

PR_SET_PDEATHSIG = 1
#: How often the lifeline thread looks at the parent pid.
POLL = 0.1


def die_with_supervisor(supervisor_pid: int, grace: float = 1.0) -> None:
    """End this process (and its children) when ``supervisor_pid`` is no longer its parent."""
    if supervisor_pid <= 0:
        return
    _set_pdeathsig(signal.SIGTERM)
    if os.getppid() != supervisor_pid:  # it died before prctl took effect
        end_children()
        os._exit(1)
    threading.Thread(
        target=_lifeline, args=(supervisor_pid, grace), name="devserver-lifeline", daemon=True
    ).start()


def _set_pdeathsig(sig: signal.Signals) -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere the lifeline thread alone does the job
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        print(f"devserver: prctl(PR_SET_PDEATHSIG) failed: {os.strerror(errno)}", file=sys.stderr)


def _lifeline(supervisor_pid: int, grace: float) -> None:
    while os.getppid() == supervisor_pid:
        time.sleep(POLL)
    time.sleep(grace)  # the SIGTERM's orderly shutdown, kernels included, gets this long
    print("devserver: the supervisor is gone; ending the worker", file=sys.stderr, flush=True)
    end_children()
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
