"""The dev server's own installs must not look like the user's edits.

``pip install -e`` of a project writes files the supervisor watches: hatchling's version hook
rewrites ``PKG/_version.py``, hatch ``shared-data`` and setuptools ``data_files`` put
``etc/jupyter/jupyter_server_config.d/NAME.json`` into the environment, a JupyterLab extension's
build fills ``PKG/labextension/``. Seen as edits, they reload or restart the worker right after it
started (a kernel started then is lost).

So the files under the watched folders are fingerprinted (``mtime_ns`` and size: whole seconds
miss same-second edits) before and after each install. What the install wrote is remembered with
its fingerprint after the install, and a later event for such a file is dropped only while the
file still has that fingerprint: the user's next edit of it is seen. Inside a project folder only
files the install creates, version files and built ``labextension`` files count as its writes, so
an edit the user saves to any other file during the install is not mistaken for one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from watchfiles import Change

from .watch import SourceFilter

Fingerprint = tuple[int, int] | None
Snapshot = dict[str, Fingerprint]
#: Files an install (re)writes inside a project's package, by name.
GENERATED_NAMES = frozenset({"_version.py", "version.py", "_version.txt"})


def fingerprint(path: str) -> Fingerprint:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def snapshot(roots: Iterable[Path]) -> Snapshot:
    """Every watched file under ``roots`` with its fingerprint (what the watcher would see)."""
    keep = SourceFilter()
    out: Snapshot = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if keep(Change.modified, os.path.join(folder, d))]
            for name in files:
                path = os.path.join(folder, name)
                if keep(Change.modified, path):
                    out[path] = fingerprint(path)
    return out


class OwnWrites:
    """Files the dev server's installs wrote, with their fingerprint right after; and while an
    install runs, what it may be writing."""

    def __init__(self) -> None:
        self.files: Snapshot = {}
        #: The running install's snapshot before, its projects and the other folders it may
        #: write (Jupyter's config folders); None: no install runs.
        self.running: tuple[Snapshot, tuple[Path, ...], tuple[Path, ...]] | None = None

    def begin(self, before: Snapshot, projects: Iterable[Path], others: Iterable[Path]) -> None:
        """An install of ``projects`` starts, with the watched files as ``before``."""
        self.running = (before, tuple(projects), tuple(others))

    def record(self, before: Snapshot, after: Snapshot, projects: Iterable[Path]) -> None:
        self.running = None
        roots = tuple(projects)
        for path in before.keys() | after.keys():
            was, now = before.get(path), after.get(path)
            if was != now and _written_by_install(Path(path), was, roots):
                self.files[path] = now

    def maybe_running_install(self, path: str) -> bool:
        """Whether ``path`` may be a write of the install that runs now: the user's edits are
        the other changes (of files that existed before it, outside what installs generate).

        >>> own = OwnWrites()
        >>> own.begin({"/p/pkg/handlers.py": (1, 1)}, [Path("/p")], [Path("/c")])
        >>> [own.maybe_running_install(p) for p in ("/p/pkg/handlers.py", "/p/pkg/_version.py")]
        [False, True]
        >>> [own.maybe_running_install(p) for p in ("/c/x.json", "/elsewhere/a.py")]
        [True, False]
        """
        if self.running is None:
            return False
        before, projects, others = self.running
        if any(Path(path).is_relative_to(folder) for folder in others):
            return True
        if not any(Path(path).is_relative_to(root) for root in projects):
            return False
        return _written_by_install(Path(path), before.get(path), projects)

    def drop(self, batch: set[tuple[Change, str]]) -> set[tuple[Change, str]]:
        """The changes of ``batch`` that are not the installs' own writes."""
        out: set[tuple[Change, str]] = set()
        for change, path in batch:
            if path in self.files and fingerprint(path) == self.files[path]:
                continue
            self.files.pop(path, None)  # changed since: from now on it is the user's file
            out.add((change, path))
        return out


def _written_by_install(path: Path, before: Fingerprint, projects: tuple[Path, ...]) -> bool:
    if not any(path.is_relative_to(root) for root in projects):
        return True  # Jupyter's config folders, the only others snapshotted
    return before is None or path.name in GENERATED_NAMES or "labextension" in path.parts
