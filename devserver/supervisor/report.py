"""What the supervisor tells the user and leaves for the CLI
(console lines, the runtime file), and its restart backoff."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_path, jupyter_runtime_dir

from devserver.masking import console, secret_values

log = logging.getLogger("devserver")


@dataclass
class Backoff:
    """Delays before restarting a crashed worker: doubling while it keeps failing, back to the
    start once a worker stayed up ``reset_after`` seconds.

    >>> b = Backoff()
    >>> [b.next(uptime=0.1) for _ in range(4)]
    [0.5, 1.0, 2.0, 4.0]
    >>> b.next(uptime=60.0)
    0.5
    """

    initial: float = 0.5
    maximum: float = 30.0
    reset_after: float = 30.0
    _current: float = field(default=0.0, init=False)

    def next(self, uptime: float) -> float:
        if uptime >= self.reset_after or self._current == 0.0:
            self._current = self.initial
        else:
            self._current = min(self._current * 2, self.maximum)
        return self._current


@dataclass(frozen=True)
class RuntimeFile:
    """``devserver-<pid>.json`` in Jupyter's runtime folder: how the CLI finds this server."""

    path: Path

    @classmethod
    def write(
        cls, ip: str, port: int, base_url: str, token: str, served: dict[str, list[str]]
    ) -> RuntimeFile:
        """Write this supervisor's file; ``served``: its ``projects`` (the PATHs) and
        ``extensions``, so the CLI can tell two running dev servers apart."""
        folder = Path(jupyter_runtime_dir())
        # Private, as Jupyter makes it: it holds tokens and kernel connection files.
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        remove_stale_files(folder)
        path = folder / f"devserver-{os.getpid()}.json"
        host = "127.0.0.1" if ip in ("", "0.0.0.0", "::") else ip  # noqa: S104 - compared, not bound
        info = {
            "pid": os.getpid(),
            "url": f"http://{host}:{port}{base_url}",
            "base_url": base_url,
            "port": port,
            "token": token,
            **served,
        }
        # The token is a secret: the file is readable by its owner only, as Jupyter's own are.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(info, f)
        return cls(path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def remove_stale_files(folder: Path) -> None:
    """What killed servers left in the runtime folder: ``devserver-<pid>.json`` and
    ``jpserver-<pid>*`` of processes that are gone, and ``kernel-*.json`` no live process uses."""
    for path in [*folder.glob("devserver-*.json"), *folder.glob("jpserver-*")]:
        pid = path.name.split("-")[1].split(".")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)
    kernels = list(folder.glob("kernel-*.json"))
    if kernels and Path("/proc/self").exists():  # Linux: which files live kernels were given
        in_use = _command_lines()
        for path in kernels:
            if path.name.encode() not in in_use:
                path.unlink(missing_ok=True)


def _command_lines() -> bytes:
    lines = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            lines.append((proc / "cmdline").read_bytes())
        except OSError:
            continue
    return b"\n".join(lines)


def remove_server_files(pid: int) -> None:
    """The ``jpserver-<pid>`` files a killed worker left in the runtime folder (Jupyter's own
    tools would list it as a running server)."""
    folder = Path(jupyter_runtime_dir())
    for name in (f"jpserver-{pid}.json", f"jpserver-{pid}-open.html"):
        (folder / name).unlink(missing_ok=True)


def config_dirs() -> list[Path]:
    """Jupyter's config folders, where server config files and ``jupyter_server_config.d`` live."""
    return [Path(p) for p in jupyter_config_path()]


def announce(ready: dict[str, Any], token: str, base_url: str) -> None:
    """Tell the user where the server is and which extensions failed (their messages masked
    and escaped: only the two lines above may show the token)."""
    secrets = console_secrets(token)
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
                name, error["phase"], error["type"], console(str(error["message"]), secrets),
                error["file"], error["line"],
            )  # fmt: skip


def console_secrets(token: str) -> frozenset[str]:
    """What the supervisor's console lines must not show: the token and secret env values."""
    return secret_values([token], os.environ)


def report_results(results: list[dict[str, Any]], secrets: frozenset[str]) -> None:
    """One console line per reloaded extension; messages masked and escaped (``console``)."""
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
                r["extension"], e.get("type"), console(str(e.get("message")), secrets),
                e.get("file"), e.get("line"),
            )  # fmt: skip
