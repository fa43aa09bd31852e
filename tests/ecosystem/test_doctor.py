"""``devserver doctor`` and the audit behind it, on a real server and on plain values."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from devserver.agent.leaks import (
    code_globals,
    held_by,
    is_old_class,
    old_settings,
    stale_globals,
)
from devserver.cli.doctor import describe_audit
from devserver.errors import ExitCode
from tests.conftest import DevServer, Factory
from tests.realworld.projects import (
    EXTENSIONS,
    download,
    install_requirements,
    linked_copy,
    runtime_requirements,
    unpack,
)

FIXTURES = Path(__file__).parent / "fixtures"


def doctor(server: DevServer, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "devserver",
        "doctor",
        *args,
        "--url",
        server.url,
        "--token",
        server.token,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.e2e
@pytest.mark.timeout(600)  # a cold cache downloads the real extensions' sdists first
def test_doctor_names_leaks_and_passes_clean_extensions(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """A leaking extension gets a FAIL row per leak and exit 7; a clean one (hello_ext, and
    jupyter_server_terminals and jupyter-archive from PyPI) exits 0; jupyter_server_fileid's
    listener per load is found; a bad name or --times exits 2 with the reason; a reload that
    fails exits 6; --json gives the API's answer."""
    root = tmp_path / "extensions"
    root.mkdir()
    shutil.copytree(FIXTURES / "leaky_ext", root / "leaky_ext")
    # The real-world suite's pinned sdists (tests/realworld/projects.py), cached.
    real = [EXTENSIONS["jupyter_archive"], EXTENSIONS["jupyter_server_fileid"]]
    download(real)
    for ext in real:
        source = unpack(ext, tmp_path / "sdists")
        install_requirements(runtime_requirements(source))
        linked_copy(source, root)
    # jupyter-archive has a JupyterLab frontend: its node build is not what is audited here.
    server = devserver_factory("hello_ext", args=("--frontend=off",))

    leaky = doctor(server, "leaky_ext", "--times", "2")
    assert leaky.returncode == ExitCode.RELOAD_UNSAFE, leaky.stderr
    for check in ("threads", "periodic_callbacks", "tasks", "settings", "old_classes"):
        assert f"FAIL    {check}" in leaky.stdout
    assert "leaky_ext is not reload-safe: threads, periodic_callbacks" in leaky.stderr

    clean = doctor(server, "hello_ext", "--times", "3", "--json")
    assert clean.returncode == ExitCode.OK, clean.stdout + clean.stderr
    result = json.loads(clean.stdout)
    assert result["ok"]
    assert result["times"] == 3
    assert {c["check"] for c in result["checks"]} >= {"threads", "memory", "routes"}
    assert result["packages"] == ["hello_ext"]

    # A real extension from PyPI, loaded by every server: reload-safe by the audit's checks.
    terminals = doctor(server, "jupyter_server_terminals", "--times", "3", "--json")
    assert terminals.returncode == ExitCode.OK, terminals.stdout + terminals.stderr
    # A second one, from its sdist: reload-safe too. Its ExtensionApp's start-up instance stays
    # in the settings (carried over as live, listed, not counted as a leak).
    archive_audit = doctor(server, "jupyter_archive", "--times", "3", "--json")
    assert archive_audit.returncode == ExitCode.OK, archive_audit.stdout + archive_audit.stderr
    checks = {c["check"]: c for c in json.loads(archive_audit.stdout)["checks"]}
    assert all(c["ok"] for c in checks.values()), checks
    assert checks["routes"]["summary"].startswith("extension 2 → 2"), checks["routes"]
    assert "jupyter_archive.JupyterArchive" in checks["carried"]["items"], checks["carried"]
    # jupyter_server_fileid adds a contents-event listener to the server's event logger on
    # every load and never removes it: each reload keeps a whole version of its code alive.
    fileid = doctor(server, "jupyter_server_fileid", "--times", "3")
    assert fileid.returncode == ExitCode.RELOAD_UNSAFE, fileid.stdout + fileid.stderr
    assert "FAIL    old_classes" in fileid.stdout
    assert "jupyter_server_fileid.manager.LocalFileIdManager: 2 old version(s)" in fileid.stdout
    assert "jupyter_server_fileid is not reload-safe: old_classes" in fileid.stderr

    unknown = doctor(server, "nope")
    assert unknown.returncode == ExitCode.CONFIG_ERROR
    assert "no extension named 'nope'" in unknown.stderr
    too_many = doctor(server, "hello_ext", "--times", "51")
    assert too_many.returncode == ExitCode.CONFIG_ERROR
    assert "from 1 to 50" in too_many.stderr

    handlers = server.root / "hello_ext" / "hello_ext" / "handlers.py"
    handlers.write_text(handlers.read_text() + "\ndef broken(:\n")
    failing = doctor(server, "hello_ext", "--times", "1")
    assert failing.returncode == ExitCode.RELOAD_FAILED, failing.stdout + failing.stderr
    assert "FAIL    reloads" in failing.stdout
    assert "SyntaxError" in failing.stdout


