"""The JupyterLab extension template (``acme_stats``, copied from the official template's
``frontend-and-server`` kind) with its node packages installed once per machine.

``jlpm install`` of the template fetches ~540 MB and takes minutes the first time, so it runs
once into a cache folder outside the repository (``$DEVSERVER_TEST_CACHE``, default
``~/.cache/jupyter-devserver-tests``), keyed by a hash of ``package.json``; each test copies the
project and links ``node_modules`` to the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
TEMPLATE = HERE / "acme_stats"
collect_ignore = ["acme_stats"]  # the template's own tests are not ours


def cache_root() -> Path:
    default = Path.home() / ".cache" / "jupyter-devserver-tests"
    return Path(os.environ.get("DEVSERVER_TEST_CACHE", default))


def jlpm() -> str:
    found = Path(sys.executable).parent / "jlpm"
    assert found.is_file(), "jlpm comes with jupyterlab: make venv installs it (test extras)"
    assert shutil.which("node"), "node is needed for the frontend tests"
    return str(found)


@pytest.fixture(scope="session")
def node_cache() -> Path:
    """A folder holding the template's ``node_modules``, ``yarn.lock`` and a compiled
    ``lib/``, made once per ``package.json``."""
    key = hashlib.sha256((TEMPLATE / "package.json").read_bytes()).hexdigest()[:12]
    done = cache_root() / f"acme_stats-{key}"
    if (done / "node_modules").is_dir():
        return done
    work = done.with_name(done.name + f".tmp{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(TEMPLATE, work, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for step in (["install"], ["run", "build:lib"]):
        subprocess.run([jlpm(), *step], cwd=work, env=env, check=True, timeout=900,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    shutil.rmtree(done, ignore_errors=True)
    work.rename(done)
    return done


def copy_template(dest: Path, cache: Path) -> Path:
    """A fresh copy of the template in ``dest``, its node packages linked from ``cache`` and
    TypeScript's last output copied (so the first build is incremental)."""
    project = dest / "acme_stats"
    shutil.copytree(TEMPLATE, project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "node_modules").symlink_to(cache / "node_modules", target_is_directory=True)
    shutil.copy2(cache / "yarn.lock", project / "yarn.lock")
    shutil.copytree(cache / "lib", project / "lib")
    shutil.copy2(cache / "tsconfig.tsbuildinfo", project / "tsconfig.tsbuildinfo")
    return project


def fake_distribution(folder: Path) -> Path:
    """A ``.dist-info`` that makes ``acme_stats`` count as installed for the labextension
    builder, which otherwise runs ``pip install -e`` into the shared test environment."""
    info = folder / "acme_stats-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_stats\nVersion: 0.1.0\n")
    return folder
