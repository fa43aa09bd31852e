"""The supervisor's loop with a plain fake of the worker: which plan leads to which request,
restart or rescan. The end-to-end tests (test_e2e_reload.py) run the same paths with a real one."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from watchfiles import Change

from devserver.supervisor.console import report_results
from devserver.supervisor.loop import Supervisor
from devserver.supervisor.options import DevServer
from devserver.supervisor.plan import Plan

from .conftest import copy_example


class FakeWorker:
    """Answers every request with an empty reply and records what it was asked."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.requests: list[dict[str, Any]] = []
        self.running = True
        self.stopped = False

    async def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.requests.append(message)
        return {"op": "reply", "id": len(self.requests), "results": []}

    async def stop(self, timeout: float) -> int:
        self.running, self.stopped = False, True
        return 0


class FakeSupervisor(Supervisor):
    """A supervisor whose workers are FakeWorkers: no process, no socket, no pip."""

    def __init__(self, paths: list[Path], **options: Any) -> None:
        super().__init__(DevServer(port=0, **{"install": "never", **options}), paths)
        self.spawned: list[FakeWorker] = []

    async def _spawn(self, reason: str, began: float | None = None) -> None:
        self.worker = FakeWorker(reason)  # type: ignore[assignment]
        self.spawned.append(self.worker)  # type: ignore[arg-type]


@pytest.fixture
def supervisor(tmp_path: Path) -> FakeSupervisor:
    """A fake-worker supervisor of a copy of the hello_ext example, with a worker running."""
    copy_example("hello_ext", tmp_path / "exts")
    return FakeSupervisor([tmp_path / "exts"])


async def test_reload_plan_sends_one_reload_request(supervisor: FakeSupervisor) -> None:
    """A plan to reload an extension is one ``reload`` request to the running worker, no restart."""
    await supervisor._spawn("start")
    await supervisor.apply(Plan(reload=("hello_ext",), templates=("/t/page.html",)))
    [worker] = supervisor.spawned
    assert worker.requests == [
        {"op": "reload", "extensions": ["hello_ext"]},
        {"op": "changed", "kind": "template", "paths": ["/t/page.html"], "count": 1},
    ]


async def test_restart_plan_replaces_the_worker(supervisor: FakeSupervisor) -> None:
    """A plan that needs a restart stops the worker and starts one with the plan's reason."""
    await supervisor._spawn("start")
    await supervisor.apply(Plan(restart="config changed: jupyter_server_config.py"))
    first, second = supervisor.spawned
    assert first.stopped
    assert first.requests == []
    assert second.reason == "config changed: jupyter_server_config.py"


async def test_a_change_while_the_worker_is_down_starts_one(supervisor: FakeSupervisor) -> None:
    """With no worker running, any plan starts one instead of sending it a request."""
    await supervisor.apply(Plan(reload=("hello_ext",)))
    [worker] = supervisor.spawned
    assert worker.reason == "the worker was down; a file changed"
    assert worker.requests == []


async def test_batches_queued_during_a_plan_are_merged(supervisor: FakeSupervisor) -> None:
    """Batches waiting in the queue become one plan, and the plans end when the watcher ends."""
    handlers = supervisor.layout.projects[0].packages["hello_ext"] / "handlers.py"
    supervisor.changes.put_nowait({(Change.modified, str(handlers))})
    supervisor.changes.put_nowait({(Change.modified, str(handlers.with_name("__init__.py")))})
    supervisor.changes.put_nowait(None)
    plans = [plan async for plan in supervisor.plans()]
    assert plans == [Plan(reload=("hello_ext",))]


async def test_rescan_survives_a_project_deleted_meanwhile(
    supervisor: FakeSupervisor, caplog: pytest.LogCaptureFixture
) -> None:
    """A project folder that vanishes during a rescan is logged and the known extensions stay."""
    project = supervisor.layout.projects[0].root
    config = project / "jupyter-config" / "jupyter_server_config.d" / "hello_ext.json"
    config.unlink()
    config.symlink_to(project / "gone.json")  # listed by the scan, gone when read
    with caplog.at_level(logging.ERROR, logger="devserver"):
        assert await supervisor._rescan() is None
    assert supervisor.layout.extensions == ("hello_ext",)
    assert "hello_ext.json: cannot be read" in caplog.text


async def test_rescan_of_a_removed_project_restarts(supervisor: FakeSupervisor) -> None:
    """A project folder removed from a folder of projects is a reason to restart, naming it."""
    copy_example("uses_hello", supervisor.paths[0])
    supervisor.layout = type(supervisor.layout)(supervisor.layout.paths, ())
    assert await supervisor._rescan() == "extensions added: hello_ext, uses_hello"
    shutil.rmtree(supervisor.paths[0] / "uses_hello")
    assert await supervisor._rescan() == "extensions removed: uses_hello"


@pytest.mark.parametrize("mode", ["never", "auto"])
async def test_changed_packaging_reinstalls_unless_never(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    """A changed pyproject.toml runs pip (here failing, shown with pip's output) before the
    restart, except under --install=never; the worker is restarted either way."""
    root = copy_example("hello_ext", tmp_path)
    sup = FakeSupervisor([root], install=mode, pip_args=["--no-index", "--no-build-isolation"])
    (root / "pyproject.toml").write_text("[project\n")  # pip refuses it at once
    with caplog.at_level(logging.INFO, logger="devserver"):
        await sup.apply(Plan(restart="pyproject.toml changed: hello_ext", reinstall=(root,)))
    assert [w.reason for w in sup.spawned] == ["pyproject.toml changed: hello_ext"]
    assert "invalid TOML" in caplog.text  # the rescan keeps the extensions found before
    if mode == "never":
        assert "installing" not in caplog.text
    else:
        assert "installing hello_ext (editable)" in caplog.text
        assert "`pip install -e` of hello_ext failed" in caplog.text
        assert "--install=never" in caplog.text


def test_console_leaves_failures_to_the_worker(caplog: pytest.LogCaptureFixture) -> None:
    """The supervisor prints a line per reload result except real failures, which the worker,
    in the same terminal, already printed: one failure shows once."""
    error = dict(
        extension="a",
        phase="reload",
        type="SyntaxError",
        message="bad",
        traceback="",
        file="/a/x.py",
        line=3,
        time=0.0,
    )
    ok = dict(
        extension="b",
        ok=True,
        mode="hot",
        duration_ms=2.0,
        blocked_ms=1.0,
        routes_before=1,
        routes_after=1,
        together_with=[],
        error=None,
        time=0.0,
    )
    kept_error = {**error, "type": "NotReloaded", "message": "c kept its previous code"}
    kept = {**ok, "extension": "c", "ok": False, "error": kept_error}
    with caplog.at_level(logging.INFO, logger="devserver"):
        report_results([{**ok, "extension": "a", "ok": False, "error": error}, ok, kept])
    assert [r.getMessage() for r in caplog.records] == [
        "✓ reloaded b (hot) in 2.0 ms (loop held 1.0 ms), routes 1 → 1",
        "c kept its previous code",
    ]
