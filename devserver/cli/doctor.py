"""``devserver doctor NAME``: is this extension safe to hot-reload?

Asks the running dev server to reload the extension ``--times`` times and to list what the old
versions left behind (threads, PeriodicCallbacks, tasks, routes, settings, classes, memory; see
``devserver.agent.audit``). Prints one line per check, or the API's JSON with ``--json``. Exit
codes: 0 nothing leaks, 7 something does, 6 a reload failed, 2 unknown name or bad --times,
4 no server, 5 refused.
"""

from __future__ import annotations

from urllib.parse import quote

from traitlets import Int

from devserver.apijson import AuditJson
from devserver.errors import ApiError, ConfigError, ReloadFailed, ReloadUnsafe
from devserver.typedjson import conforms

from .apicli import ApiCommand, table


class DoctorApp(ApiCommand):
    """Reload an extension N times and list what leaks (threads, callbacks, classes, memory).

    Usage: devserver doctor NAME [--times N]
    """

    name = "devserver doctor"
    description = __doc__ or ""
    times = Int(5, help="How many reloads the audit runs (1 to 50).").tag(config=True)
    aliases = {**ApiCommand.aliases, "times": "DoctorApp.times"}

    def start(self) -> None:
        if len(self.extra_args) != 1:
            raise ConfigError("usage: devserver doctor NAME [--times N] (one extension name)")
        name = self.extra_args[0]
        client = self.client()
        path = f"extensions/{quote(name, safe='')}/audit?times={self.times}"
        status, result = client.request("POST", path)
        if status in (400, 404):
            raise ConfigError(f"devserver doctor {name}: {result.get('error')}")
        if status >= 400 or not conforms(result, AuditJson):
            raise ApiError(f"the dev server could not audit {name!r} ({status}): {result}")
        self.emit(result, describe_audit(result))
        failed = [c["check"] for c in result["checks"] if not c["ok"]]
        if "reloads" in failed:
            raise ReloadFailed(f"{name} failed to reload; fix that first (devserver errors)")
        if failed:
            raise ReloadUnsafe(f"{name} is not reload-safe: {', '.join(failed)}")


def describe_audit(result: AuditJson) -> str:
    """The table ``devserver doctor`` prints, then every finding on its own line."""
    rows = [["ok" if c["ok"] else "FAIL", c["check"], c["summary"]] for c in result["checks"]]
    also = [p for p in result.get("packages", []) if p != result["extension"]]
    checked = f" (with {', '.join(also)}, reloaded with it)" if also else ""
    lines = [
        f"{result['extension']}{checked}: {result['times']} reloads in {result['duration_ms']} ms",
        table(["result", "check", "summary"], rows),
    ]
    for check in result["checks"]:
        lines.extend(f"  {check['check']}: {item}" for item in check["items"])
    return "\n".join(lines)
