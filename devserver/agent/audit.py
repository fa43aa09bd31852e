"""The reload-safety audit: reload one extension N times and list what the old versions left.

A hot reload replaces an extension's modules, classes and handlers; whatever the old code
started or stored elsewhere outlives it unless ``stop_extension`` undoes it. After N reloads
(and a garbage collection) the audit looks for, in this order:

- ``reloads``: every reload succeeded;
- ``threads``: live threads whose target is code of an old version of the extension;
- ``periodic_callbacks``: running tornado ``PeriodicCallback`` objects calling old code;
- ``tasks``: pending asyncio tasks running coroutines of old code;
- ``routes``: the extension's (and the server's) route count is what it was;
- ``settings``: ``web_app.settings`` values (one level into dicts and lists) that are, or are
  instances of, classes of an old version;
- ``old_classes``: classes of the versions the audit's reloads replaced, still alive after
  ``gc.collect()``, each with the chain of references that holds it;
- ``startup_version``: the same for the version loaded at start-up, reported but not failed:
  jupyter_server copies ``web_app.settings`` into every ExtensionApp loaded after it
  (``ExtensionApp._prepare_settings``), so a sibling app keeps the first version of each app;
- ``memory``: growth of the Python heap per reload (``tracemalloc``, after ``gc.collect()``)
  above ``limit_kb``, over the second half of the reloads (the first ones fill caches once),
  judged from ``MEMORY_MIN_TIMES`` reloads on, with the lines that allocated most; resident
  memory is shown beside it, not judged (the allocator keeps freed pages).

The extensions reloaded with it (those that import it) are looked at too; ``leaks.py`` finds
what the old versions left. ``devserver doctor`` and the pytest
plugin's ``assert_reload_safe`` serve the result; the API answers it as JSON (``to_json``).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
import tracemalloc
import weakref
from dataclasses import dataclass, field

from devserver.apijson import AuditJson, CheckJson, MemoryJson

from . import gcpause
from .deps import top_level
from .leaks import (
    alive_classes,
    old_periodic_callbacks,
    old_settings,
    old_tasks,
    old_threads,
    package_classes,
)
from .registry import Registry

#: Default bound on heap growth per reload, in KiB.
MEMORY_LIMIT_KB = 1024.0
#: The fewest reloads the memory check judges.
MEMORY_MIN_TIMES = 10
#: How long stopped threads and tasks get to finish after the last reload.
SETTLE_S = 0.3


@dataclass
class Check:
    """One line of the audit's table."""

    check: str
    ok: bool
    summary: str
    items: list[str] = field(default_factory=list)

    def to_json(self) -> CheckJson:
        return {"check": self.check, "ok": self.ok, "summary": self.summary, "items": self.items}


def found(check: str, items: list[str], what: str) -> Check:
    """A check that fails when ``items`` is not empty."""
    if not items:
        return Check(check, True, f"no {what}")
    return Check(check, False, f"{len(items)} {what}", items)


def _heap_kb() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0] // 1024


