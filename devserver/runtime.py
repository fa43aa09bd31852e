"""Runs in the supervisor and the CLI: the runtime file by which the CLI finds a running
supervisor, ``devserver-<pid>.json`` in Jupyter's runtime folder, and the worker's own
``jpserver-<pid>`` files there."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict

from jupyter_core.paths import jupyter_runtime_dir

from devserver.urls import server_url

#: The supervisors' runtime files, as a glob in ``runtime_folder()``.
PATTERN = "devserver-*.json"


def runtime_folder() -> Path:
    """Jupyter's runtime folder (``$JUPYTER_RUNTIME_DIR`` or the platform's default)."""
    return Path(jupyter_runtime_dir())


class RuntimeInfo(TypedDict):
    """What ``devserver-<pid>.json`` holds: the supervisor's pid and URL (a file without them
    is no one's), its token, and what it serves (``devserver.cli.choose``)."""

    pid: int
    url: str
    base_url: NotRequired[str]
    port: NotRequired[int]
    token: NotRequired[str]
    #: The PATHs given to ``devserver run``.
    projects: NotRequired[list[str]]
    extensions: NotRequired[list[str]]


@dataclass(frozen=True)
class RuntimeFile:
    """``devserver-<pid>.json``: how the CLI finds this server."""

    path: Path

    @classmethod
    def write(
        cls,
        ip: str,
        port: int,
        base_url: str,
        token: str,
        served: Mapping[str, list[str]] | None = None,
    ) -> RuntimeFile:
        """Write this process's file; the URL names a host a client can reach. ``served``: its
        ``projects`` (the PATHs) and ``extensions``, so the CLI can tell two servers apart.

        >>> RuntimeFile.write("::1", 8888, "/", "t").read()["url"]  # doctest: +SKIP
        'http://[::1]:8888/'
        """
        folder = runtime_folder()
        # Private, as Jupyter makes it: it holds tokens and kernel connection files.
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        remove_stale_files(folder)
        path = folder / PATTERN.replace("*", str(os.getpid()))
        info = RuntimeInfo(
            pid=os.getpid(),
            url=server_url(ip, port, base_url),
            base_url=base_url,
            port=port,
            token=token,
        )
        served = served or {}
        if "projects" in served:
            info["projects"] = served["projects"]
        if "extensions" in served:
            info["extensions"] = served["extensions"]
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
    folder = runtime_folder()
    for name in (f"jpserver-{pid}.json", f"jpserver-{pid}-open.html"):
        (folder / name).unlink(missing_ok=True)
