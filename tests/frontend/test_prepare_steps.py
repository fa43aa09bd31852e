"""The steps that prepare a frontend (node packages, the first build) run under the lifeline in a
group of their own, as the watch script does: stopping the dev server ends them at once, and
nothing of them is left (it used to wait for `jlpm install` to finish, or leave it running)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devserver.supervisor import frontend as frontend_module
from devserver.supervisor.buildlog import BuildState
from devserver.supervisor.frontend import Frontend
from devserver.supervisor.frontend_lifeline import command
from devserver.supervisor.frontend_watch import FrontendWatch
from tests.conftest import DEADLINE, alive, wait_until_async

from .test_lifeline import group_members

pytestmark = pytest.mark.timeout(60)

#: The package manager's stand-in: a step that starts a child and takes minutes, as `jlpm
#: install` does (a real process; what is tested is how the dev server runs and stops it).
SLOW_MANAGER = [
    sys.executable, "-c", "import subprocess, time; subprocess.Popen(['sleep', '300']); "
    "time.sleep(300)",
]  # fmt: skip


def unprepared(tmp_path: Path) -> Frontend:
    """A frontend with no node packages and no build yet: preparing it runs the install step."""
    return Frontend(tmp_path, "acme", tmp_path / "acme" / "labextension", "watch")


async def test_stop_ends_a_running_install_step_and_all_it_started(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def told(frontend: Frontend, state: BuildState) -> None:
        pass

    watch = FrontendWatch(unprepared(tmp_path), SLOW_MANAGER, {**os.environ}, told)
    running = asyncio.create_task(watch.run())

    def running_step() -> subprocess.Popen[str] | None:
        step = watch.step
        return step if step is not None and len(group_members(step.pid)) >= 3 else None

    step = await wait_until_async(running_step, what="the install step and its child")
    assert step is not None
    assert isinstance(step.args, list)
    assert step.args[:2] == command(os.getpid(), [])[:2]  # under the lifeline
    members = group_members(step.pid)
    started = time.monotonic()
    await watch.stop(timeout=DEADLINE)
    await asyncio.wait_for(running, DEADLINE)
    assert time.monotonic() - started < 5, "stop waited for the step"
    assert [pid for pid in members if alive(pid)] == []
    assert "failed" not in caplog.text
    # node_modules is there, but the install was cut short: the next start installs again.
    assert (tmp_path / "node_modules").is_dir()
    assert not watch.frontend.installed


async def test_an_install_that_succeeds_leaves_the_packages_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def told(frontend: Frontend, state: BuildState) -> None:
        pass

    # The development link goes to a folder of the test's, not to the environment's.
    monkeypatch.setattr(frontend_module, "labextensions_dir", lambda: tmp_path / "labextensions")

    frontend = unprepared(tmp_path)
    (frontend.output_dir).mkdir(parents=True)
    (frontend.output_dir / "package.json").write_text("{}")  # built: only the install runs
    # The real step is `jlpm install`; this one succeeds at once, and the watch script too.
    quick = [sys.executable, "-c", "pass"]
    watch = FrontendWatch(frontend, quick, {**os.environ}, told)
    monkeypatch.setattr(watch.backoff, "next", lambda *args: 3600.0)  # one watch run only
    running = asyncio.create_task(watch.run())
    await wait_until_async(lambda: watch.proc is not None, what="the watch script")
    assert frontend.installed
    assert (tmp_path / "labextensions" / "acme").resolve() == frontend.output_dir
    await watch.stop(timeout=DEADLINE)
    await asyncio.wait_for(running, DEADLINE)
