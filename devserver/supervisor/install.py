"""Editable installs of extension projects.

An editable install is what makes a project's ``jupyter-config`` data files, entry points and
dependencies real; the worker also puts each project's source folder first on its ``sys.path``,
so the code that runs is always the code being watched, installed or not.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata

from devserver.errors import ConfigError

from .layout import Project


def is_installed(distribution: str | None) -> bool:
    if distribution is None:
        return False
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def needs_install(
    project: Project, mode: str, installed: Callable[[str | None], bool], changed: bool = False
) -> bool:
    """Whether ``project`` should be (re)installed now under ``mode`` (``DevServer.install``):
    never under "never"; else when its packaging file ``changed``, under "always", or when it
    is not installed yet.

    >>> from pathlib import Path
    >>> p = Project(Path("/x"), Path("/x"), "x", {}, ("x",))
    >>> [needs_install(p, m, lambda d: True) for m in ("auto", "always", "never")]
    [False, True, False]
    >>> [needs_install(p, m, lambda d: True, changed=True) for m in ("auto", "never")]
    [True, False]
    """
    if mode == "never":
        return False
    return changed or mode == "always" or not installed(project.distribution)


def install_editable(
    projects: Sequence[Project], pip_args: Sequence[str], say: Callable[[str], None]
) -> None:
    """``pip install -e`` the projects in one pip run, showing progress; ConfigError with
    pip's output on failure."""
    if not projects:
        return
    names = ", ".join(p.root.name for p in projects)
    say(f"installing {names} (editable) ...")
    started = time.monotonic()
    editables = [arg for p in projects for arg in ("-e", str(p.root))]
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        *pip_args,
        *editables,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(
            f"`pip install -e` of {names} failed (exit {done.returncode}):\n"
            f"{done.stderr.strip() or done.stdout.strip()}\n"
            "Fix the project's packaging, or run with --install=never to skip installing."
        )
    say(f"installed {names} in {time.monotonic() - started:.1f} s")
