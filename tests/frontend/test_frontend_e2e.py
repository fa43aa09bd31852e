"""End to end: `devserver run` on a copy of the JupyterLab extension template builds and watches
its frontend, serves /lab with it, and tells open JupyterLab pages about each build.

One dev server serves the whole module (its first build is the slow part); each test leaves the
project building cleanly for the next.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.conftest import (
    CHROMIUM_ARGS,
    REPO,
    TOKEN,
    DevServer,
    alive,
    children,
    free_port,
    wait_until,
)
from tests.kernelclient import kernel_pids

from .conftest import (
    copy_template,
    fake_distribution,
    folder_ids,
    inotify_watches,
    lab_env,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ARTIFACTS = REPO / "artifacts" / "frontend"
INDEX = "src/index.ts"
ACTIVATED = re.compile(r"is activated[^!']*!")


def frontend(server: DevServer) -> dict[str, Any]:
    record = server.get("_introspect/api/extensions/acme_stats").json()
    return record["frontend"] or {}


def wait_for_build(server: DevServer, after: float, state: str = "ok") -> dict[str, Any]:
    """The frontend record once a build later than ``after`` finished in ``state``."""

    def check() -> dict[str, Any] | None:
        f = frontend(server)
        done = f.get("state") == state and (f.get("last_build") or 0) > after
        return f if done else None

    return wait_until(check, timeout=180, interval=0.2, what=f"a build ending {state}")


@contextmanager
def start_lab(tmp: Path, node_cache: Path, env: dict[str, str]) -> Iterator[DevServer]:
    """`devserver run` on a fresh copy of the template in ``tmp``, its first build done."""
    root = tmp / "extensions"
    root.mkdir()
    copy_template(root, node_cache)
    env = {**env, "PYTHONPATH": str(fake_distribution(tmp / "dist"))}
    port = free_port()
    log_path = tmp / "devserver.log"
    cmd = [sys.executable, "-m", "devserver", "run", str(root), "--port", str(port), "--verbose",
           "--token", TOKEN, "--install=never", f"--ServerApp.root_dir={tmp}"]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=tmp, env=env,
                                stdin=subprocess.DEVNULL)  # fmt: skip
    server = DevServer(proc, root, port, "/", TOKEN, log_path, Path(env["JUPYTER_RUNTIME_DIR"]))
    try:
        wait_until(lambda: proc.poll() is not None or "dashboard: http" in server.log(),
                   timeout=60, what="the dev server to start")  # fmt: skip
        assert proc.poll() is None, server.log()
        wait_for_build(server, after=0)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab(
    tmp_path_factory: pytest.TempPathFactory, node_cache: Path, isolated_module_env: dict[str, str]
) -> Iterator[DevServer]:
    """`devserver run` on a fresh copy of the template, its first build done."""
    with start_lab(tmp_path_factory.mktemp("lab"), node_cache, isolated_module_env) as server:
        yield server


@pytest.fixture(scope="module")
def isolated_module_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return lab_env(tmp_path_factory.mktemp("home"))


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def page_config(server: DevServer) -> dict[str, Any]:
    html = server.get("lab").text
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)  # fmt: skip
    assert match, html[:500]
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def static_files(server: DevServer) -> set[str]:
    return {p.name for p in (server.root / "acme_stats/acme_stats/labextension/static").iterdir()}


def test_run_builds_the_frontend_and_lab_lists_the_plugin(lab: DevServer) -> None:
    """The first build ends ok, and /lab's page config loads acme-stats from the dev build."""
    f = frontend(lab)
    assert f["state"] == "ok"
    assert f["errors"] == []
    listed = {e["name"]: e for e in page_config(lab)["federated_extensions"]}
    built = json.loads((lab.root / "acme_stats/acme_stats/labextension/package.json").read_text())
    assert listed["acme-stats"]["load"] == built["jupyterlab"]["_build"]["load"]
    assert "(development build)" in lab.log()
    assert "frontend acme-stats: ✓ built in" in lab.log()


def test_typescript_edit_gives_a_new_bundle_and_a_later_build(lab: DevServer) -> None:
    """An edit of src/index.ts writes new files to labextension/static; state ok, later."""
    before, files = frontend(lab)["last_build"], static_files(lab)
    lab.edit(f"acme_stats/{INDEX}", "is activated!", "is activated (edit 1)!")
    after = wait_for_build(lab, before)
    assert static_files(lab) - files, "no new bundle file"
    assert after["duration_ms"] > 0


