"""TypeScript edit → rebuilt bundle on disk → open /lab page reloaded, beside `jlpm watch` alone.

The project is the JupyterLab extension template of the frontend tests (``tests/frontend``, its
node packages from the same cache). Each edit changes the message that ``src/index.ts`` logs when
the plugin activates, so that two moments can be seen: the first bundle file in
``labextension/static`` that holds the new message (the bundle on disk), and the open /lab page
in headless Chromium logging it (the page reloaded, running the new code).

The baseline is the project's own ``jlpm run watch`` run by hand, no dev server: only the bundle
on disk can be timed there, since the reload is the user's F5; its row says so.
``BENCH_FRONTEND_EDITS`` sets the number of edits (default 5).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from devserver.supervisor.frontend import detect, link
from tests.conftest import CHROMIUM_ARGS
from tests.frontend.conftest import copy_template, ensure_node_cache, fake_distribution, lab_env

from .common import TOKEN, devserver_cmd, free_port, p50, percentile, poll, row, server

INDEX = "src/index.ts"
MESSAGE = re.compile(r"is activated[^!']*!")
STATIC = "acme_stats/labextension/static"
BASELINE = "jlpm watch alone"


def edits() -> int:
    return max(1, int(os.environ.get("BENCH_FRONTEND_EDITS", "5")))


@contextmanager
def project() -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh copy of the template under ``extensions/`` and the environment to run it in."""
    with tempfile.TemporaryDirectory(prefix="devserver-bench-frontend-") as tmp:
        root = Path(tmp)
        (root / "extensions").mkdir()
        copy_template(root / "extensions", ensure_node_cache())
        env = {**lab_env(root / "home"), "PYTHONPATH": str(fake_distribution(root / "dist"))}
        yield root, env


def edit(root: Path, marker: str) -> None:
    path = root / "extensions/acme_stats" / INDEX
    path.write_text(MESSAGE.sub(f"is activated ({marker})!", path.read_text()))


def bundle_with(static: Path, marker: str, seen: dict[str, int]) -> bool:
    """Whether a new or rewritten ``.js`` file of ``static`` holds ``marker``."""
    for path in static.glob("*.js"):
        try:
            mtime = path.stat().st_mtime_ns
            if seen.get(path.name) == mtime:
                continue
            seen[path.name] = mtime
            if marker in path.read_text(errors="replace"):
                return True
        except OSError:
            continue
    return False


def time_to_bundle(root: Path, marker: str, started: float) -> float:
    """Seconds from ``started`` until the bundle on disk holds ``marker``."""
    static = root / "extensions/acme_stats" / STATIC
    seen: dict[str, int] = {}
    poll(lambda: bundle_with(static, marker, seen), timeout=300, interval=0.01)
    return time.perf_counter() - started


def devserver_edits(count: int) -> tuple[list[float], list[float]]:
    """Edit → bundle on disk and edit → /lab reloaded running it, in seconds, per edit."""
    with project() as (root, env):
        port = free_port()
        cmd = devserver_cmd(root, port)
        with server(cmd, root, port, env) as srv:
            poll(lambda: frontend_state(srv.client) == "ok", timeout=600, interval=0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.set_default_timeout(120_000)
                with page.expect_console_message(lambda m: "acme-stats is activated" in m.text):
                    page.goto(f"{srv.url}lab?token={TOKEN}")
                disk, reload = [], []
                for i in range(count):
                    on_disk, reloaded = one_edit(root, page, f"bench edit {i}")
                    disk.append(on_disk)
                    reload.append(reloaded)
                browser.close()
    return disk, reload


def one_edit(root: Path, page: Page, marker: str) -> tuple[float, float]:
    """Edit, then wait for the page to log the new message while a thread watches the disk."""
    disk: list[float] = []
    started = time.perf_counter()
    edit(root, marker)
    watcher = threading.Thread(target=lambda: disk.append(time_to_bundle(root, marker, started)))
    watcher.start()
    logged: list[float] = []
    with page.expect_console_message(seen(marker, logged, started), timeout=300_000):
        pass
    watcher.join(300)
    page.wait_for_selector(".jp-LauncherCard")  # the page is usable before the next edit
    return disk[0], logged[0]


def seen(marker: str, logged: list[float], started: float) -> Callable[[ConsoleMessage], bool]:
    def check(message: ConsoleMessage) -> bool:
        if marker in message.text:
            logged.append(time.perf_counter() - started)
            return True
        return False

    return check


def frontend_state(client: httpx.Client) -> str | None:
    record = client.get("_introspect/api/extensions/acme_stats").json()
    return (record.get("frontend") or {}).get("state")


def baseline_edits(count: int) -> list[float]:
    """Edit → bundle on disk with the project's watch script run by hand."""
    with project() as (root, env):
        # The builder imports the Python package, as `pip install -e .` would let it.
        project_dir = root / "extensions/acme_stats"
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(project_dir)])
        # `jupyter labextension develop`, as the template's README says (into the bench's own
        # data folder): else the builder's watch links into this Python's environment.
        frontend = detect(project_dir)
        assert frontend is not None
        link(frontend, Path(env["JUPYTER_DATA_DIR"]) / "labextensions")
        log = root / "watch.log"
        jlpm = str(Path(sys.executable).parent / "jlpm")
        # The template's README: `jlpm build` once, then `jlpm watch` (the dev server does both).
        with log.open("wb") as out:
            build = [jlpm, "run", "build"]
            subprocess.run(build, cwd=project_dir, env=env, stdout=out, stderr=out, check=True)
            proc = subprocess.Popen(
                [jlpm, "run", "watch"],
                cwd=project_dir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            poll(lambda: watching(log, proc), timeout=600, interval=0.2)
            times = []
            for i in range(count):
                started = time.perf_counter()
                edit(root, f"baseline edit {i}")
                times.append(time_to_bundle(root, f"baseline edit {i}", started))
            return times
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)


def watching(log: Path, proc: subprocess.Popen[bytes]) -> bool:
    """Whether both halves of the watch script are watching (tsc's verdict, a bundle);
    RuntimeError with its output if it exited."""
    output = log.read_text(errors="replace")
    if proc.poll() is not None:
        raise RuntimeError(f"jlpm run watch exited ({proc.returncode}):\n{output[-3000:]}")
    return "Found 0 errors" in output and "compiled successfully" in output


def ms(values: list[float], name: str) -> int:
    return round((p50(values) if name == "p50" else percentile(values, 95)) * 1000)


def run() -> list[dict[str, Any]]:
    count = edits()
    disk, reload = devserver_edits(count)
    base = baseline_edits(count)
    f5 = f"{BASELINE} + F5 (bundle on disk; the reload is the user's)"
    figures = []
    for name in ("p50", "p95"):
        on_disk = f"TS edit → bundle on disk, {name} ({count} edits)"
        reloaded = f"TS edit → /lab reloaded running it, {name}"
        figures.append(row("frontend", on_disk, ms(disk, name), BASELINE, ms(base, name), "ms"))
        figures.append(row("frontend", reloaded, ms(reload, name), f5, ms(base, name), "ms"))
    return figures
