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

from devserver.apijson import ErrorJson, ReloadJson

#: Error types of a reload that did not fail on its own (its message says it all, name included).
NOT_FAILURES = frozenset({"Disabled", "NotReloaded"})


def where(error: ErrorJson) -> str:
    """``file:line`` of an error object, or ``-``.

    >>> where({"file": "/x.py", "line": 3}), where({"file": "/x.py"}), where({"file": None})
    ('/x.py:3', '/x.py', '-')
    """
    if not error.get("file"):
        return "-"
    return f"{error['file']}:{error['line']}" if error.get("line") else str(error["file"])


def error_line(error: ErrorJson) -> str:
    """One line for one failure: its extension, phase, type, message and place."""
    head = f"{error['type']}: {error['message']} ({where(error)})"
    if error["phase"] == "reload":
        return f"✗ reload of {error['extension']} failed: {head}; the previous code keeps serving"
    return f"✗ {error['extension']} failed at {error['phase']}: {head}"


def reload_line(result: ReloadJson) -> str:
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
            + (
                f"; {name} now shadows {shadows} routes"
                if (shadows := result.get("shadows"))
                else ""
            )
        )
    error = result["error"]
    if error is None:  # a failure always carries its error; this reads an odd answer plainly
        return f"✗ reload of {name} failed"
    if error["type"] in NOT_FAILURES:  # the message names the extension
        return error["message"]
    return error_line(error)


def is_failure(result: ReloadJson) -> bool:
    """Whether the result is a reload that failed on its own (its error was logged where it
    happened, by the worker)."""
    error = result["error"]
    return not result["ok"] and (error is None or error["type"] not in NOT_FAILURES)
