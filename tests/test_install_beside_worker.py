"""End to end: the first worker serves while the editable install of a project still runs.

The project's build backend (its own, in the project, as ``backend-path`` allows) waits at
``build_editable`` until the test opens a gate file, so the install is really running, for as
long as the test needs, and the test can tell "before" from "after" without a sleep. The
project depends on a small local wheel that is not installed yet: the install brings it, and
the worker is restarted once, with its kernel.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Factory, alive, copy_example, wait_until
from .kernelclient import kernel_pids

pytestmark = pytest.mark.e2e

PROBE = "slow_devserver_probe"
DEPENDENCY = "tiny_devserver_dep"
HELLO = "hello_ext/hello_ext/handlers.py"

BACKEND = """\
# A setuptools build whose editable build waits for a gate file (the test opens it), and writes
# a version file into the package as hatchling's version hook does.
import time
from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403

GATE = Path({gate!r})
PACKAGE = Path(__file__).resolve().parent.parent / {probe!r}


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    deadline = time.monotonic() + 120
    while not GATE.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the gate was never opened")
        time.sleep(0.05)
    (PACKAGE / "_version.py").write_text("__version__ = '0.0.1'\\n")
    return build_meta.build_editable(wheel_directory, config_settings, metadata_directory)
"""

EXTENSION = """\
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join


def _jupyter_server_extension_points():
    return [{"module": "slow_devserver_probe"}]


def _load_jupyter_server_extension(app):
    import tiny_devserver_dep  # installed by the project's own install

    class Probe(JupyterHandler):
        def get(self):
            self.finish({"value": tiny_devserver_dep.VALUE})

    base = app.web_app.settings["base_url"]
    app.web_app.add_handlers(".*$", [(url_path_join(base, "slowprobe"), Probe)])
"""


def slow_project(root: Path, gate: Path) -> Path:
    """A project whose install waits for ``gate`` and needs ``tiny-devserver-dep``."""
    project = root / PROBE
    (project / PROBE).mkdir(parents=True)
    (project / "_backend").mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "gate_backend"\n'
        'backend-path = ["_backend"]\n'
        f'[project]\nname = "{PROBE}"\nversion = "0.0.1"\ndependencies = ["tiny-devserver-dep"]\n'
        f'[tool.setuptools]\npackages = ["{PROBE}"]\n'
    )
    (project / "_backend" / "gate_backend.py").write_text(
        BACKEND.format(gate=str(gate), probe=PROBE)
    )
    (project / PROBE / "__init__.py").write_text(EXTENSION)
    return project


def dependency_wheel(folder: Path) -> Path:
    """A pure-Python wheel of ``tiny-devserver-dep`` 1.0, written as pip would read it."""
    folder.mkdir(parents=True)
    info = "tiny_devserver_dep-1.0.dist-info"
    files = {
        f"{DEPENDENCY}.py": "VALUE = 'from the dependency'\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: tiny-devserver-dep\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = [f"{name},sha256={digest(text)},{len(text.encode())}" for name, text in files.items()]
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / "tiny_devserver_dep-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def digest(text: str) -> str:
    raw = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def uninstalled_after() -> Iterator[None]:
    """The test installs into this environment: take both distributions out again."""
    yield
    uninstall = [sys.executable, "-m", "pip", "uninstall", "-y", "-q", PROBE, "tiny-devserver-dep"]
    subprocess.run(uninstall, capture_output=True, check=False, timeout=120)


def test_the_worker_serves_before_the_install_ends_and_restarts_once_for_a_dependency(
    devserver_factory: Factory, tmp_path: Path, uninstalled_after: None
) -> None:
    """While the install runs the worker answers and an edit is hot-reloaded; when it ends, the
    new dependency brings one restart with the kernel kept, and the version file the install
    wrote reloads nothing."""
    gate = tmp_path / "gate"
    extensions = tmp_path / "extensions"
    slow_project(extensions, gate)
    copy_example("hello_ext", extensions)
    wheels = dependency_wheel(tmp_path / "wheels").parent
    pip_env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "PIP_NO_BUILD_ISOLATION": "0"}
    server = devserver_factory(install="auto", env=pip_env)

    assert server.get("api/status").status_code == 200
    assert server.get("hello").json() == {"message": "Hello, world!"}
    assert "installing slow_devserver_probe (editable)" in server.log()
    assert "done in" not in server.log()
    # Its dependency is not there yet: the failure says the install may bring it.
    server.wait_for_log(
        "extensions failed: slow_devserver_probe (the worker said why, above; the install is "
        "still running: if it brings what they need, the worker restarts when it ends)"
    )
    kernel = server.client.post("api/kernels", json={"name": "python3"}).json()["id"]
    (kernel_pid,) = wait_until(lambda: kernel_pids(server.proc.pid), what="the kernel")
    server.edit(HELLO, 'GREETING = "Hello"', 'GREETING = "Saved during the install"')
    wait_until(
        lambda: server.get("hello").json().get("message") == "Saved during the install, world!",
        what="the edit saved during the install",
    )
    assert "done in" not in server.log()

    gate.touch()
    server.wait_for_log("worker restarted in", timeout=120)
    wait_until(
        lambda: server.get("slowprobe").status_code == 200, what="the extension with its dependency"
    )
    assert server.get("slowprobe").json() == {"value": "from the dependency"}
    assert server.get("hello").json() == {"message": "Saved during the install, world!"}
    log = server.log()
    assert log.count("worker restarted in") == 1
    assert "(dependencies changed by the install: tiny-devserver-dep 1.0)" in log
    assert "kept 1 kernel" in log
    assert kernel in [k["id"] for k in server.get("api/kernels").json()]
    assert alive(kernel_pid)
    assert [line for line in log.splitlines() if "reload" in line and PROBE in line] == []


def test_an_install_that_adds_only_the_project_restarts_nothing(
    devserver_factory: Factory, tmp_path: Path, uninstalled_after: None
) -> None:
    """A project without new dependencies is installed beside the serving worker, which keeps
    serving: no restart."""
    gate = tmp_path / "gate"
    project = slow_project(tmp_path / "extensions", gate)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"tiny-devserver-dep"', ""))
    init = project / PROBE / "__init__.py"
    init.write_text(init.read_text().replace("import tiny_devserver_dep", "import json as _"))
    server = devserver_factory(install="auto", env={"PIP_NO_BUILD_ISOLATION": "0"})
    worker = server.worker_pid()
    assert worker is not None
    gate.touch()
    server.wait_for_log("installing slow_devserver_probe (editable): done in", timeout=120)
    assert "restarting the worker" not in server.log()
    assert "worker restarted" not in server.log()
    assert server.worker_pid() == worker
