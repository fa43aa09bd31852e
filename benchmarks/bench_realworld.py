"""Real extensions (from their PyPI sources): edit → new response, beside `jupyter server
--autoreload` on the same code.

Each extension's handler module gets a line that makes its responses carry a header; the figure
is the time from writing the file until a response carries the new value. Beside it, the reload
transaction's own duration as the worker reports it (``last_reload.duration_ms``): what is left
between the two is the watcher, the control channel and the new code's first response (for
jupyter-lsp, its manager's lazy ``initialize()``: see docs/realworld.md). The sources are the
real-world test suite's (``tests/realworld/projects.py``): downloaded once into the cache.
``BENCH_REALWORLD_EDITS`` sets the number of edits (default 10; the baseline gets a third as
many, each after ``SETTLE`` seconds for its watcher to settle); ``BENCH_REALWORLD_ONLY=a,b`` picks
extensions.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.realworld.cycle import edit_snippet
from tests.realworld.projects import (
    EDIT_HEADER,
    EXTENSIONS,
    RealExtension,
    download,
    install_requirements,
    linked_copy,
    replace_text,
    runtime_requirements,
    unpack,
)

from .common import (
    Server,
    devserver_cmd,
    free_port,
    isolated_env,
    jupyter_cmd,
    p50,
    percentile,
    poll,
    row,
    server,
)

BASELINE = "jupyter server --autoreload"
#: Seconds the baseline gets before each edit: tornado's autoreload takes the modification times
#: at its first check after a (re)start as its baseline, so an edit made earlier is never seen.
SETTLE = 3.0


def edits() -> int:
    return max(1, int(os.environ.get("BENCH_REALWORLD_EDITS", "10")))


def edit_and_wait(srv: Server, ext: RealExtension, path: Path, original: str, tag: str) -> float:
    started = time.perf_counter()
    replace_text(path, original + edit_snippet(ext.handler, tag))
    poll(lambda: srv.client.get(ext.url).headers.get(EDIT_HEADER) == tag, 60)
    return (time.perf_counter() - started) * 1000


def measure(
    srv: Server,
    ext: RealExtension,
    root: Path,
    count: int,
    settle: float,
    reloads: list[float] | None = None,
) -> list[float]:
    """Edit → new response for ``count`` edits; each reload's own duration into ``reloads``."""
    path = root / ext.module
    original = path.read_text(encoding="utf-8")
    out = []
    try:
        for i in range(count):
            time.sleep(settle)
            out.append(edit_and_wait(srv, ext, path, original, f"e{i}"))
            took = reload_ms(srv, ext.name) if reloads is not None else None
            if reloads is not None and took is not None:
                reloads.append(took)
    finally:
        replace_text(path, original)  # the next server starts from the same code
    return out


def reload_ms(srv: Server, name: str) -> float | None:
    """The duration of the extension's last reload transaction, as the worker measured it; None
    when a restart served the edit (a restart-only extension: the new worker has not reloaded)."""
    last = srv.client.get(f"_introspect/api/extensions/{name}").json()["last_reload"]
    return None if last is None else float(last["duration_ms"])


def one(ext: RealExtension, source: Path, count: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        work = Path(tmp)
        (work / "extensions").mkdir()
        root = linked_copy(source, work / "extensions")
        port = free_port()
        cmd = [*devserver_cmd(work, port, *ext.args)]
        reloads: list[float] = []
        with server(cmd, work, port, isolated_env(work)) as srv:
            ours = measure(srv, ext, root, count, 0.0, reloads)
        port = free_port()
        env = isolated_env(work, {"PYTHONPATH": str(root)})
        base_cmd = jupyter_cmd(
            work, port, "--autoreload", f"--ServerApp.jpserver_extensions={ext.name}=True",
            *ext.args,
        )  # fmt: skip
        base: list[float] = []
        try:
            with server(base_cmd, work, port, env) as srv:
                base = measure(srv, ext, root, max(1, count // 3), SETTLE)
        except TimeoutError:  # the baseline never served the edit: shown as such, not a crash
            pass
    name = f"{ext.name}: edit → new response"
    edits_done = f"{len(ours)} / {len(base)} edits"
    return [
        row(name, f"p50 ({edits_done})", round(p50(ours), 1), BASELINE, _fig(p50, base), "ms"),
        row(name, f"p95 ({edits_done})", round(percentile(ours, 95), 1), BASELINE,
            _fig(lambda v: percentile(v, 95), base), "ms"),
        row(f"{ext.name}: reload transaction (in the worker)", f"p50 ({len(reloads)} reloads)",
            round(p50(reloads), 1) if reloads else "restarts, no reload",
            "its edit → new response p50", round(p50(ours), 1), "ms"),
    ]  # fmt: skip


def _fig(stat: Callable[[list[float]], float], values: list[float]) -> float | str:
    return round(stat(values), 1) if values else "edit not served in 60 s"


def run() -> list[dict[str, Any]]:
    only = os.environ.get("BENCH_REALWORLD_ONLY", "")  # comma-separated names, for a quick check
    exts = [e for e in EXTENSIONS.values() if not only or e.name in only.split(",")]
    download(exts)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="devserver-bench-src-") as tmp:
        sources = {e.name: unpack(e, Path(tmp)) for e in exts}
        install_requirements([r for e in exts for r in runtime_requirements(sources[e.name])])
        for ext in exts:
            rows.extend(one(ext, sources[ext.name], edits()))
    return rows
