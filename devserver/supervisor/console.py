"""What the supervisor tells the user on its console: where the server is, and what each
reload did. A failure is told once, by the worker that had it (``devserver.outcomes`` words
both): the supervisor, in the same terminal, does not repeat it."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from devserver.apijson import ReloadJson
from devserver.outcomes import is_failure, reload_line
from devserver.protocol import ReadyMessage

log = logging.getLogger("devserver")


def announce(ready: ReadyMessage, token: str, installing: bool = False) -> None:
    """Tell the user where the server is, and which extensions loaded and which failed (and,
    while the start's install still runs beside the worker, that it may bring what they miss)."""
    url = ready["url"].rstrip("/") + "/"
    extensions = ready["extensions"]
    loaded = sorted(n for n, e in extensions.items() if e["state"] == "loaded")
    failed = sorted(n for n, e in extensions.items() if e["state"] == "failed")
    log.info("serving %s?token=%s (worker %s)", url, token, ready["pid"])
    log.info("dashboard: %s_introspect?token=%s", url, token)
    log.info("extensions loaded: %s", ", ".join(loaded) or "none")
    if failed:
        wait = (
            "; the install is still running: if it brings what they need, the worker restarts "
            "when it ends"
            if installing
            else ""
        )
        log.error("extensions failed: %s (the worker said why, above%s)", ", ".join(failed), wait)


def report_results(results: Iterable[ReloadJson]) -> None:
    """One console line per reloaded extension, except for failures the worker logged."""
    for result in results:
        if result["ok"]:
            log.info("%s", reload_line(result))
        elif not is_failure(result):
            log.warning("%s", reload_line(result))
