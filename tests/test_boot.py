"""The first moments of ``devserver run``: the first worker's process starts before the
supervisor is set up, and it is the worker that then serves."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from devserver.agent import standby as agent_standby
from devserver.errors import ConfigError
from devserver.protocol import STANDBY_ENV, WorkerSpec
from devserver.supervisor import boot, installs
from devserver.supervisor.boot import Boot
from devserver.supervisor.loop import Supervisor
from devserver.supervisor.options import DevServer

from .conftest import copy_example
from .test_boundaries import loaded_after_import, offenders

VALIDATORS = ("openapi_spec_validator", "openapi_schema_validator", "jsonschema_path")


async def test_the_first_worker_is_the_one_started_at_boot(
    tmp_path: Path, isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Boot.begin`` starts a worker waiting for its spec, and the supervisor set up after it
    serves with that very process."""
    for name, value in isolated_env.items():
        monkeypatch.setenv(name, value)
    copy_example("hello_ext", tmp_path / "exts")
    options = DevServer(port=0, install="never", frontend="off")
    started = await Boot.begin(options)
    early = started.standby.worker
    assert early is not None
    assert early.running
    assert early.spec_pipe is not None
    supervisor = Supervisor(options, [tmp_path / "exts"], boot=started)
    try:
        await supervisor.start()
        assert supervisor.worker is early
        assert early.ready_info is not None
        assert early.spec.extensions == ("hello_ext",)
    finally:
        await supervisor.shutdown()
        for task in list(supervisor._monitors):  # the heartbeat: cancelled as asyncio.run would
            task.cancel()
    assert not early.running


async def test_no_standby_starts_no_worker_early() -> None:
    """With ``--no-standby`` the port is bound early, but no worker starts before the supervisor."""
    started = await Boot.begin(DevServer(port=0, standby=False))
    try:
        assert started.sock is not None
        assert started.sock.getsockname()[1] > 0
        assert started.standby.worker is None
    finally:
        await started.abandon(1.0)


async def test_a_supervisor_that_cannot_be_set_up_stops_the_early_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PATH without extensions ends ``devserver run`` with its error, and the worker started
    ahead of it is stopped, not left behind."""
    begun: list[Boot] = []
    begin = Boot.begin

    async def recording(options: DevServer) -> Boot:
        begun.append(await begin(options))
        return begun[-1]

    monkeypatch.setattr(Boot, "begin", recording)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError):
        await boot.run(DevServer(port=0), [tmp_path / "empty"], {})
    [started] = begun
    assert started.standby.worker is None
    assert started.sock is not None
    assert started.sock.fileno() == -1


def test_a_worker_without_specs_imports_no_openapi_validator() -> None:
    """The worker's modules load no OpenAPI validator: only an app that declares specs needs one
    (they are about a tenth of a worker's start)."""
    loaded = loaded_after_import("devserver.agent.worker")
    assert "devserver.specs.document" in loaded
    assert offenders(loaded, VALIDATORS) == []


@pytest.mark.parametrize("spec_waiting", [True, False])
def test_a_standby_imports_the_validators_only_while_no_spec_waits(
    spec_waiting: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker whose spec is already there (a first start) goes on at once; a standby with
    nothing to do yet imports the validators an app with specs needs."""
    read, write = os.pipe()
    spec = WorkerSpec(listen_fd=-1, control_fd=-1, port=1, reason="test")
    imported: list[str] = []

    def send() -> None:
        os.write(write, spec.to_env().encode())
        os.close(write)

    def import_module(name: str) -> None:
        imported.append(name)
        if name == agent_standby.WHILE_IDLE[-1]:
            send()  # the spec arrives while the standby imports

    monkeypatch.setattr(agent_standby, "PRELOAD", ())
    monkeypatch.setattr(agent_standby, "importlib", SimpleNamespace(import_module=import_module))
    monkeypatch.setenv(STANDBY_ENV, str(read))
    if spec_waiting:
        send()
    assert agent_standby.wait_for_spec() == spec
    assert imported == ([] if spec_waiting else list(agent_standby.WHILE_IDLE))


async def test_an_install_keeps_the_standby_unless_a_dependency_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install that only adds the project itself leaves a standby fit to use (the first
    worker, in a fresh container); one that changes another distribution retires it."""
    copy_example("hello_ext", tmp_path / "exts")
    supervisor = Supervisor(DevServer(port=0, install="always"), [tmp_path / "exts"])
    project_added = ({"tornado": "6.5"}, {"tornado": "6.5", "hello-ext": "0.1"})
    tornado_changed = (
        {"tornado": "6.5", "hello-ext": "0.1"},
        {"tornado": "6.4", "hello-ext": "0.1"},
    )
    versions = iter([*project_added, *tornado_changed])
    monkeypatch.setattr(installs, "installed_versions", lambda: next(versions))
    monkeypatch.setattr(installs, "install_editable", lambda *args: None)
    assert await supervisor._install(supervisor.layout.projects) == []
    assert supervisor.installs == 0
    assert await supervisor._install(supervisor.layout.projects) == ["tornado 6.4"]
    assert supervisor.installs == 1
