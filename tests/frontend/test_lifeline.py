"""The watch script's lifeline: its whole process group ends when the supervisor dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devserver.supervisor.frontend_lifeline import command
from tests.conftest import alive, wait_until

pytestmark = pytest.mark.timeout(60)

# A stand-in supervisor: starts a command under the lifeline in a group of its own, prints the
# group's id, and waits. The command starts a grandchild, as `jlpm run watch` starts node.
SUPERVISOR = """
import os, subprocess, sys, time
from devserver.supervisor.frontend_lifeline import command
cmd = command(os.getpid(), ["sh", "-c", "sleep 300 & echo $!; wait"])
proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, text=True)
print(proc.pid, proc.stdout.readline().strip(), flush=True)
time.sleep(300)
"""


def group_members(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_sigkill_of_the_supervisor_ends_the_watch_scripts_group() -> None:
    """SIGKILL to the supervisor ends the lifeline, the command and the command's child."""
    cmd = [sys.executable, "-c", SUPERVISOR]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as supervisor:
        assert supervisor.stdout is not None
        leader, grandchild = map(int, supervisor.stdout.readline().split())
        group = group_members(leader)
        assert {leader, grandchild} <= set(group)
        supervisor.kill()
        supervisor.wait()
        wait_until(lambda: not group_members(leader), timeout=20, what=f"group {group} to end")
        assert not alive(grandchild)


def test_sigterm_to_the_group_ends_the_command_and_the_lifeline_exits_with_its_code(
    tmp_path: Path,
) -> None:
    """The supervisor's stop (TERM to the group) reaches the command; the lifeline waits for
    it and exits with the command's code."""
    script = tmp_path / "cmd.sh"
    script.write_text("trap 'exit 7' TERM\necho ready\nwhile :; do sleep 0.1; done\n")
    cmd = command(os.getpid(), ["sh", str(script)])
    with subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(20) == 7
