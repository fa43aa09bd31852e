"""The supervisor's editable installs (a mixin of ``Supervisor``), at start and on a change.

At start the install runs beside the first worker: the worker loads each project from its
source folder (first on its ``sys.path``), so it serves without waiting for pip. When pip ends:

1. what it wrote into watched folders is recorded (``ownwrites``); until then, the changes it
   may have made (files it created, version files, ``labextension/``, Jupyter's config
   folders) wait (``_unless_installing``), so none of its writes is taken for an edit, while
   the user's edits of the sources are applied at once;
2. if it added, removed or changed another distribution (a dependency the worker may have
   missed, or imported in an old version), the worker is restarted, with its kernels, and the
   restart line names what changed; else nothing happens.

A project with a frontend to watch is installed before the worker starts, as a reinstall is
(after a packaging edit): pip's build of the frontend and the watch's would write one folder.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from watchfiles import Change

from devserver.errors import ConfigError

from .hooks import Core
from .install import (
    editable_roots,
    install_editable,
    installed_versions,
    is_installed,
    needs_install,
    others_changed,
)
from .layout import Project
from .ownwrites import snapshot
from .watch import config_dirs

log = logging.getLogger("devserver")


class Installs:
    """Installing the projects editable (a mixin of ``Supervisor``)."""

    #: The start's install while it runs beside the worker (None: none, or it ended).
    installing: asyncio.Task[None] | None
    #: Changes that wait for the running install to end (they may be its writes).
    held: set[tuple[Change, str]]

    async def _install_at_start(self: Core, projects: Sequence[Project]) -> None:
        """Install what needs it: in the background, unless a frontend is watched."""
        if self.frontends.found and self.frontends.mode != "off":
            await self._install(projects)
            return
        todo = await self._to_install(projects)
        if todo:
            self.installing = asyncio.create_task(self._install_beside_the_worker(todo))

    async def _install_beside_the_worker(self: Core, todo: list[Project]) -> None:
        changed = await self._install(todo, todo=todo)
        self.installing = None
        async with self.lock:  # ``start`` holds it until the first worker serves
            if self.stopping.is_set():
                return
            if changed:  # the worker was configured before: it may lack what changed
                await self._restart("dependencies changed by the install: " + ", ".join(changed))
            elif self.worker is not None and self.worker.running:
                # Started now, not beside pip: it would slow the install down.
                await self.standby.prepare(self._start_standby, self.installs)

    def _unless_installing(self: Core, batch: set[tuple[Change, str]]) -> set[tuple[Change, str]]:
        """``batch`` without the changes a running install may have made: those wait until it
        ends (its own writes are known then); the user's edits are applied now."""
        held: set[tuple[Change, str]] = {
            (change, path) for change, path in batch if self.own_writes.maybe_running_install(path)
        }
        self.held |= held
        return batch - held

    async def _to_install(
        self: Core, projects: Sequence[Project], changed: bool = False
    ) -> list[Project]:
        mode = self.options.install
        editable = await asyncio.to_thread(editable_roots) if mode != "never" else set()
        return [
            p
            for p in projects
            if needs_install(p, mode, lambda p: is_installed(p, editable), changed)
        ]

    async def _install(
        self: Core,
        projects: Sequence[Project],
        changed: bool = False,
        todo: list[Project] | None = None,
    ) -> list[str]:
        """Install editable those of ``projects`` that need it (``needs_install``, or ``todo``
        when known); a failure is shown and the dev server carries on with what it has. What
        the install writes into watched folders is not taken for the user's edits
        (``ownwrites``). The other distributions it changed, as "name version"."""
        if not projects:
            return []
        async with self.install_lock:  # one pip at a time (a rescan during the start's)
            todo = todo if todo is not None else await self._to_install(projects, changed)
            if not todo:
                return []
            folders = [p.root for p in todo]
            others = [d for d in config_dirs() if d.exists()]
            roots = folders + others
            before, versions = await asyncio.to_thread(
                lambda: (snapshot(roots), installed_versions())
            )
            self.own_writes.begin(before, folders, others)
            try:
                await asyncio.to_thread(install_editable, todo, self.options.pip_args, log.info)
            except ConfigError as exc:
                log.error("%s", exc)
            after = await asyncio.to_thread(snapshot, roots)
            self.own_writes.record(before, after, folders)
            if self.held:  # its writes are known now: ``own_writes.drop`` leaves the user's
                self.changes.put_nowait(self.held)
                self.held = set()
        # A standby imported jupyter_server and the agent, no project: it is still fit unless
        # the install changed one of their dependencies (its projects load from their folders).
        changes = others_changed(versions, await asyncio.to_thread(installed_versions), todo)
        if changes:
            self.installs += 1
        return changes
