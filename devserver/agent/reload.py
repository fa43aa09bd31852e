"""The hot-reload transaction.

For a group of extension packages (the one asked for plus those whose code imports it):

1. take the packages out of ``sys.modules`` (all of ``P`` and ``P.*``: reloading one submodule
   leaves ``from .handlers import X`` bindings stale in its siblings);
2. import them again and build a fresh ``ExtensionPackage`` each (new ``ExtensionApp`` instances
   of the reloaded classes; jupyter_server creates each app once, so re-running its load step on
   the old instance is not enough), put it in the manager, link it and load it while capturing
   its ``add_handlers`` calls;
3. only when every step of every package succeeded, swap each extension's rule list in one
   assignment, then ``await old_app.stop_extension()`` and start the new points.

On any failure the previous modules are put back, the previous handlers keep serving, and the
error is recorded with its file and line.
"""

from __future__ import annotations

import asyncio
import sys
import time

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.extension.manager import ExtensionPackage
from jupyter_server.serverapp import ServerApp

from . import caches, specs
from .attempt import Attempt
from .carry import carry_over, find_carried, hand_back
from .deadline import ImportStuck, ImportThread
from .deps import reload_group
from .manager import AgentExtensionManager, describe
from .records import ErrorRecord, ReloadResult
from .registry import Registry
from .routing import RouteCapture
from .steps import StepTimes


