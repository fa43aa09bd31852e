"""What a newcomer sees first: one start-up banner, a clear exit for a wrong --app, progress."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devserver.supervisor.progress import last_duration, run_step

from .conftest import Factory, copy_example, free_port

pytestmark = pytest.mark.e2e


def test_one_banner_the_supervisors(devserver_factory: Factory) -> None:
    """The log shows the supervisor's URL and none of jupyter_server's own banner lines."""
    server = devserver_factory("hello_ext")
    log = server.log()
    assert log.count("serving http://") == 1
    assert "Use Control-C to stop this server" not in log
    assert "is running at:" not in log


def test_verbose_keeps_the_workers_banner(devserver_factory: Factory) -> None:
    """--verbose shows jupyter_server's banner too."""
    server = devserver_factory("hello_ext", args=("--verbose",))
    server.wait_for_log("Use Control-C to stop this server")
    assert "serving http://" in server.log()


def test_unknown_app_exits_2_naming_the_apps_found(
    tmp_path: Path, isolated_env: dict[str, str]
) -> None:
    """`devserver run --app nosuch` ends with exit code 2 and names the apps it found, without
    first saying that the worker exited and will be retried."""
    root = tmp_path / "extensions"
    root.mkdir()
    copy_example("greeter_app", root)
    copy_example("hello_ext", root)
    cmd = [sys.executable, "-m", "devserver", "run", str(root), "--port", str(free_port()),
           "--install=never", "--app", "nosuch", f"--ServerApp.root_dir={tmp_path}"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=isolated_env, timeout=90,
                          check=False, cwd=tmp_path)  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "--app 'nosuch' names no loaded ExtensionApp. Loaded apps: " in out
    assert "greeter" in out.split("Loaded apps: ")[1].splitlines()[0]
    assert "refused its configuration" in out
    assert "retries" not in out, out
    assert "exited with code" not in out, out
    assert not list((tmp_path / "home" / "runtime").glob("devserver-*.json"))


def test_long_step_says_it_is_alive_and_remembers_how_long_it_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step prints elapsed time with its current activity while it runs, then its duration;
    the next run of the same step says how long the last one took."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    said: list[str] = []
    script = "import time\nprint('Building editable for demo', flush=True)\ntime.sleep(0.5)\n"
    cmd = [sys.executable, "-c", script]
    result = run_step(cmd, "installing demo (editable)", said.append, key="demo", tick=0.1)
    assert result.returncode == 0
    assert said[0] == "installing demo (editable) …"
    assert any(
        line.startswith("  still installing demo (editable) (")
        and line.endswith("s): Building editable for demo")
        for line in said
    ), said
    assert said[-1].startswith("installing demo (editable): done in ")
    assert last_duration("demo") == pytest.approx(result.seconds, abs=0.1)
    said.clear()
    run_step(cmd, "installing demo (editable)", said.append, key="demo", tick=10)
    assert said[0].startswith("installing demo (editable) … (the last run took ")
