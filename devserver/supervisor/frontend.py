"""A project's JupyterLab frontend: found, linked, and the commands that build it.

A project has a frontend when its ``package.json`` has a ``jupyterlab`` key with an
``outputDir`` (the official extension template's ``frontend-and-server`` kind). Its package
manager is ``jlpm`` (shipped by the jupyterlab Python package) when there is one, else ``npm``.

Linking is what ``jupyter labextension develop --overwrite .`` does: a symbolic link named after
the npm package, in the first ``labextensions`` folder JupyterLab searches (the environment's
``share/jupyter/labextensions`` in a virtualenv, else the user's Jupyter data folder), pointing
at the project's ``outputDir``, so ``/lab`` loads the development build. It replaces the copy an
editable ``pip install`` puts there, which would otherwise shadow every new build.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jupyter_core.paths import jupyter_path

from devserver.errors import ConfigError

FrontendMode = Literal["auto", "off", "watch"]
Which = Callable[[str], str | None]


#: In ``node_modules`` while the dev server's install runs there (``Frontend.installed``).
INSTALLING = ".devserver-installing"


@dataclass(frozen=True)
class Frontend:
    """The JupyterLab frontend of one extension project."""

    root: Path
    #: The npm package name (``acme-stats``): the name of its labextension.
    package: str
    #: Where the built labextension goes (``jupyterlab.outputDir``), absolute.
    output_dir: Path
    #: The ``watch`` script of package.json, when it has one.
    watch_script: str | None
    #: The server extensions of the same project: the records that show this frontend.
    extensions: tuple[str, ...] = ()

    @property
    def built(self) -> bool:
        """Whether a labextension was built (the builder's watch needs one to start from)."""
        return (self.output_dir / "package.json").is_file()

    def sources_mtime(self) -> float | None:
        """The newest modification time of the TypeScript sources (``src/``), or None."""
        newest = None
        for folder, _dirs, files in os.walk(self.root / "src"):
            for name in files:
                if name.endswith((".ts", ".tsx")):
                    with contextlib.suppress(OSError):
                        mtime = os.stat(os.path.join(folder, name)).st_mtime
                        newest = mtime if newest is None else max(newest, mtime)
        return newest

    def bundle(self) -> frozenset[tuple[str, int]]:
        """The bundle's entry files (``static/remoteEntry.<hash>.js``) with their modification
        times: the bundler writes a changed bundle only, so the same value is the same bundle.
        Empty when there is none (another builder): nothing can then be told apart."""
        found = set()
        for path in (self.output_dir / "static").glob("remoteEntry*.js"):
            with contextlib.suppress(OSError):
                found.add((path.name, path.stat().st_mtime_ns))
        return frozenset(found)

    @property
    def installed(self) -> bool:
        """Whether its node packages are installed: ``node_modules`` exists, and no install the
        dev server began there was cut short (stopped, or failed)."""
        modules = self.root / "node_modules"
        return modules.is_dir() and not (modules / INSTALLING).exists()

    def installing(self, underway: bool) -> None:
        """Mark ``node_modules`` while an install runs; unmark it once the install succeeded."""
        mark = self.root / "node_modules" / INSTALLING
        if underway:
            mark.parent.mkdir(exist_ok=True)
            mark.touch()
        else:
            mark.unlink(missing_ok=True)


def detect(root: Path, extensions: tuple[str, ...] = ()) -> Frontend | None:
    """The frontend of the project at ``root``; None without one; ConfigError naming the file
    when ``package.json`` is not valid JSON.

    >>> detect(Path("/nonexistent")) is None
    True
    """
    package_json = root / "package.json"
    if not package_json.is_file():
        return None
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        where = f"{package_json}:{exc.lineno}:{exc.colno}"
        raise ConfigError(f"{where}: invalid JSON: {exc.msg}") from exc
    lab = data.get("jupyterlab") if isinstance(data, dict) else None
    if not isinstance(lab, dict) or not isinstance(lab.get("outputDir"), str):
        return None
    scripts = data.get("scripts") if isinstance(data.get("scripts"), dict) else {}
    return Frontend(
        root=root,
        package=str(data.get("name") or root.name),
        output_dir=(root / lab["outputDir"]).resolve(),
        watch_script="watch" if isinstance(scripts.get("watch"), str) else None,
        extensions=extensions,
    )


def frontend_mode(value: str) -> FrontendMode:
    """The ``--frontend`` option's value, typed (traitlets' Enum has checked it).

    >>> frontend_mode("off")
    'off'
    """
    if value == "off":
        return "off"
    return "watch" if value == "watch" else "auto"


def package_manager(which: Which = shutil.which) -> list[str] | None:
    """``jlpm`` (beside this Python first, then on PATH), else ``npm``; None without node."""
    if which("node") is None:
        return None
    beside = Path(sys.executable).parent / "jlpm"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    for name in ("jlpm", "npm"):
        found = which(name)
        if found:
            return [found]
    return None


def wanted(mode: FrontendMode, frontend: Frontend | None, manager: list[str] | None) -> str | None:
    """Why the frontend is not built and watched under ``mode``, or None when it is.

    >>> wanted("off", None, None)
    'off (--frontend=off)'
    """
    if mode == "off":
        return "off (--frontend=off)"
    if frontend is None:
        return "no package.json with a jupyterlab.outputDir"
    if manager is None:
        return "off: node is not installed (install Node.js 18+ to build and watch the frontend)"
    if frontend.watch_script is None:
        return f"off: {frontend.root / 'package.json'} has no `watch` script"
    return None


def labextensions_dir() -> Path:
    """The first folder JupyterLab looks in for labextensions."""
    return Path(jupyter_path("labextensions")[0])


def link(frontend: Frontend, folder: Path | None = None) -> Path:
    """Link ``folder/<package>`` to the project's output folder, replacing what was there (as
    ``jupyter labextension develop --overwrite`` does); returns the link."""
    dest = (folder or labextensions_dir()) / frontend.package
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink() and dest.resolve() == frontend.output_dir:
        return dest
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    elif dest.is_symlink() or dest.exists():
        dest.unlink()
    frontend.output_dir.mkdir(parents=True, exist_ok=True)
    dest.symlink_to(frontend.output_dir, target_is_directory=True)
    return dest


def child_env(environ: dict[str, str], poll: bool) -> dict[str, str]:
    """The environment of the package manager: this Python's scripts first on PATH (so the
    build finds this environment's ``jupyter``), no colours, polling watchers with --poll."""
    env = {**environ, "FORCE_COLOR": "0", "NO_COLOR": "1"}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")])
    if poll:  # chokidar (webpack) and TypeScript's watcher poll through a bind mount
        env.update(CHOKIDAR_USEPOLLING="1", TSC_WATCHFILE="DynamicPriorityPolling")
    return env
