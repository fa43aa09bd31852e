"""Fixtures of the real-world suite: real extensions' sources, and `devserver run` on a folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import TOKEN, DevServer, free_port, wait_until

from .projects import (
    EXTENSIONS,
    TEMPLATE,
    download,
    install_requirements,
    linked_copy,
    runtime_requirements,
    unpack,
)

# Downloading and installing real extensions takes minutes on a cold machine: every test here may.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

Start = Callable[..., DevServer]


@pytest.fixture(scope="session")
def real_sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every real extension's project folder, unpacked from its sdist, runtime deps installed."""
    exts = list(EXTENSIONS.values())
    download(exts)
    dest = tmp_path_factory.mktemp("real-sources")
    roots = {e.name: unpack(e, dest) for e in exts}
    needed = [r for e in exts for r in (*runtime_requirements(roots[e.name]), *e.extra_requires)]
    install_requirements(needed)
    return roots


@pytest.fixture
def real_project(real_sources: dict[str, Path], tmp_path: Path) -> Callable[[str], Path]:
    """A private copy of one real extension's folder, under ``tmp_path/extensions``."""

    def copy(name: str) -> Path:
        folder = tmp_path / "extensions"
        folder.mkdir(exist_ok=True)
        return linked_copy(real_sources[name], folder)

    return copy


@pytest.fixture
def template_project(tmp_path: Path) -> Path:
    """A copy of the JupyterLab template project whose frontend build is skipped (its build hook
    finds the two files it checks), so installing it needs no node."""
    folder = tmp_path / "extensions"
    folder.mkdir(exist_ok=True)
    root = folder / TEMPLATE.name
    # Only the sources: a frontend build or install the frontend suite left beside them is not.
    ignore = shutil.ignore_patterns("node_modules", "lib", "labextension", "*.tsbuildinfo", ".yarn")
    shutil.copytree(TEMPLATE, root, ignore=ignore)
    static = root / "acme_stats" / "labextension" / "static"
    static.mkdir(parents=True)
    (static / "style.js").write_text("/* frontend build skipped in tests */\n")
    (static.parent / "package.json").write_text('{"name": "acme-stats", "version": "0.1.0"}\n')
    return root


@pytest.fixture
def start_on(tmp_path: Path, isolated_env: dict[str, str]) -> Iterator[Start]:
    """Start ``devserver run PATH...`` as a user would; stopped at teardown."""
    started: list[DevServer] = []

    def start(
        *paths: Path, install: str = "never", args: tuple[str, ...] = (), timeout: float = 120
    ) -> DevServer:
        port = free_port()
        log_path = tmp_path / f"devserver-{len(started)}.log"
        cmd = [sys.executable, "-m", "devserver", "run", *map(str, paths), "--port", str(port),
               "--token", TOKEN, f"--install={install}", f"--ServerApp.root_dir={tmp_path}",
               *args]  # fmt: skip
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, env=isolated_env,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        runtime = Path(isolated_env["JUPYTER_RUNTIME_DIR"])
        server = DevServer(proc, paths[0].parent, port, "/", TOKEN, log_path, runtime)
        started.append(server)
        wait_until(
            lambda: proc.poll() is not None or "dashboard: http" in server.log(),
            timeout=timeout, what="the dev server to start",
        )  # fmt: skip
        assert proc.poll() is None, f"devserver run exited:\n{server.log()}"
        return server

    yield start
    for server in started:
        server.stop()
