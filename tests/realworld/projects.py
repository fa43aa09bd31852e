"""The real extensions the real-world suite runs, from their PyPI sources (never vendored).

Each is downloaded once per cache (``pip download --no-deps --no-binary NAME``, the sdist: the
project folder its authors work in), unpacked once per test session, and its runtime dependencies
are installed into the test environment once per session when missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
#: The JupyterLab extension template's project (one copy for the suites: tests/frontend has it).
TEMPLATE = REPO / "tests" / "frontend" / "acme_stats"
EDIT_HEADER = "X-Devserver-Edit"


@dataclass(frozen=True)
class RealExtension:
    """One real extension and how the suite exercises it."""

    #: The distribution on the package index, and the version the suite pins.
    dist: str
    version: str
    #: The ``jpserver_extensions`` name.
    name: str
    #: A module of the package that defines a request handler, and the handler class.
    module: str
    handler: str
    #: A GET URL (below the base URL) that the handler serves, with any status.
    url: str
    #: Extra ``devserver run`` arguments.
    args: tuple[str, ...] = ()
    #: Extra runtime requirements the sdist does not declare (or declares under an extra).
    extra_requires: tuple[str, ...] = field(default=())

    @property
    def folder(self) -> str:
        return f"{self.dist.replace('-', '_')}-{self.version}"


EXTENSIONS = {
    e.name: e
    for e in (
        RealExtension(
            "jupyter_server_terminals", "0.5.4", "jupyter_server_terminals",
            "jupyter_server_terminals/api_handlers.py", "TerminalRootHandler", "api/terminals",
        ),
        RealExtension(
            "jupyter-resource-usage", "1.3.0", "jupyter_resource_usage",
            "jupyter_resource_usage/api.py", "ApiHandler", "api/metrics/v1",
            # Its prometheus metrics make every in-place reload fail (test_restart_only covers
            # that); without them it hot-reloads like any other.
            args=("--ResourceUseDisplay.enable_prometheus_metrics=False",),
        ),
        RealExtension(
            "jupyter_server_fileid", "0.10.0", "jupyter_server_fileid",
            "jupyter_server_fileid/handler.py", "FileIDHandler", "api/fileid/id?path=x",
        ),
        RealExtension(
            "jupyter-archive", "3.5.1", "jupyter_archive",
            "jupyter_archive/handlers.py", "DownloadArchiveHandler", "directories/nowhere",
        ),
        RealExtension(
            "jupyter-lsp", "2.3.1", "jupyter_lsp",
            "jupyter_lsp/handlers.py", "LanguageServersHandler", "lsp/status",
        ),
        RealExtension(
            "jupyter-server-mathjax", "0.2.6", "jupyter_server_mathjax",
            "jupyter_server_mathjax/app.py", "DeprecatedRedirectHandler",
            "static/components/MathJax/MathJax.js",
        ),
        RealExtension(
            "nbclassic", "1.3.3", "nbclassic",
            "nbclassic/tree/handlers.py", "TreeHandler", "tree",
        ),
        RealExtension(
            # Enabled as the module voila.server_extension (its etc/jupyter config), which
            # declares no extension points; its sdist holds the built frontend, so the source
            # folder serves without a node build.
            "voila", "0.5.13", "voila.server_extension",
            "voila/tornado/handler.py", "TornadoVoilaHandler", "voila/render/nosuch.ipynb",
        ),
    )
}  # fmt: skip


def cache_dir() -> Path:
    """Where sdists are kept between sessions (``DEVSERVER_REALWORLD_CACHE`` overrides)."""
    default = Path.home() / ".cache" / "devserver-realworld"
    return Path(os.environ.get("DEVSERVER_REALWORLD_CACHE", default)) / "sdists"


def sdist_path(ext: RealExtension) -> Path | None:
    prefix = f"{ext.dist.replace('-', '_')}-{ext.version}.tar.gz".lower()
    cache = cache_dir()
    found = (
        [p for p in cache.glob("*.tar.gz") if p.name.lower() == prefix] if cache.exists() else []
    )
    return found[0] if found else None


def download(exts: list[RealExtension]) -> None:
    """The missing sdists, one pip run each, side by side (preparing nbclassic's metadata
    builds its build environment: minutes on a cold machine, once)."""
    missing = [e for e in exts if sdist_path(e) is None]
    cache_dir().mkdir(parents=True, exist_ok=True)

    def fetch(ext: RealExtension) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
               "--no-deps", "--no-binary", ext.dist, "-d", str(cache_dir()),
               f"{ext.dist}=={ext.version}"]  # fmt: skip
        return subprocess.run(cmd, capture_output=True, text=True, timeout=540, check=False)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for ext, done in zip(missing, pool.map(fetch, missing), strict=True):
            assert done.returncode == 0, f"pip download {ext.dist} failed:\n{done.stderr[-2000:]}"


def unpack(ext: RealExtension, dest: Path) -> Path:
    sdist = sdist_path(ext)
    assert sdist is not None, f"no sdist of {ext.dist} in {cache_dir()}"
    with tarfile.open(sdist) as tar:
        tar.extractall(dest, filter="data")
    [root] = [p for p in dest.iterdir() if p.name.lower() == ext.folder.lower()]
    return root


def runtime_requirements(root: Path) -> list[str]:
    """The sdist's ``Requires-Dist`` that apply here and are not satisfied yet."""
    headers = HeaderParser().parsestr((root / "PKG-INFO").read_text(encoding="utf-8"))
    out = []
    for raw in headers.get_all("Requires-Dist") or []:
        req = Requirement(raw)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            installed = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            out.append(raw)
            continue
        if installed not in req.specifier and not req.specifier.contains(installed, True):
            out.append(raw)
    return out


def install_requirements(requirements: list[str]) -> None:
    if not requirements:
        return
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q",
           *sorted(set(requirements))]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"installing {requirements} failed:\n{done.stderr[-2000:]}"


def linked_copy(source: Path, dest: Path) -> Path:
    """A copy of a project made of hard links (fast, for nbclassic's 300 MB): tests edit by
    replacing files (``replace_text``), which never writes through a link."""
    target = dest / source.name
    shutil.copytree(source, target, copy_function=os.link)
    return target


def replace_text(path: Path, text: str) -> None:
    """Write ``path`` as an editor that saves to a new file and renames it does."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
