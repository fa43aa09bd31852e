"""Runs in every process: how a reload result and an error read, in one place.

The worker's log, the supervisor's console and ``devserver reload`` all print these lines, so a
failure reads the same wherever it is seen (and the supervisor, which shares the worker's
terminal, need not print it a second time).

>>> error = {"extension": "e", "phase": "load", "type": "ImportError", "message": "no x",
...          "file": "/e/__init__.py", "line": 3}
>>> error_line(error)
'✗ e failed at load: ImportError: no x (/e/__init__.py:3)'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Error types of a reload that did not fail on its own (its message says it all, name included).
NOT_FAILURES = frozenset({"Disabled", "NotReloaded"})


def where(error: Mapping[str, Any]) -> str:
    """``file:line`` of an error object, or ``-``.

    >>> where({"file": "/x.py", "line": 3}), where({"file": "/x.py"}), where({"file": None})
    ('/x.py:3', '/x.py', '-')
    """
    if not error.get("file"):
        return "-"
    return f"{error['file']}:{error['line']}" if error.get("line") else str(error["file"])


def error_line(error: Mapping[str, Any]) -> str:
    """One line for one failure: its extension, phase, type, message and place."""
    head = f"{error['type']}: {error['message']} ({where(error)})"
    if error["phase"] == "reload":
        return f"✗ reload of {error['extension']} failed: {head}; the previous code keeps serving"
    return f"✗ {error['extension']} failed at {error['phase']}: {head}"


def reload_line(result: Mapping[str, Any]) -> str:
    """One line for one reload result.

    >>> reload_line({"extension": "e", "ok": True, "mode": "hot", "duration_ms": 1.25,
    ...              "blocked_ms": 0.5, "routes_before": 1, "routes_after": 2,
    ...              "together_with": ["f"]})
    '✓ reloaded e (hot) in 1.2 ms (loop held 0.5 ms), routes 1 → 2; also reloaded f'
    >>> reload_line({"extension": "u", "ok": False, "error": {"type": "Disabled",
    ...              "message": "u is disabled; not reloaded"}})
    'u is disabled; not reloaded'
    """
    name = result["extension"]
    if result["ok"]:
        also = ", ".join(result.get("together_with") or [])
        return (
            f"✓ reloaded {name} ({result['mode']}) in {result['duration_ms']:.1f} ms "
            f"(loop held {result.get('blocked_ms', 0.0):.1f} ms), "
            f"routes {result['routes_before']} → {result['routes_after']}"
            + (f"; also reloaded {also}" if also else "")
        )
    error = result.get("error") or {}
    if error.get("type") in NOT_FAILURES:  # the message names the extension
        return str(error["message"])
    return error_line({"extension": name, "phase": "reload", **error})


def is_failure(result: Mapping[str, Any]) -> bool:
    """Whether the result is a reload that failed on its own (its error was logged where it
    happened, by the worker)."""
    error = result.get("error") or {}
    return not result["ok"] and error.get("type") not in NOT_FAILURES
