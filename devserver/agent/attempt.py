"""The state of one reload transaction (``reload.py``), kept so that it can be rolled back."""

from __future__ import annotations

import importlib
import linecache
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType

from jupyter_server.extension.manager import ExtensionPackage

from .carry import Carried
from .deps import in_package, top_level
from .origin import foreign_modules, package_folder
from .routing import Capture
from .steps import StepTimes


@dataclass
class Attempt:
    """The state of one reload transaction, kept so it can be rolled back."""

    group: list[str]
    saved_modules: dict[str, ModuleType] = field(default_factory=dict)
    old_packages: dict[str, ExtensionPackage] = field(default_factory=dict)
    new_packages: dict[str, ExtensionPackage] = field(default_factory=dict)
    new_rules: dict[str, Capture] = field(default_factory=dict)
    saved_settings: dict[str, object] = field(default_factory=dict)
    settings_keys: dict[str, set[str]] = field(default_factory=dict)
    #: Live objects of the old code kept in place of the new code's (``carry``).
    carried: dict[str, list[Carried]] = field(default_factory=dict)
    #: Milliseconds the transaction held the event loop (imports run in a thread).
    loop_ms: float = 0.0
    #: Milliseconds per step (purge, import, link, load, carry, swap, stop, start), logged.
    steps: StepTimes = field(default_factory=StepTimes)

    def owned_modules(self) -> list[str]:
        """The names in ``sys.modules`` of the top-level packages of the extensions reloaded."""
        tops = {top_level(p) for p in self.group}
        return [m for m in sys.modules if any(in_package(m, top) for top in tops)]

    @contextmanager
    def on_loop(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.loop_ms += (time.perf_counter() - started) * 1000

    def forget(self) -> None:
        """Take the group's modules out of ``sys.modules`` (kept for a rollback) and drop caches."""
        for name in self.owned_modules():
            self.saved_modules[name] = sys.modules.pop(name)
        importlib.invalidate_caches()
        linecache.checkcache()

    def check_origins(self) -> None:
        """Raise if a module of the group came from another copy of its package (its file in the
        watched folder was deleted, and another finder found the name elsewhere)."""
        packages = {top_level(p) for p in self.group}
        folders = {
            p: folder
            for p in packages
            if (folder := package_folder(self.saved_modules.get(p))) is not None
        }
        foreign = foreign_modules(packages, folders, sys.modules)
        if foreign:
            raise ModuleNotFoundError(
                f"{', '.join(foreign)}: not in the watched folder "
                f"{', '.join(str(f) for f in folders.values())} (was its file deleted there?); "
                "another copy of the package is not used"
            )