def test_typescript_error_fails_with_file_and_line_and_the_fix_recovers(lab: DevServer) -> None:
    """A type error gives failed with src/index.ts and its line; fixing it gives ok again."""
    path = lab.root / "acme_stats" / INDEX
    text = path.read_text()
    lines = text.splitlines()
    line = lines.index(next(x for x in lines if "activate: (app" in x)) + 2  # the next line
    before = frontend(lab)["last_build"]
    anchor = "    console.log('JupyterLab extension"
    lab.edit(f"acme_stats/{INDEX}", anchor, "    const n: number = 'x';\n" + anchor)
    failed = wait_for_build(lab, before, "failed")
    # TS2322 (string is not number) and TS6133 (n is never read), both on the new line
    assert {(e["file"], e["line"]) for e in failed["errors"]} == {(INDEX, line)}
    assert any("TS2322" in e["message"] for e in failed["errors"])
    assert f"{INDEX}:{line}: TS2322" in lab.log()
    cmd = [sys.executable, "-m", "devserver", "status", "--url", lab.url, "--token", lab.token]
    shown = rf"frontend acme_stats +failed, built .*: {INDEX}:{line} TS2322"
    outputs: list[str] = []

    def status_shows_it() -> bool:  # the bundler may be rebuilding for a moment ("building")
        outputs.append(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        return re.search(shown, outputs[-1]) is not None

    wait_until(status_shows_it, what=f"devserver status to show the failed build: {outputs}")
    path.write_text(text)
    wait_for_build(lab, failed["last_build"])


def test_open_lab_page_reloads_after_a_rebuild_and_shows_errors(lab: DevServer) -> None:
    """A /lab page reloads itself after a new build, and shows a failed build's errors."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page: Page = browser.new_page(viewport={"width": 1300, "height": 800})
        page.set_default_timeout(60_000)
        with page.expect_console_message(lambda m: "acme-stats is activated" in m.text):
            page.goto(f"{lab.url}lab?token={lab.token}")
        page.wait_for_selector("#jp-main-dock-panel")
        page.evaluate("window.__beforeRebuild = true")
        # Playwright delivers page events only while it is called: wait through it.
        with page.expect_console_message(lambda m: "edit 2" in m.text, timeout=120_000):
            lab.edit(f"acme_stats/{INDEX}", "is activated", "is activated (edit 2)")
        assert page.evaluate("window.__beforeRebuild") is None  # a new document
        page.wait_for_selector(".jp-LauncherCard")
        page.screenshot(path=str(ARTIFACTS / "lab-reloaded.png"))
        before = frontend(lab)["last_build"]
        lab.edit(f"acme_stats/{INDEX}", "autoStart: true", "autoStart: 'yes'")
        box = page.wait_for_selector("#devserver-build-errors")
        assert box is not None
        assert INDEX in box.inner_text()
        page.screenshot(path=str(ARTIFACTS / "lab-build-errors.png"))
        failed = wait_for_build(lab, before, "failed")
        lab.edit(f"acme_stats/{INDEX}", "autoStart: 'yes'", "autoStart: true")
        wait_for_build(lab, failed["last_build"])
        browser.close()


def test_python_edit_still_hot_reloads_with_the_kernel_kept(lab: DevServer) -> None:
    """routes.py edits are served by the same worker at once; a kernel started before lives."""
    kernel = lab.client.post("api/kernels", json={"name": "python3"}).json()
    worker = lab.worker_pid()
    assert worker is not None
    kpids = wait_until(lambda: kernel_pids(lab.proc.pid), what="the kernel process")
    lab.edit("acme_stats/acme_stats/routes.py", "Hello, world!", "Howdy, world!")
    wait_until(lambda: "Howdy" in lab.get("acme-stats/hello").text, what="the new handler")
    assert lab.worker_pid() == worker
    assert kernel["id"] in [k["id"] for k in lab.get("api/kernels").json()]
    assert all(alive(p) for p in kpids)


def relog(path: Path, marker: str) -> None:
    """Make the plugin log ``marker`` when it activates."""
    path.write_text(ACTIVATED.sub(f"is activated ({marker})!", path.read_text()))


def test_each_edit_reloads_an_open_lab_page_once(lab: DevServer) -> None:
    """A TypeScript edit reloads an open /lab page once, straight into the new code (the
    bundler's early rebuild from the .ts file, on the old lib/, is no build) and logs one build."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page: Page = browser.new_page()
        page.set_default_timeout(60_000)
        page.add_init_script("sessionStorage.loads = String(Number(sessionStorage.loads || 0) + 1)")
        with page.expect_console_message(lambda m: "acme-stats is activated" in m.text):
            page.goto(f"{lab.url}lab?token={lab.token}")
        for loads, marker in ((2, "once 1"), (3, "once 2")):  # the second catches a late double
            built = lab.log().count("frontend acme-stats: ✓ built in")
            with page.expect_console_message(
                lambda m, marker=marker: marker in m.text, timeout=120_000
            ):
                relog(lab.root / "acme_stats" / INDEX, marker)
            assert page.evaluate("sessionStorage.loads") == str(loads)
            assert lab.log().count("frontend acme-stats: ✓ built in") == built + 1
        browser.close()


def test_the_supervisor_has_no_os_watch_inside_node_modules(lab: DevServer) -> None:
    """The supervisor's inotify watches cover the sources but no folder of node_modules."""
    watched = inotify_watches(lab.proc.pid)
    assert folder_ids(lab.root / "acme_stats/src") <= watched
    assert not watched & folder_ids(lab.root / "acme_stats/node_modules")


def test_stopping_the_dev_server_stops_the_watch_script(lab: DevServer) -> None:
    """SIGTERM to the supervisor ends the watch script's whole process group."""
    watchers = [p for p in children(lab.proc.pid) if b"watch" in cmdline(p)]
    assert watchers
    lab.proc.send_signal(signal.SIGTERM)
    lab.proc.wait(30)
    wait_until(lambda: not any(alive(p) for p in watchers), what="the watch script to stop")


def project_processes(root: Path) -> list[int]:
    """The processes running in the project folder ``root`` (the watch script's)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(proc / "cwd")).is_relative_to(root):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_sigkill_of_the_supervisor_leaves_no_watch_script(
    tmp_path: Path, node_cache: Path, isolated_module_env: dict[str, str]
) -> None:
    """A supervisor killed with SIGKILL leaves no process of the watch script behind."""
    with start_lab(tmp_path, node_cache, isolated_module_env) as server:
        project = (server.root / "acme_stats").resolve()
        watch = project_processes(project)
        assert any(b"node" in cmdline(p) for p in watch), [cmdline(p) for p in watch]
        server.proc.kill()
        server.proc.wait(10)
        wait_until(lambda: not [p for p in watch if alive(p)], timeout=30,
                   what=f"the watch script's processes {watch} to end")  # fmt: skip
        assert not project_processes(project)
