"""The worker's ``sys.path``: the watched source roots first, and no package that a standby
preloaded from elsewhere while a watched root holds it (the watched copy is the one served)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from devserver.protocol import WorkerSpec

from .deps import in_package


def fix_sys_path(spec: WorkerSpec) -> None:
    """Drop the current directory that ``python -m`` puts first (a user who runs the dev server
    from the folder holding ``myext/`` would import that folder as a namespace package instead
    of ``myext/myext/``), and put the watched source roots first."""
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", cwd)]
    sys.path[:0] = list(spec.sys_path)
    forget_shadowed(spec.sys_path)


def forget_shadowed(roots: tuple[str, ...]) -> list[str]:
    """Drop from ``sys.modules`` the packages a standby preloaded from elsewhere that a watched
    source root also holds (a project of jupyter_server_terminals itself): the next import takes
    the watched copy. Return the top-level names dropped."""
    holder: dict[str, Path] = {}  # top-level name -> the first root that holds it
    for root in reversed(roots):
        base = Path(root)
        with contextlib.suppress(OSError):
            for entry in base.iterdir():
                if (entry / "__init__.py").exists() or entry.suffix == ".py":
                    holder[entry.name.removesuffix(".py")] = base
    dropped = []
    for top, base in sorted(holder.items()):
        where = getattr(sys.modules.get(top), "__file__", None)
        if where is not None and not Path(where).is_relative_to(base):
            for name in [n for n in sys.modules if in_package(n, top)]:
                del sys.modules[name]
            dropped.append(top)
    return dropped
