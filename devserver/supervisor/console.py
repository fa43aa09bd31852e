"""What the supervisor tells the user on its console: where the server is, and what each
reload did."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("devserver")


def announce(ready: dict[str, Any], token: str, base_url: str) -> None:
    """Tell the user where the server is and which extensions failed."""
    url = str(ready.get("url", "")).rstrip("/") + "/"
    extensions = ready.get("extensions", {})
    loaded = sorted(n for n, e in extensions.items() if e["state"] == "loaded")
    log.info("serving %s?token=%s (worker %s)", url, token, ready.get("pid"))
    log.info("dashboard: %s_introspect?token=%s", url, token)
    log.info("extensions loaded: %s", ", ".join(loaded) or "none")
    for name, ext in sorted(extensions.items()):
        for error in ext.get("errors", []):
            log.error(
                "✗ %s failed at %s: %s: %s (%s:%s)",
                name, error["phase"], error["type"], error["message"], error["file"], error["line"],
            )  # fmt: skip


def report_results(results: list[dict[str, Any]]) -> None:
    """One console line per reloaded extension."""
    for r in results:
        if r["ok"]:
            log.info(
                "✓ reloaded %s in %.1f ms (loop held %.1f ms), routes %d → %d",
                r["extension"], r["duration_ms"], r["blocked_ms"],
                r["routes_before"], r["routes_after"],
            )  # fmt: skip
        elif (r["error"] or {}).get("type") == "Disabled":
            log.info("%s is disabled; not reloaded", r["extension"])
        elif (r["error"] or {}).get("type") == "NotReloaded":
            log.warning(
                "  %s kept its previous code too: it imports the one that failed", r["extension"]
            )
        else:
            e = r["error"] or {}
            log.error(
                "✗ reload of %s failed: %s: %s (%s:%s); the previous code keeps serving",
                r["extension"], e.get("type"), e.get("message"), e.get("file"), e.get("line"),
            )  # fmt: skip
