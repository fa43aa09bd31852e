"""Finding a project's JupyterLab frontend, its package manager, and linking its build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devserver.errors import ConfigError
from devserver.supervisor.frontend import (
    child_env,
    detect,
    link,
    package_manager,
    wanted,
)
from tests.conftest import free_port

from .conftest import TEMPLATE


def test_template_is_detected_with_its_output_dir_and_watch_script() -> None:
    """The template's package.json gives the npm name, the absolute outputDir and `watch`."""
    found = detect(TEMPLATE, ("acme_stats",))
    assert found is not None
    assert found.package == "acme-stats"
    assert found.output_dir == (TEMPLATE / "acme_stats" / "labextension").resolve()
    assert found.watch_script == "watch"
    assert found.extensions == ("acme_stats",)


def test_package_json_without_jupyterlab_output_dir_is_no_frontend(tmp_path: Path) -> None:
    """A plain npm package is not a JupyterLab frontend."""
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", "jupyterlab": {}}))
    assert detect(tmp_path) is None


def test_invalid_package_json_names_file_and_line(tmp_path: Path) -> None:
    """Broken JSON is a ConfigError with file:line."""
    (tmp_path / "package.json").write_text('{\n  "name": "x",\n}\n')
    with pytest.raises(ConfigError, match=r"package\.json:3:1: invalid JSON"):
        detect(tmp_path)


def test_package_manager_needs_node_and_prefers_jlpm() -> None:
    """No node: None; else jlpm beside this Python (the jupyterlab package ships it)."""
    assert package_manager(lambda name: None) is None
    manager = package_manager(lambda name: f"/usr/bin/{name}")
    assert manager is not None
    assert Path(manager[0]).name == "jlpm"


def test_wanted_says_why_a_frontend_is_not_watched() -> None:
    """off, no frontend, no node and no watch script each give their reason; else None."""
    found = detect(TEMPLATE)
    assert wanted("off", found, ["jlpm"]) == "off (--frontend=off)"
    assert "node is not installed" in str(wanted("auto", found, None))
    assert wanted("auto", found, ["jlpm"]) is None


def test_link_replaces_an_installed_copy_with_a_link_to_the_build(tmp_path: Path) -> None:
    """An editable install's copied labextension is replaced by a link to outputDir."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "package.json").write_text(
        json.dumps({"name": "demo", "jupyterlab": {"outputDir": "demo/labextension"}})
    )
    found = detect(project)
    assert found is not None
    stale = tmp_path / "labextensions" / "demo"
    stale.mkdir(parents=True)
    (stale / "package.json").write_text("{}")
    dest = link(found, tmp_path / "labextensions")
    assert dest.is_symlink()
    assert dest.resolve() == found.output_dir
    assert link(found, tmp_path / "labextensions") == dest  # a second time: unchanged


def test_child_env_puts_this_python_first_and_polls_on_request() -> None:
    """The watch script finds this environment's jupyter; --poll makes its watchers poll."""
    env = child_env({"PATH": "/usr/bin"}, poll=True)
    assert env["PATH"].startswith(str(Path(sys.executable).parent))
    assert env["CHOKIDAR_USEPOLLING"] == "1"
    assert "CHOKIDAR_USEPOLLING" not in child_env({"PATH": "/usr/bin"}, poll=False)


@pytest.mark.e2e
def test_without_node_the_frontend_is_off_with_one_line(
    tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    """With no node on PATH, `devserver run` says so once and serves the server extension."""
    root = tmp_path / "extensions"
    root.mkdir()
    project = root / "acme_stats"
    project.mkdir()
    for name in ("package.json", "pyproject.toml", "jupyter-config", "acme_stats"):
        src = TEMPLATE / name
        if src.is_file():
            shutil.copy2(src, project / name)
        else:
            shutil.copytree(src, project / name)
    env = {**isolated_env, "PATH": str(Path(sys.executable).parent)}
    port = free_port()
    cmd = [sys.executable, "-m", "devserver", "run", str(root), "--port", str(port),
           "--install=never", "--token", "t"]  # fmt: skip
    with subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:  # fmt: skip
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "dashboard: http" in line:
                break
        proc.terminate()
        lines.extend(proc.stdout)
    out = "".join(lines)
    assert out.count("frontend acme-stats: off: node is not installed") == 1, out
    assert "watching" not in out
