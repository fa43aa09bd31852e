"""The file watcher registers no OS watch inside node_modules, and still sees every source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from devserver.supervisor.watch import SourceFilter
from devserver.supervisor.watchroots import Changes, split, watch_split

from .conftest import folder_ids, inotify_watches

pytestmark = pytest.mark.timeout(60)


def project(root: Path, modules: int = 50) -> Path:
    """A folder of one project with a frontend: sources, a package.json, a big node_modules."""
    proj = root / "acme"
    for folder in ("acme/handlers", "src", "lib"):
        (proj / folder).mkdir(parents=True)
    (proj / "package.json").write_text("{}")
    (proj / "acme/__init__.py").write_text("")
    for i in range(modules):
        (proj / f"node_modules/pkg{i}/dist").mkdir(parents=True)
    return proj


class Watching:
    def __init__(self) -> None:
        self.batches: list[Changes] = []
        self.stop = asyncio.Event()

    def seen(self) -> set[str]:
        return {p for batch in self.batches for _, p in batch}

    async def until(self, path: Path) -> None:
        async with asyncio.timeout(20):
            while str(path) not in self.seen():
                await asyncio.sleep(0.02)


@asynccontextmanager
async def watching(tmp_path: Path) -> AsyncIterator[tuple[Watching, Path]]:
    """watch_split on a folder holding ``project``, once its watches are in place."""
    proj = project(tmp_path)
    w = Watching()
    task = asyncio.ensure_future(
        watch_split([tmp_path], SourceFilter(), w.stop, w.batches.append, rust_timeout=200)
    )
    # Ready when an edit is seen: the watches are in place.
    async with asyncio.timeout(20):
        while str(proj / "acme/__init__.py") not in w.seen():
            (proj / "acme/__init__.py").write_text(f"# {len(w.batches)}")
            await asyncio.sleep(0.1)
    try:
        yield w, proj
    finally:
        w.stop.set()
        await task


def test_split_watches_node_projects_flat_and_leaves_node_modules_out(tmp_path: Path) -> None:
    """The folder of projects and the node project are flat; their other folders recursive."""
    proj = project(tmp_path)
    parts = split([tmp_path], SourceFilter())
    assert set(parts.flat) == {tmp_path, proj}
    assert set(parts.recursive) == {proj / "acme", proj / "src", proj / "lib"}


def test_split_watches_a_tree_without_node_modules_whole(tmp_path: Path) -> None:
    """A tree with no node project and no pruned folder is one recursive watch."""
    (tmp_path / "pkg/sub").mkdir(parents=True)
    assert split([tmp_path], SourceFilter()).recursive == (tmp_path,)


async def test_no_inotify_watch_inside_node_modules(tmp_path: Path) -> None:
    """Not one inotify watch is on a folder of node_modules; the source folders have theirs."""
    async with watching(tmp_path) as (_, proj):
        watched = inotify_watches()
    assert not watched & folder_ids(proj / "node_modules")
    assert folder_ids(proj / "acme") | folder_ids(proj / "src") <= watched


async def test_edits_in_node_modules_are_not_seen_and_sources_are(tmp_path: Path) -> None:
    """A file written in node_modules gives no event; a source edit after it does."""
    async with watching(tmp_path) as (w, proj):
        (proj / "node_modules/pkg1/dist/index.js").write_text("x")
        (proj / "src/index.ts").write_text("x")
        await w.until(proj / "src/index.ts")
    assert not [p for p in w.seen() if p.startswith(str(proj / "node_modules"))]


async def test_a_new_folder_in_a_flat_folder_is_watched_inside(tmp_path: Path) -> None:
    """A folder created beside node_modules is reported, then edits inside it are seen."""
    async with watching(tmp_path) as (w, proj):
        (proj / "tests").mkdir()
        await w.until(proj / "tests")
        async with asyncio.timeout(20):
            while str(proj / "tests/test_x.py") not in w.seen():
                (proj / "tests/test_x.py").write_text(f"# {len(w.batches)}")
                await asyncio.sleep(0.2)
