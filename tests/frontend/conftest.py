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
    return ensure_node_cache()


def ensure_node_cache() -> Path:
    """The ``node_cache`` folder, made if missing (for the benchmarks too)."""
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


def lab_env(home: Path) -> dict[str, str]:
    """The environment of a dev server or watch script on the template: Jupyter's folders in
    ``home`` (the user's first, so that the labextension link goes there, not into the venv),
    this Python's scripts first on PATH, no dev server variables of the caller's."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "JUPYTER_PREFER_ENV_PATH": "0"}
    for kind in ("CONFIG", "RUNTIME", "DATA"):
        env[f"JUPYTER_{kind}_DIR"] = str(home / kind.lower())
    for var in ("JUPYTER_TOKEN", "DEVSERVER_URL", "DEVSERVER_TOKEN", "DEVSERVER_POLL"):
        env.pop(var, None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return env


def fake_distribution(folder: Path) -> Path:
    """A ``.dist-info`` that makes ``acme_stats`` count as installed for the labextension
    builder, which otherwise runs ``pip install -e`` into the shared test environment."""
    info = folder / "acme_stats-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_stats\nVersion: 0.1.0\n")
    return folder


def inotify_watches(pid: int | str = "self") -> set[tuple[int, int]]:
    """The folders process ``pid`` holds inotify watches on, as (device, inode) pairs in
    ``os.stat`` terms (``/proc/PID/fdinfo``)."""
    found = set()
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            lines = info.read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("inotify wd:"):
                fields = dict(f.split(":", 1) for f in line.split()[1:] if ":" in f)
                dev = int(fields["sdev"], 16)  # the kernel's dev_t: major << 20 | minor
                found.add((os.makedev(dev >> 20, dev & 0xFFFFF), int(fields["ino"], 16)))
    return found


def folder_ids(root: Path) -> set[tuple[int, int]]:
    """Every folder under ``root`` (itself included, symbolic links followed at the top) as
    (device, inode) pairs."""
    ids = set()
    for folder, _dirs, _files in os.walk(root.resolve()):
        st = os.stat(folder)
        ids.add((st.st_dev, st.st_ino))
    return ids
