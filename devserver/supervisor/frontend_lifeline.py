"""The frontend's watch script never outlives the supervisor, even one killed with SIGKILL.

The watch script (``jlpm run watch``: yarn, then ``run-p``, ``tsc -w`` and the bundler's node)
runs in a process group of its own, so that ``stop`` can end all of it; but then nothing ends it
when the supervisor dies without a word. So the supervisor starts it through this module, run as
a script (``python frontend_lifeline.py SUPERVISOR_PID -- CMD ...``: no package import, it starts
in a few tens of milliseconds), which leads the group and:

1. asks Linux for ``SIGUSR2`` the moment its parent dies (``prctl(PR_SET_PDEATHSIG)``);
2. watches its parent pid in a daemon thread too (the parent may have died before the prctl, and
   elsewhere than on Linux this is the only way);
3. on either, SIGKILLs its whole process group, itself included: nobody is left to stop it
   gently.

Otherwise it only waits for the command and exits with its code; a SIGTERM from ``stop`` (sent to
the whole group) reaches the command directly, and this process waits for the command to end.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

PR_SET_PDEATHSIG = 1
#: How often the thread looks at the parent pid.
POLL = 0.1


def command(supervisor_pid: int, cmd: list[str]) -> list[str]:
    """The command line that runs ``cmd`` under this lifeline.

    >>> command(42, ["jlpm", "run", "watch"])[2:]
    ['42', '--', 'jlpm', 'run', 'watch']
    """
    return [sys.executable, os.path.abspath(__file__), str(supervisor_pid), "--", *cmd]


def end_group(signum: int = 0, frame: FrameType | None = None) -> None:
    """SIGKILL this process group (the watch script and this process)."""
    os.killpg(os.getpgrp(), signal.SIGKILL)


def parent_gone(parent: int) -> bool:
    return os.getppid() != parent


def watch_parent(parent: int) -> None:
    while not parent_gone(parent):
        time.sleep(POLL)
    end_group()


def set_pdeathsig(sig: signal.Signals) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)  # the thread covers a failure


def main(argv: list[str]) -> int:
    parent, cmd = int(argv[0]), argv[2:]
    if argv[1] != "--" or not cmd:
        print("usage: frontend_lifeline.py SUPERVISOR_PID -- CMD ...", file=sys.stderr)
        return 2
    signal.signal(signal.SIGUSR2, end_group)
    set_pdeathsig(signal.SIGUSR2)
    if parent_gone(parent):
        end_group()
    threading.Thread(target=watch_parent, args=(parent,), daemon=True).start()
    # The group's TERM is for the command; a handler, not SIG_IGN, which the command would inherit.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    with subprocess.Popen(cmd, restore_signals=True) as proc:
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
