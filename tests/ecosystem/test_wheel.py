"""The release artifacts: an sdist and a wheel that install and run without this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import httpx
import pytest

from devserver import __version__
from tests.conftest import REPO, TOKEN, free_port, wait_until

pytestmark = pytest.mark.e2e
UNSHIPPED = (
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*_cache",
    "artifacts",
    ".coverage*",
    "_build",
)


def run(*cmd: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, f"{cmd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_sdist_and_wheel_install_and_serve(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    """`python -m build` makes both, `twine check` passes, and the wheel installed (not editable)
    in a fresh venv runs `devserver run` on an example from the sdist: its templates and static
    files, the dashboard's pages, static files and API are all served."""
    dist, source = tmp_path / "dist", tmp_path / "checkout"
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*UNSHIPPED))
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, source)
    sdist, wheel = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    assert [p.name for p in sdist + wheel] == [
        f"jupyter_devserver-{__version__}.tar.gz",
        f"jupyter_devserver-{__version__}-py3-none-any.whl",
    ]
    assert "PASSED" in run(sys.executable, "-m", "twine", "check", *sdist, *wheel)
    names = zipfile.ZipFile(wheel[0]).namelist()
    assert "dashboard/templates/overview.html" in names
    assert "dashboard/static/dashboard.css" in names

    # A fresh venv: the wheel itself, its dependencies seen through a .pth to this venv's
    # site-packages (no network in tests); editable installs there are not activated.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        wheel[0],
    )
    bin_ = venv / "bin"
    assert run(bin_ / "devserver", "--version").strip() == __version__
    assert run(bin_ / "jupyter-devserver", "--version").strip() == __version__
    where = run(
        bin_ / "python",
        "-c",
        "import devserver, dashboard; print(devserver.__file__, dashboard.__file__)",
        cwd=tmp_path,
    )
    assert where.count(str(site)) == 2, where

    with tarfile.open(sdist[0]) as tar:
        tar.extractall(tmp_path / "src", filter="data")
    example = tmp_path / "src" / f"jupyter_devserver-{__version__}" / "examples" / "greeter_app"
    assert (example / "greeter_app" / "templates" / "index.html").exists()
    serve(bin_, example, tmp_path, isolated_env)


def serve(bin_: Path, example: Path, tmp_path: Path, env: dict[str, str]) -> None:
    """Run the installed `devserver run` on ``example``; check what it serves; stop it."""
    port = free_port()
    log = tmp_path / "run.log"
    env = {k: v for k, v in env.items() if not k.startswith("COVERAGE_")}
    env["PATH"] = f"{bin_}{os.pathsep}{env['PATH']}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                bin_ / "devserver",
                "run",
                example,
                "--port",
                str(port),
                "--token",
                TOKEN,
                "--install=never",
            ],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: proc.poll() is not None or "dashboard: http" in log.read_text(),
            timeout=60,
            what="the installed dev server",
        )
        assert proc.poll() is None, log.read_text()
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}/",
            headers={"Authorization": f"token {TOKEN}"},
            timeout=10,
        ) as http:
            assert "from the greeter extension" in http.get("greeter").text
            assert http.get("static/greeter/style.css").status_code == 200
            page = http.get("_introspect")
            assert page.status_code == 200
            assert "greeter_app" in page.text
            assert http.get("static/dashboard/dashboard.css").status_code == 200
            status = http.get("_introspect/api/status").json()
            assert status["version"] == __version__
            assert http.get("_introspect/api/openapi.json").json()["info"]["version"] == __version__
    finally:
        proc.terminate()
        proc.wait(30)


def test_version_has_one_source_and_jupyter_runs_the_subcommand() -> None:
    """The installed metadata, `devserver --version` and `jupyter devserver --version` all give
    devserver.__version__, and `jupyter --help` lists devserver among its subcommands."""
    assert metadata.version("jupyter-devserver") == __version__
    bin_ = Path(sys.executable).parent
    assert run(bin_ / "devserver", "--version").strip() == __version__
    assert run(bin_ / "jupyter", "devserver", "--version").strip() == __version__
    listing = run(bin_ / "jupyter", "--help")
    assert "devserver" in listing.split("Available subcommands:")[1].split()