class ReloadEngine:
    """Hot-reloads extensions inside the running ServerApp, one transaction at a time."""

    def __init__(
        self,
        serverapp: ServerApp,
        manager: AgentExtensionManager,
        registry: Registry,
        capture: RouteCapture,
        timeout: float = 5.0,
    ) -> None:
        #: Seconds a transaction's imports may take (``DevServer.reload_timeout``).
        self.timeout = timeout
        #: Imports abandoned at their deadline, by extension; their threads may still run.
        self.stuck: dict[str, ImportThread[ExtensionPackage]] = {}
        #: Why the worker must be restarted to load the saved code (a stuck import holds its
        #: modules' locks), or None.
        self.needs_restart: str | None = None
        self.serverapp = serverapp
        self.manager = manager
        self.registry = registry
        self.capture = capture
        self._lock = asyncio.Lock()

    async def reload_one(self, package: str) -> ReloadResult:
        """Reload ``package`` and its dependents; the result of ``package`` itself."""
        results = await self.reload([package])
        return next(r for r in results if r.extension == package)

    async def reload(self, packages: list[str]) -> list[ReloadResult]:
        """Reload the packages with their dependents, as one transaction; then give extensions
        that failed because of one of them another chance, each in a transaction of its own.

        A disabled extension (by config, or by a starter app that loads no others) stays so.
        """
        async with self._lock:
            live = [n for n, r in self.registry.extensions.items() if r.state != "disabled"]
            disabled = [self._disabled(p) for p in packages if p not in live]
            group: list[str] = []
            steps = StepTimes()
            with steps.timed("group"):  # finding the dependents reads every module of theirs
                for package in (p for p in packages if p in live):
                    for name in reload_group(package, live, dict(sys.modules)):
                        if name not in group:
                            group.append(name)
            stuck = [n for n in group if n in self.stuck and self.stuck[n].running]
            if stuck:
                self.needs_restart = (
                    f"an earlier import of {', '.join(stuck)} is still stuck; restarting the "
                    "worker to load the saved code"
                )
                return disabled
            results = await self._transaction(group, steps) if group else []
            if results and all(r.ok for r in results):
                for name in self._failed_because_of(group):
                    results.extend(await self._transaction([name]))
            return disabled + results

    def _disabled(self, name: str) -> ReloadResult:
        error = ErrorRecord(
            name, "reload", "Disabled", f"{name} is disabled; not reloaded", "", None, None
        )
        return ReloadResult(
            name,
            ok=False,
            mode="hot",
            duration_ms=0.0,
            routes_before=0,
            routes_after=0,
            error=error,
        )

    def _failed_because_of(self, group: list[str]) -> list[str]:
        """Extensions whose last failure's traceback passes through one of ``group``'s packages."""
        return [
            name
            for name, record in self.registry.extensions.items()
            if record.state == "failed"
            and name not in group
            and record.errors
            and any(package in record.errors[-1].traceback for package in group)
        ]

    async def _transaction(
        self, group: list[str], steps: StepTimes | None = None
    ) -> list[ReloadResult]:
        """Steps 1-3 of the module docstring for ``group``; a result per package."""
        started = time.perf_counter()
        before = {name: len(self.registry.routes_of(name)) for name in group}
        attempt = Attempt(group, steps=steps or StepTimes())
        with attempt.on_loop(), attempt.steps.timed("purge"):
            attempt.saved_settings = dict(self.serverapp.web_app.settings)
            attempt.forget()
        failed = await self._import_and_build(attempt)
        with attempt.on_loop(), attempt.steps.timed("swap" if failed is None else "rollback"):
            if failed is not None:
                self._rollback(attempt)
            else:
                self._swap(attempt)
        if failed is None:
            await self._stop_and_start(attempt)
            with attempt.steps.timed("specs"):
                specs.refresh(self.registry)  # a reloaded app may bring new specs to enforce
        duration = (time.perf_counter() - started) * 1000
        self.manager.log.debug(
            "%s: reloaded in %.1f ms: %s", ", ".join(group), duration, attempt.steps.describe()
        )
        return [
            self._result(attempt, n, before[n], failed, duration, attempt.loop_ms) for n in group
        ]

    async def _import(self, name: str) -> ExtensionPackage:
        """Import ``name`` in a thread, within the deadline."""
        importer = ImportThread(name, lambda: ExtensionPackage(name=name, enabled=True))
        try:
            return await importer.result(self.timeout)
        except ImportStuck:
            self.stuck[name] = importer
            raise

    async def _import_and_build(self, attempt: Attempt) -> tuple[str, BaseException] | None:
        """Import every package of the group, then link and load each: the package that failed
        and its error, or None when all of them are ready to swap in."""
        packages: dict[str, ExtensionPackage] = {}
        current = attempt.group[0]  # the package being imported or built: named if it fails
        try:
            # Importing is most of the cost (jupyterlab: ~370 ms) and touches nothing the event
            # loop serves from, so it runs in a thread. Linking, loading and the swap change
            # server state: they run on the loop, in one go, so no request sees them half done.
            for current in attempt.group:
                with attempt.steps.timed("import"):
                    packages[current] = await self._import(current)
            with attempt.on_loop():
                for current in attempt.group:
                    self._build(attempt, current, packages[current])
                attempt.check_origins()
        # SystemExit too: a module that calls sys.exit() at import must not end the worker.
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - new code failed; roll back
            return current, exc
        return None

    def _build(self, attempt: Attempt, name: str, package: ExtensionPackage) -> None:
        old = self.manager.extensions.get(name)
        if old is not None:
            attempt.old_packages[name] = old
        attempt.new_packages[name] = package
        # The manager must hold the new package before loading: ExtensionApp's loader looks its
        # app up through the manager and would otherwise reuse the old instance.
        self.manager.extensions[name] = package
        # An ExtensionApp copies the server's settings over its own before adding them, so the
        # values the old app added would win over the new code's: take them out first (the
        # rollback puts them back).
        settings = self.serverapp.web_app.settings
        keys = self.manager.settings_keys.get(name, ())
        old_values = {key: settings.pop(key) for key in keys if key in settings}
        before = set(settings)
        with attempt.steps.timed("link"):
            package.link_all_points(self.serverapp)
        with attempt.steps.timed("load"), self.capture.capturing(name) as captured:
            package.load_all_points(self.serverapp)
        added = set(settings) - before
        caches.share_with_extension(package, settings, added)
        attempt.new_rules[name] = captured
        with attempt.steps.timed("carry"):
            attempt.carried[name] = carried = find_carried(old_values, settings)
            carry_over(carried, settings, _apps(package), captured.rules())
        attempt.settings_keys[name] = set(settings) - before

    def _rollback(self, attempt: Attempt) -> None:
        # An ExtensionApp writes its settings (and itself) into the server's settings while it
        # loads, before it may fail: put back the settings the old code was serving with.
        settings = self.serverapp.web_app.settings
        settings.clear()
        settings.update(attempt.saved_settings)
        for name in attempt.owned_modules():
            del sys.modules[name]
        sys.modules.update(attempt.saved_modules)
        for name in attempt.group:
            if name in attempt.old_packages:
                self.manager.extensions[name] = attempt.old_packages[name]
            else:
                self.manager.extensions.pop(name, None)

    def _swap(self, attempt: Attempt) -> None:
        self.manager.settings_keys.update(attempt.settings_keys)
        for name in attempt.group:
            self.capture.install(name, attempt.new_rules[name])
            record = self.registry.extension(name)
            describe(record, attempt.new_packages[name])
            record.loaded()
            record.restart_only = None  # it did reload in place
            # Its errors are of code that no longer runs: resolved, kept in the history.
            self.registry.resolve_errors(name)
        caches.STATIC.refresh()  # the old code's static files may have changed with it

    async def _stop_and_start(self, attempt: Attempt) -> None:
        for name in attempt.group:
            old = attempt.old_packages.get(name)
            carried = attempt.carried.get(name, [])
            hand_back(carried, _apps(old) if old else [])
            for item in carried:
                self.registry.carried[item.key] = item.old
                self.manager.log.info("%s | %s", name, item.describe())
            # The new code serves whatever these raise: the errors are kept, the state stays.
            for point in old.extension_points.values() if old else ():
                if point.app is not None:
                    with (
                        attempt.steps.timed("stop"),
                        self.manager.user_code(name, "reload", fatal=False),
                    ):
                        await point.app.stop_extension()
            with attempt.steps.timed("start"), self.manager.user_code(name, "start", fatal=False):
                await attempt.new_packages[name].start_all_points(self.serverapp)

    def _result(
        self,
        attempt: Attempt,
        name: str,
        routes_before: int,
        failed: tuple[str, BaseException] | None,
        duration: float,
        blocked: float,
    ) -> ReloadResult:
        error = None
        if failed is not None:
            culprit, exc = failed
            if culprit == name:
                # The reload event carries the error: one event for one failure.
                error = self.manager.record_failure(name, "reload", exc, publish=False)
            else:
                message = f"{name} kept its previous code: {culprit}, which it imports, failed"
                error = ErrorRecord(name, "reload", "NotReloaded", message, "", None, None)
        result = ReloadResult(
            extension=name,
            ok=failed is None,
            mode="hot",
            duration_ms=duration,
            routes_before=routes_before,
            routes_after=len(self.registry.routes_of(name)),
            error=error,
            blocked_ms=blocked,
            together_with=tuple(n for n in attempt.group if n != name),
            shadows=self.registry.shadowed_by(name) if failed is None else 0,
        )
        self.registry.record_reload(result)
        return result


def _apps(package: ExtensionPackage) -> list[ExtensionApp]:
    return [point.app for point in package.extension_points.values() if point.app is not None]
