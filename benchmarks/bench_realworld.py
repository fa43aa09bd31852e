"""Real extensions (from their PyPI sources): edit → new response, beside `jupyter server
--autoreload` on the same code.

Each extension's handler module gets a line that makes its responses carry a header; the figure
is the time from writing the file until a response carries the new value. The sources are the
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


def measure(srv: Server, ext: RealExtension, root: Path, count: int, settle: float) -> list[float]:
    path = root / ext.module
    original = path.read_text(encoding="utf-8")
    out = []
    try:
        for i in range(count):
            time.sleep(settle)
            out.append(edit_and_wait(srv, ext, path, original, f"e{i}"))
    finally:
        replace_text(path, original)  # the next server starts from the same code
    return out


def one(ext: RealExtension, source: Path, count: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="devserver-bench-") as tmp:
        work = Path(tmp)
        (work / "extensions").mkdir()
        root = linked_copy(source, work / "extensions")
        port = free_port()
        cmd = [*devserver_cmd(work, port, *ext.args)]
        with server(cmd, work, port, isolated_env(work)) as srv:
            ours = measure(srv, ext, root, count, 0.0)
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
