"""The dev server's own installs: never taken for edits, never repeated, short when they fail;
and an extension fixed after failing at start-up serves from its start-up place."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import wait_until

from .conftest import Start
from .cycle import edit_header, edit_snippet
from .projects import replace_text

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def uninstall_after() -> Iterator[list[str]]:
    """Distributions a test installs into the environment, uninstalled at teardown."""
    names: list[str] = []
    yield names
    if names:
        pip("uninstall", "-y", *names)


def test_own_install_writes_are_not_edits(
    template_project: Path, start_on: Start, uninstall_after: list[str]
) -> None:
    """Installing the template project writes its _version.py and its config JSON into the
    environment; neither reloads nor restarts the worker, and the user's first edit is served."""
    uninstall_after.append("acme_stats")
    server = start_on(template_project, install="auto", timeout=300)
    assert (template_project / "acme_stats" / "_version.py").exists()
    assert "installing acme_stats (editable): done in" in server.log()
    routes = template_project / "acme_stats" / "routes.py"
    replace_text(routes, routes.read_text() + edit_snippet("HelloRouteHandler", "1"))
    wait_until(lambda: edit_header(server, "acme-stats/hello") == "1", 60, what="the edit")
    log = server.log()
    assert "restarting the worker" not in log, log
    assert log.count("reloaded acme_stats") == 1, log


def setup_cfg_project(folder: Path) -> Path:
    """An extension whose distribution name is only in setup.cfg (as jupyter-lsp's)."""
    root = folder / "cfg_named"
    (root / "cfg_named_ext").mkdir(parents=True)
    (root / "setup.cfg").write_text(
        "[metadata]\nname = cfg-named-ext\nversion = 0.1\n\n[options]\npackages = cfg_named_ext\n"
    )
    (root / "setup.py").write_text("from setuptools import setup\n\nsetup()\n")
    (root / "cfg_named_ext" / "__init__.py").write_text(
        "def _jupyter_server_extension_points():\n    return [{'module': 'cfg_named_ext'}]\n\n\n"
        "def _load_jupyter_server_extension(app):\n    pass\n"
    )
    return root


def test_a_project_installed_editable_is_not_reinstalled(
    tmp_path: Path, start_on: Start, uninstall_after: list[str]
) -> None:
    """A project installed editable from its folder is not installed again, though only its
    setup.cfg names its distribution."""
    root = setup_cfg_project(tmp_path / "extensions")
    done = pip("install", "--no-build-isolation", "--no-deps", "-e", str(root))
    assert done.returncode == 0, done.stderr
    uninstall_after.append("cfg-named-ext")
    server = start_on(root, install="auto")
    assert "installing" not in server.log()


def test_a_failed_install_is_short_and_the_extension_still_loads(
    tmp_path: Path, start_on: Start
) -> None:
    """A project whose packaging is broken still loads from its folder; the install error is one
    short message with the command that reproduces it, shown once."""
    root = setup_cfg_project(tmp_path / "extensions")
    (root / "setup.cfg").write_text(
        (root / "setup.cfg").read_text() + "package_dir =\n  = nowhere\n"
    )
    server = start_on(root, install="auto")
    server.wait_for_log("`pip install -e` of cfg_named failed")  # beside the serving worker
    log = server.log()
    assert log.count("`pip install -e` of cfg_named failed") == 1, log
    assert "reproduce: " in log
    assert "Traceback" not in log
    assert "cfg_named_ext" in log.split("extensions loaded:")[1].splitlines()[0]


def same_route_project(folder: Path, name: str, body: str) -> Path:
    root = folder / name
    (root / name).mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0.1"\n')
    (root / name / "__init__.py").write_text(
        "from tornado import web\n\n\n"
        "class Same(web.RequestHandler):\n"
        f"    def get(self):\n        self.write({name!r})\n{body}\n\n"
        f"def _jupyter_server_extension_points():\n    return [{{'module': {name!r}}}]\n\n\n"
        "def _load_jupyter_server_extension(app):\n"
        "    app.web_app.add_handlers('.*$', [('/same-route', Same)])\n"
    )
    return root


def test_a_recovered_extension_serves_from_its_start_up_place(
    tmp_path: Path, start_on: Start
) -> None:
    """Two extensions serve the same URL; the one that loads first failed at start-up, and once
    fixed its route wins again, as it would have at start-up."""
    folder = tmp_path / "extensions"
    a = same_route_project(folder, "a_same", "    oops(:\n")
    same_route_project(folder, "b_same", "")
    server = start_on(folder)
    assert server.get("same-route").text == "b_same"
    init = a / "a_same" / "__init__.py"
    replace_text(init, init.read_text().replace("    oops(:\n", ""))
    wait_until(lambda: server.get("same-route").text == "a_same", 60, what="a_same to win")