def test_stale_code_is_told_from_current_code() -> None:
    """Code whose globals are no longer its module's is old; current and foreign code is not."""
    module = types.ModuleType("pkg_audit.mod")
    exec("def f():\n    pass\n", module.__dict__)
    sys.modules["pkg_audit.mod"] = module
    try:
        assert stale_globals(code_globals(module.f), ("pkg_audit",)) is None
        assert stale_globals(code_globals(functools.partial(module.f)), ("pkg_audit",)) is None
        old = module.__dict__
        sys.modules["pkg_audit.mod"] = types.ModuleType("pkg_audit.mod")
        assert stale_globals(old, ("pkg_audit",)) == "pkg_audit.mod"
        assert stale_globals(old, ("other",)) is None
        assert stale_globals(old, ("other", "pkg_audit")) == "pkg_audit.mod"  # a dependent
    finally:
        del sys.modules["pkg_audit.mod"]


def test_old_classes_and_settings_holding_them() -> None:
    """A class its module no longer holds is old, and a settings value of it is named."""
    module = types.ModuleType("pkg_audit2")
    exec("class A:\n    pass\n", module.__dict__)
    sys.modules["pkg_audit2"] = module
    try:
        first = module.A
        assert not is_old_class(first, ("pkg_audit2",))
        exec("class A:\n    pass\n", module.__dict__)
        assert is_old_class(first, ("pkg_audit2",))
        assert not is_old_class(dict, ("pkg_audit2",))
        found = old_settings({"x": [first()], "y": module.A, "z": 1}, ("pkg_audit2",))
        assert found == ["settings['x'] holds pkg_audit2.A (old)"]
    finally:
        del sys.modules["pkg_audit2"]


def test_a_holder_without_a_dict_is_named_by_its_class() -> None:
    """An object kept alive by a slotted object (no ``__dict__``) is reported as held by it."""

    class Slotted:
        __slots__ = ("value",)

    held = type("Held", (), {})()
    holder = Slotted()
    holder.value = held
    assert held_by(held, []).startswith(f"a {Slotted.__qualname__}")


def test_describe_audit_prints_a_row_per_check_and_each_finding() -> None:
    """The table has one row per check, then every finding indented under its check."""
    result = {
        "extension": "x",
        "times": 2,
        "duration_ms": 5.0,
        "checks": [
            {"check": "threads", "ok": False, "summary": "1 threads", "items": ["thread 't'"]},
            {"check": "routes", "ok": True, "summary": "same", "items": []},
        ],
    }
    assert describe_audit(result).splitlines() == [
        "x: 2 reloads in 5.0 ms",
        "RESULT  CHECK    SUMMARY",
        "FAIL    threads  1 threads",
        "ok      routes   same",
        "  threads: thread 't'",
    ]
    together = describe_audit({**result, "packages": ["x", "y"]})
    assert together.startswith("x (with y, reloaded with it): 2 reloads")
