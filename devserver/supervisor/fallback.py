"""Restart-only: what cannot reload in place restarts the worker by itself.

Some extensions keep state in the process that a second version of their code collides with
(jupyter-resource-usage registers prometheus metrics in a process-wide registry: every reload
fails with "Duplicated timeseries"). A failed reload is therefore checked in a fresh process
(``python -m devserver.agent.probe``): if the new code loads there, only a restart brings it, and
the supervisor restarts the worker with that reason; if it fails there too, the new code is wrong
and the old code keeps serving, as for any failed reload.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterable

from devserver.apijson import ReloadJson

log = logging.getLogger("devserver")
#: Error types of a reload result that no process state explains: not the extension's own
#: failure, code that does not even compile, an import stuck past its deadline (never restart
#: into code known to hang), or a module missing from the watched folder (a fresh process could
#: find another installed copy of the package). These are not checked in a fresh process.
NOT_PROCESS_STATE = frozenset(
    {
        "Disabled",
        "NotReloaded",
        "SyntaxError",
        "IndentationError",
        "TabError",
        "ImportStuck",
        "ModuleNotFoundError",
    }
)
#: Seconds the fresh process gets to load the extensions.
PROBE_TIMEOUT = 60.0
REASON_CHARS = 160


def failed_reloads(results: Iterable[ReloadJson]) -> dict[str, str]:
    """The extensions whose new code failed to reload, each with a one-line reason.

    >>> failed_reloads([{"extension": "x", "ok": False,
    ...                  "error": {"type": "ValueError", "message": "Duplicated timeseries"}}])
    {'x': 'ValueError: Duplicated timeseries'}
    """
    out: dict[str, str] = {}
    for result in results:
        error = result["error"]
        if not result["ok"] and error is not None and error["type"] not in NOT_PROCESS_STATE:
            reason = f"{error['type']}: {error['message']}".splitlines()[0]
            out[result["extension"]] = reason[:REASON_CHARS]
    return out


async def loads_in_fresh_process(names: list[str], env: dict[str, str]) -> dict[str, bool]:
    """For each name the check could decide: whether its current code imports, links and loads
    in a new process. A name the check could not decide is left out, with a warning."""
    pipe, devnull = asyncio.subprocess.PIPE, asyncio.subprocess.DEVNULL
    command = [sys.executable, "-m", "devserver.agent.probe", *names]
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, stdin=devnull, stdout=pipe, stderr=pipe
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        log.warning("checking %s in a fresh process took over %.0f s", names, PROBE_TIMEOUT)
        return {}
    verdicts = dict(_verdicts(out.decode(errors="replace")))
    if set(names) - set(verdicts):
        last = (err.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        log.warning("could not check %s in a fresh process: %s", ", ".join(names), last)
    return verdicts


def _verdicts(output: str) -> list[tuple[str, bool]]:
    """The probe's JSON lines (an extension may print other lines while it loads)."""
    found: list[tuple[str, bool]] = []
    for line in output.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "name" in data:
            found.append((str(data["name"]), bool(data.get("ok"))))
    return found
