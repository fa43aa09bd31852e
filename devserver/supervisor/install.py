"""Editable installs of extension projects.

An editable install is what makes a project's ``jupyter-config`` data files, entry points and
dependencies real; the worker also puts each project's source folder first on its ``sys.path``,
so the code that runs is always the code being watched, installed or not (a project whose install
fails still loads from its folder when its dependencies are there).
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from devserver.errors import ConfigError

from .layout import Project
from .progress import run_step

#: pip's mark of a failed step, before "Getting requirements to build editable did not run ...".
FAILED_MARK = "\N{MULTIPLICATION SIGN}"
#: The frame pip draws around a build's output.
BOX_CHARACTERS = " ->" + "".join(map(chr, (0x2502, 0x2570, 0x2500)))
#: Lines of pip's output kept when it has no recognisable error line.
ERROR_LINES = 2


def editable_roots() -> set[Path]:
    """The folders installed editable in this environment (PEP 610 ``direct_url.json``), whatever
    file of theirs declares the name: ``pyproject.toml``, ``setup.cfg`` or ``setup.py``."""
    roots: set[Path] = set()
    for dist in metadata.distributions():
        try:
            data = json.loads(dist.read_text("direct_url.json") or "{}")
        except ValueError:
            continue
        url = str(data.get("url", "")) if isinstance(data, dict) else ""
        editable = isinstance(data, dict) and data.get("dir_info", {}).get("editable")
        if editable and url.startswith("file:"):
            roots.add(Path(unquote(urlparse(url).path)).resolve())
    return roots


def installed_versions() -> dict[str, str]:
    """Every distribution of this environment, by normalised name, with its version."""
    return {normalised(d.metadata["Name"] or ""): d.version for d in metadata.distributions()}


def others_changed(
    before: dict[str, str], after: dict[str, str], projects: Sequence[Project]
) -> list[str]:
    """The other distributions (dependencies) an install of ``projects`` added, removed or
    changed, as "name version" ("name removed"): code a worker that imported before the
    install may lack or hold in an old version.

    >>> from pathlib import Path
    >>> p = Project(Path("/x"), Path("/x"), "My_Ext", {}, ("my_ext",))
    >>> others_changed({"tornado": "6.5"}, {"tornado": "6.5", "my-ext": "0.1"}, [p])
    []
    >>> others_changed({"tornado": "6.5"}, {"tornado": "6.4", "my-ext": "0.1", "idna": "3"}, [p])
    ['idna 3', 'tornado 6.4']
    """
    ours = {normalised(p.distribution) for p in projects if p.distribution}
    names = (before.keys() | after.keys()) - ours
    return sorted(
        f"{name} {after.get(name, 'removed')}"
        for name in names
        if before.get(name) != after.get(name)
    )


def normalised(name: str) -> str:
    """A distribution name as PEP 503 compares it: ``My_Ext`` is ``my-ext``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def is_installed(project: Project, editable: set[Path]) -> bool:
    """Installed editable from its folder, or its distribution installed at all."""
    if project.root.resolve() in editable:
        return True
    if project.distribution is None:
        return False
    try:
        metadata.distribution(project.distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def needs_install(
    project: Project, mode: str, installed: Callable[[Project], bool], changed: bool = False
) -> bool:
    """Whether ``project`` should be (re)installed now under ``mode`` (``DevServer.install``):
    never under "never"; else when its packaging file ``changed``, under "always", or when it
    is not installed yet (``installed``: editable from its folder, or its distribution).

    >>> from pathlib import Path
    >>> p = Project(Path("/x"), Path("/x"), "x", {}, ("x",))
    >>> [needs_install(p, m, lambda p: True) for m in ("auto", "always", "never")]
    [False, True, False]
    >>> [needs_install(p, m, lambda p: True, changed=True) for m in ("auto", "never")]
    [True, False]
    """
    if mode == "never":
        return False
    return changed or mode == "always" or not installed(project)


def install_command(projects: Sequence[Project], pip_args: Sequence[str]) -> list[str]:
    editables = [arg for p in projects for arg in ("-e", str(p.root))]
    # Not quiet: pip's step lines are the progress of a long install (progress.run_step).
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    return [*pip, *pip_args, *editables]


def install_editable(
    projects: Sequence[Project], pip_args: Sequence[str], say: Callable[[str], None]
) -> None:
    """``pip install -e`` the projects in one pip run, showing progress; on failure a short
    ConfigError: pip's last error lines and the command that shows the rest."""
    if not projects:
        return
    names = ", ".join(p.root.name for p in projects)
    cmd = install_command(projects, pip_args)
    # pip's own lines ("Building editable for …") are the current step of a long install.
    done = run_step(cmd, f"installing {names} (editable)", say, key=f"install {names}")
    if done.returncode != 0:
        raise ConfigError(
            f"`pip install -e` of {names} failed (exit {done.returncode}): "
            f"{summary(done.output)}\n"
            f"  reproduce: {shlex.join(cmd)}\n"
            "  the extension still loads from its folder; fix the packaging and save it, "
            "or run with --install=never"
        )


def summary(output: str) -> str:
    """pip's error in one line: what failed (its ``FAILED_MARK`` or ``ERROR:`` line) and why (the
    last line of the build's output, its exception), without the traceback and hint boxes."""
    lines = [line.strip(BOX_CHARACTERS) for line in output.splitlines()]
    lines = [line for line in lines if line]
    heads = [
        ln
        for ln in lines
        if ln.startswith((FAILED_MARK, "ERROR:", "error:")) and "subprocess" not in ln
    ]
    ends = [i for i, ln in enumerate(lines) if ln == "[end of output]"]
    causes = [lines[i - 1] for i in ends if i > 0]
    picked = [*dict.fromkeys([*heads[:1], *causes[-1:]])] or lines[-ERROR_LINES:]
    return " — ".join(line.lstrip(FAILED_MARK + " ") for line in picked) or "no output"
