"""Runs in the supervisor process: editable installs of extension projects.

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
from typing import Literal

from .errors import ConfigError
from .layout import Project

InstallMode = Literal["auto", "always", "never"]


def is_installed(distribution: str | None) -> bool:
    if distribution is None:
        return False
    try:
        metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def needs_install(
    project: Project, mode: InstallMode, installed: Callable[[str | None], bool]
) -> bool:
    """Whether ``project`` should be (re)installed now under ``mode``."""
    if mode == "never":
        return False
    return mode == "always" or not installed(project.distribution)


def install_editable(project: Project, pip_args: Sequence[str], say: Callable[[str], None]) -> None:
    """``pip install -e`` the project, showing progress; ConfigError with pip's output."""
    say(f"installing {project.root.name} (editable) ...")
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q",
           *pip_args, "-e", str(project.root)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(
            f"{project.root}: `pip install -e` failed (exit {done.returncode}):\n"
            f"{done.stderr.strip() or done.stdout.strip()}\n"
            "Fix the project's packaging, or run with --install=never to skip installing."
        )
    say(f"installed {project.root.name} in {time.monotonic() - started:.1f} s")
