"""Which folders get OS watches: all of the watched trees but ``node_modules`` and the like.

A filter (``SourceFilter``) drops events; it does not keep the OS from watching. With inotify,
notify registers one watch per folder of a watched tree, so a frontend's ``node_modules`` (4,000
folders for the extension template, through a symbolic link too) costs 4,000 watches (the
default limit is 8,192 on many systems, shared by every program of the user) and a flood of
events during ``jlpm install``. So each watched tree is split: a folder that holds a ``PRUNED``
folder, or a ``package.json`` (a node project, whose ``node_modules`` may come later), is watched
without its subfolders ("flat"), and each of its other subfolders is split the same way or
watched whole. Files directly in a flat folder are seen through the flat watch.

A folder created in a flat folder would not be watched inside: ``watch_split`` then starts over
with the new split, after reporting the files already in it as added.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchfiles import Change, DefaultFilter, awatch

#: Folders never watched (their events would all be dropped by the filter anyway).
PRUNED = frozenset({"node_modules", ".git", ".venv", ".tox", ".nox"})
#: How deep below a watched path a pruned folder is looked for (a project's ``node_modules`` is
#: one level below a project, two below a folder of projects).
DEPTH = 3
#: At most this many files of a new folder are reported as added when the watch starts over.
MAX_ADDED = 1000
Changes = set[tuple[Change, str]]


@dataclass(frozen=True)
class Split:
    """Folders watched with their subfolders, and folders watched without them."""

    recursive: tuple[Path, ...] = ()
    flat: tuple[Path, ...] = ()


@dataclass
class _Draft:
    recursive: list[Path] = field(default_factory=list)
    flat: list[Path] = field(default_factory=list)


def split(paths: Sequence[Path], keep: DefaultFilter, depth: int = DEPTH) -> Split:
    """The split of ``paths``; the folders ``keep`` drops are not looked into.

    >>> split([Path("/nonexistent")], DefaultFilter())
    Split(recursive=(PosixPath('/nonexistent'),), flat=())
    """
    draft = _Draft()
    for path in paths:
        _split(path, keep, depth, draft)
    return Split(tuple(draft.recursive), tuple(draft.flat))


def _split(path: Path, keep: DefaultFilter, depth: int, draft: _Draft) -> None:
    if not _needs_split(path, keep, depth):
        draft.recursive.append(path)
        return
    draft.flat.append(path)
    for child in _subfolders(path, keep):
        if child.name not in PRUNED:
            _split(child, keep, depth - 1, draft)


def _needs_split(path: Path, keep: DefaultFilter, depth: int) -> bool:
    if depth <= 0 or not path.is_dir():
        return False
    if (path / "package.json").is_file():
        return True
    children = _subfolders(path, keep)
    if any(c.name in PRUNED for c in children):
        return True
    return any(_needs_split(c, keep, depth - 1) for c in children)


def _subfolders(path: Path, keep: DefaultFilter) -> list[Path]:
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return []
    return [p for p in entries if p.is_dir() and (p.name in PRUNED or keep(Change.added, str(p)))]


def new_folders(changes: Changes, flat: Sequence[Path]) -> list[Path]:
    """Folders added directly in a flat folder (not watched inside until the watch starts
    over), but pruned ones."""
    folders = set(flat)
    return [
        Path(p)
        for change, p in changes
        if change == Change.added
        and Path(p).parent in folders
        and Path(p).name not in PRUNED
        and os.path.isdir(p)
    ]


def files_in(folders: Sequence[Path], limit: int = MAX_ADDED) -> Changes:
    """The files under ``folders`` as added changes (at most ``limit``)."""
    found: Changes = set()
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            found.update((Change.added, os.path.join(root, f)) for f in files)
            if len(found) >= limit:
                return found
    return found


async def watch_split(
    paths: Sequence[Path],
    watch_filter: DefaultFilter,
    stopping: asyncio.Event,
    put: Callable[[Changes], None],
    **options: Any,
) -> None:
    """Watch ``paths`` split as ``split`` says, giving each batch of changes to ``put``, until
    ``stopping`` is set; exceptions of the watcher propagate."""
    while not stopping.is_set():
        await _Round(split(paths, watch_filter), watch_filter, put, options).run(stopping)


@dataclass
class _Round:
    """The watchers of one split, until the dev server stops or a new folder needs a new split."""

    parts: Split
    watch_filter: DefaultFilter
    put: Callable[[Changes], None]
    options: dict[str, Any]
    again: asyncio.Event = field(default_factory=asyncio.Event)
    #: watchfiles' stop event (its thread polls it): set when either of the others is.
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, stopping: asyncio.Event) -> None:
        stopper = asyncio.ensure_future(self._stop_when(stopping))
        try:
            watchers = [self._watch(self.parts.recursive, True)] if self.parts.recursive else []
            watchers += [self._watch(self.parts.flat, False)] if self.parts.flat else []
            await asyncio.gather(*watchers)
        finally:
            self.done.set()  # one watcher failed: the other ends too
            stopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopper

    async def _watch(self, folders: tuple[Path, ...], recursive: bool) -> None:
        async for changes in awatch(
            *folders,
            watch_filter=self.watch_filter,
            stop_event=self.done,
            recursive=recursive,
            **self.options,
        ):
            added = [] if recursive else new_folders(changes, self.parts.flat)
            if added:
                self.again.set()
            self.put(changes | files_in(added))

    async def _stop_when(self, stopping: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(e.wait()) for e in (stopping, self.again)]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
        self.done.set()
