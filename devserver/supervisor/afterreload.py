"""After a reload's results come back: leave out failures of files still being written (they
are reloaded again once settled), report the rest, and restart the worker for a reload that
failed only because the worker holds the previous version's state (the restart-only fallback).
"""

from __future__ import annotations

import logging
import os
import time

from devserver.apijson import ReloadJson
from devserver.protocol import SPEC_ENV

from .console import report_results
from .fallback import failed_reloads, loads_in_fresh_process
from .hooks import Core
from .settle import changed_again, real_failures

log = logging.getLogger("devserver")


class AfterReload:
    """Settle, report, and fall back to a restart (a mixin of ``Supervisor``)."""

    async def _report(self: Core, results: list[ReloadJson]) -> None:
        """The console lines of a reload, but for failures of files still being written."""
        failed = real_failures(results)
        again = await changed_again(self.changes, self.layout, failed) if failed else set()
        if again:
            log.info("%s changed again while reloading: reloading again", ", ".join(sorted(again)))
        settled = [r for r in results if r["extension"] not in again]
        report_results(settled)
        self._restart_if_only_a_restart_helps(settled)

    def _restart_if_only_a_restart_helps(self: Core, results: list[ReloadJson]) -> None:
        """The restart-only hook: a reload that failed only because the worker holds state of
        the previous version (the new code loads in a fresh process) restarts the worker. The
        check runs beside the loop, so the next edit is not kept waiting for it."""
        for result in results:
            self.reloads[result["extension"]] += 1
            if result["ok"]:
                self.restart_only.pop(result["extension"], None)
        failed = failed_reloads(results)
        if failed and self.worker is not None:
            env = {**os.environ, SPEC_ENV: self.worker.spec.to_env()}
            seen = {name: self.reloads[name] for name in failed}
            self._track(self._restart_if_fresh(failed, seen, env))

    async def _restart_if_fresh(
        self: Core, failed: dict[str, str], seen: dict[str, int], env: dict[str, str]
    ) -> None:
        verdicts = await loads_in_fresh_process(list(failed), env)
        async with self.lock:
            for name in sorted(n for n, ok in verdicts.items() if not ok):
                log.info("%s fails in a fresh process too: the new code is at fault", name)
            # An extension reloaded again since has a newer verdict of its own.
            fresh = sorted(n for n, ok in verdicts.items() if ok and self.reloads[n] == seen[n])
            reasons = {name: failed[name] for name in fresh}
            if not reasons or self.stopping.is_set():
                return
            self.restart_only.update(reasons)
            started = time.monotonic()
            await self._restart("hot reload not possible for " + ", ".join(reasons))
        took = time.monotonic() - started
        for name, reason in reasons.items():
            log.warning(
                "hot reload not possible for %s: %s; restarted in %.1f s", name, reason, took
            )