def resident_kb() -> int:
    """This process's resident memory in KiB (Linux ``/proc``; 0 where unknown)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


# -- the audit ---------------------------------------------------------------------------------
@dataclass
class Audit:
    """N reloads of one extension and what they left behind."""

    registry: Registry
    name: str
    times: int = 5
    limit_kb: float = MEMORY_LIMIT_KB
    checks: list[Check] = field(default_factory=list)
    memory: MemoryJson = field(default_factory=MemoryJson)
    #: The classes of each version the reloads replaced: [0] is the start-up version.
    _old: list[list[weakref.ref[type]]] = field(default_factory=list)
    _snapshot: tracemalloc.Snapshot | None = None
    _traced_here: bool = False
    #: The extensions the first reload took along (they import this one).
    _together: tuple[str, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        """The extension's top-level package, then those reloaded with it (they import it)."""
        main = top_level(self.registry.resolve(self.name) or self.name)
        return (main, *(top_level(p) for p in self._together if top_level(p) != main))

    async def run(self) -> AuditJson:
        """Reload ``times`` times, then check; KeyError for an unknown extension name."""
        started = time.perf_counter()
        # The checks look for every object: frozen ones (gcpause.py) are hidden otherwise.
        gcpause.thaw()
        routes_before = self._route_counts()
        failures = await self._reload_all()
        await self._settle()
        self.checks = [
            found("reloads", failures, f"failed reloads of {self.times}"),
            *self._leak_checks(),
            self._routes_check(routes_before),
            self._memory_check(),
        ]
        return self.to_json(time.perf_counter() - started)

    async def _reload_all(self) -> list[str]:
        failures: list[str] = []
        for attempt in range(self.times):
            self._old.append([weakref.ref(c) for c in package_classes(self.packages)])
            result = await self.registry.reload(self.name)
            self._together = self._together or result.together_with
            if attempt == self.times // 2:  # the first reloads fill caches once
                self._start_tracing()
            if not result.ok:
                error = result.error
                failures.append(
                    f"reload {attempt + 1}: {error.type}: {error.message}"
                    if error
                    else f"reload {attempt + 1} failed"
                )
                break
        return failures

    async def _settle(self) -> None:
        """Give stopped threads and tasks a moment, then collect garbage."""
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline and (
            old_threads(self.packages) or old_tasks(self.packages)
        ):
            await asyncio.sleep(0.02)
        gc.collect()

    def _leak_checks(self) -> list[Check]:
        packages = self.packages
        web_app = self.registry.serverapp.web_app
        startup = alive_classes(self._old[:1], packages)
        # A live manager carried over on purpose (``carry``) keeps its class, and the apps and
        # settings of each version refer to it: not a leak, listed apart.
        kept = {
            f"{type(v).__module__}.{type(v).__qualname__}" for v in self.registry.carried.values()
        }
        replaced = [
            c for c in alive_classes(self._old[1:], packages) if c.split(":")[0] not in kept
        ]
        return [
            found("threads", old_threads(packages), "threads of old versions"),
            found("periodic_callbacks", old_periodic_callbacks(packages), "old PeriodicCallbacks"),
            found("tasks", old_tasks(packages), "tasks of old versions"),
            found(
                "settings",
                old_settings(web_app.settings, packages, self.registry.carried),
                "settings of old classes",
            ),
            found("old_classes", replaced, "old classes alive after gc"),
            Check(
                "carried",
                True,
                f"{len(kept)} live objects carried over on purpose (class updates on restart)",
                sorted(kept),
            ),
            Check(
                "startup_version",
                True,
                f"{len(startup)} classes of the start-up version "
                "alive (not counted: see the module docstring)",
                startup,
            ),
        ]

    def _route_counts(self) -> tuple[int, int]:
        package = self.registry.resolve(self.name) or self.name
        return len(self.registry.routes_of(package)), len(self.registry.routes())

    def _routes_check(self, before: tuple[int, int]) -> Check:
        after = self._route_counts()
        summary = f"extension {before[0]} → {after[0]}, server {before[1]} → {after[1]}"
        items = [] if after == before else [f"route count changed: {summary}"]
        return Check("routes", not items, summary, items)

    def _start_tracing(self) -> None:
        gc.collect()
        self._traced_here = not tracemalloc.is_tracing()
        if self._traced_here:
            tracemalloc.start()
        self._snapshot = tracemalloc.take_snapshot()
        self.memory["rss_before_kb"], self.memory["heap_before_kb"] = resident_kb(), _heap_kb()

    def _memory_check(self) -> Check:
        if self._snapshot is None:  # a reload failed before the second half
            return Check("memory", True, "not measured")
        grown = tracemalloc.take_snapshot().compare_to(self._snapshot, "lineno")[:3]
        heap_after = _heap_kb()
        if self._traced_here:
            tracemalloc.stop()
        per = (heap_after - self.memory["heap_before_kb"]) / max(
            self.times - self.times // 2 - 1, 1
        )
        self.memory.update(
            {
                "rss_after_kb": resident_kb(),
                "heap_after_kb": heap_after,
                "per_reload_kb": round(per, 1),
                "limit_kb": self.limit_kb,
            }
        )
        summary = f"heap {per:+.0f} KiB per reload (limit {self.limit_kb:g})"
        if self.times < MEMORY_MIN_TIMES:
            judged = f"{summary}; not judged under {MEMORY_MIN_TIMES} reloads"
            return Check("memory", True, judged, [f"{stat}" for stat in grown])
        return Check("memory", per <= self.limit_kb, summary, [f"{stat}" for stat in grown])

    def to_json(self, seconds: float) -> AuditJson:
        return {
            "extension": self.name,
            "times": self.times,
            "packages": list(self.packages),
            "ok": all(c.ok for c in self.checks),
            "checks": [c.to_json() for c in self.checks],
            "memory": self.memory,
            "duration_ms": round(seconds * 1000, 1),
        }
