"""End to end: `devserver run` as a user starts it, real files edited on disk, real HTTP."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Factory, alive, copy_example, wait_until
from .kernelclient import kernel_pids

pytestmark = pytest.mark.e2e

BASE_URLS = ["/", "/a%40b/"]
HELLO = "hello_ext/hello_ext/handlers.py"


def message(server, path: str = "hello") -> str | None:  # type: ignore[no-untyped-def]
    response = server.get(path)
    return response.json().get("message") if response.status_code == 200 else None


@pytest.mark.parametrize("base_url", BASE_URLS)
def test_handler_edit_hot_reloads_and_kernel_survives(
    devserver_factory: Factory, base_url: str
) -> None:
    """Editing a handler serves the new code in place: same worker, kernel listed and alive."""
    server = devserver_factory("hello_ext", "uses_hello", base_url=base_url)
    assert message(server) == "Hello, world!"
    kernel = server.client.post("api/kernels", json={"name": "python3"}).json()
    worker = server.worker_pid()
    assert worker is not None
    (kpid,) = wait_until(lambda: kernel_pids(server.proc.pid), what="kernel")

    server.edit(HELLO, 'GREETING = "Hello"', 'GREETING = "Howdy"')
    wait_until(lambda: message(server) == "Howdy, world!", what="the new greeting")

    assert server.worker_pid() == worker
    ids = [k["id"] for k in server.get("api/kernels").json()]
    assert kernel["id"] in ids
    assert alive(kpid)


def test_dependent_extension_reloads_with_the_one_it_imports(devserver_factory: Factory) -> None:
    """uses_hello imports hello_ext: editing hello_ext changes what uses_hello serves."""
    server = devserver_factory("hello_ext", "uses_hello")
    assert server.get("relay").json() == {"relayed": "Hello, relay!"}
    server.edit(HELLO, 'GREETING = "Hello"', 'GREETING = "Ahoy"')
    wait_until(lambda: server.get("relay").json() == {"relayed": "Ahoy, relay!"}, what="relay")


@pytest.mark.parametrize("base_url", BASE_URLS)
def test_syntax_error_keeps_old_code_and_fix_recovers(
    devserver_factory: Factory, base_url: str
) -> None:
    """A broken edit leaves the old handler serving, names file and line; the fix swaps in."""
    server = devserver_factory("hello_ext", base_url=base_url)
    worker = server.worker_pid()
    path = server.root / HELLO
    path.write_text(path.read_text() + "\ndef broken(:\n")
    line = len(path.read_text().splitlines())
    server.wait_for_log("reload of hello_ext failed: SyntaxError")
    assert re.search(rf"{re.escape(str(path))}:{line}\b", server.log())
    assert message(server) == "Hello, world!"

    path.write_text(
        path.read_text().replace("\ndef broken(:\n", "\n").replace('"Hello"', '"Fixed"')
    )
    wait_until(lambda: message(server) == "Fixed, world!", what="the fixed greeting")
    assert server.worker_pid() == worker


def test_template_edit_is_served_on_next_request(devserver_factory: Factory) -> None:
    """Editing an ExtensionApp's Jinja template changes the rendered page."""
    server = devserver_factory("greeter_app")
    assert "Hi from the greeter extension" in server.get("greeter").text
    server.edit("greeter_app/greeter_app/templates/index.html", "from the", "straight from the")
    wait_until(lambda: "Hi straight from the greeter" in server.get("greeter").text, what="page")


@pytest.mark.parametrize("base_url", BASE_URLS)
def test_extension_app_handler_edit(devserver_factory: Factory, base_url: str) -> None:
    """Editing an ExtensionApp's handler module rebuilds the app and serves the new handler."""
    server = devserver_factory("greeter_app", base_url=base_url)
    before = server.get("greeter/api/greet?name=ann").json()
    assert before["greeting"] == "Hi, ann"
    server.edit("greeter_app/greeter_app/handlers.py", 'f"{self.settings', 'f"NEW {self.settings')
    after = wait_until(
        lambda: (
            (r := server.get("greeter/api/greet?name=ann").json())["greeting"] == "NEW Hi, ann"
            and r
        ),
        what="the new handler",
    )
    assert after["app"] != before["app"], "the ExtensionApp must be a fresh instance"
    server.wait_for_log(f"greeter: stop_extension called on app {before['app']}")
    css = server.get("static/greeter/style.css")
    assert css.status_code == 200
    assert "font-family" in css.text


def test_static_edit_is_served_fresh(devserver_factory: Factory) -> None:
    """An edited static file is served with its new content."""
    server = devserver_factory("greeter_app")
    server.edit("greeter_app/greeter_app/static/style.css", "#f37626", "#123456")
    wait_until(lambda: "#123456" in server.get("static/greeter/style.css").text, what="new css")


def test_config_json_edit_restarts_worker(devserver_factory: Factory) -> None:
    """Editing a jupyter_server_config.d JSON restarts the worker, which serves again."""
    server = devserver_factory("hello_ext")
    worker = server.worker_pid()
    server.edit("hello_ext/jupyter-config/jupyter_server_config.d/hello_ext.json", "true", "true ")
    wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
    wait_until(lambda: message(server) == "Hello, world!", what="the new worker to serve")
    assert "restarting the worker: config changed" in server.log()


def test_killed_worker_is_restarted(
    devserver_factory: Factory, isolated_env: dict[str, str]
) -> None:
    """When the worker dies, the supervisor starts a new one that serves, and removes the
    server file the killed one left."""
    server = devserver_factory("hello_ext")
    worker = server.worker_pid()
    assert worker is not None
    server_file = Path(isolated_env["JUPYTER_RUNTIME_DIR"]) / f"jpserver-{worker}.json"
    assert server_file.exists()
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: not server_file.exists(), what="the stale server file to go")
    wait_until(lambda: server.worker_pid() not in (None, worker), what="a new worker")
    wait_until(lambda: message(server) == "Hello, world!", what="the new worker to serve")
    assert "the worker exited (code -9)" in server.log()


def test_burst_of_saves_gives_one_reload_and_keeps_the_last(devserver_factory: Factory) -> None:
    """Twenty saves in a row: the last content is served, after at most two reloads."""
    server = devserver_factory("hello_ext")
    path = server.root / HELLO
    text = path.read_text()
    for i in range(20):
        path.write_text(text.replace('"Hello"', f'"Save{i:02d}"'))
    wait_until(lambda: message(server) == "Save19, world!", what="the last save")
    reloads = server.log().count("✓ reloaded hello_ext")
    assert 1 <= reloads <= 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_stops_everything_with_kernels(devserver_factory: Factory, sig: int) -> None:
    """SIGTERM or Ctrl-C (SIGINT) to the supervisor stops the worker and its kernels; exit 0."""
    server = devserver_factory("hello_ext")
    server.client.post("api/kernels", json={"name": "python3"})
    worker = server.worker_pid()
    assert worker is not None
    (kpid,) = wait_until(lambda: kernel_pids(server.proc.pid), what="kernel")
    server.proc.send_signal(sig)
    assert server.proc.wait(30) == 0
    assert "clean shutdown" in server.log()
    wait_until(lambda: not alive(kpid) and not alive(worker), what="worker and kernel to exit")


def test_extension_failing_at_import_does_not_stop_the_others(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """An extension that fails to import is recorded; the server and other extensions serve."""
    broken = tmp_path / "extensions" / "broken_ext"
    (broken / "broken_ext").mkdir(parents=True)
    (broken / "pyproject.toml").write_text('[project]\nname = "broken-ext"\nversion = "0"\n')
    (broken / "broken_ext" / "__init__.py").write_text(
        "def _jupyter_server_extension_points():\n    return [{'module': 'broken_ext'}]\n"
        "raise RuntimeError('boom at import')\n"
    )
    server = devserver_factory("hello_ext")
    assert message(server) == "Hello, world!"
    assert re.search(
        r"broken_ext failed at import: RuntimeError: boom at import .*__init__.py:3", server.log()
    )


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devserver", *args],
        check=False,
        capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_missing_path_is_a_clear_error(isolated_env: dict[str, str], tmp_path: Path) -> None:
    """A PATH that doesn't exist: exit 2 and a message naming it."""
    done = run_cli("run", str(tmp_path / "nope"), env=isolated_env)
    assert done.returncode == 2
    assert f"{tmp_path / 'nope'}: no such folder" in done.stderr


def test_path_without_extension_is_a_clear_error(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """A folder holding no extension: exit 2 and a message saying what is expected."""
    (tmp_path / "empty").mkdir()
    done = run_cli("run", str(tmp_path / "empty"), env=isolated_env)
    assert done.returncode == 2
    assert "no Jupyter Server extension here" in done.stderr


def test_port_in_use_is_a_clear_error(isolated_env: dict[str, str], tmp_path: Path) -> None:
    """Port taken: exit 3 with a message naming the port, no silent move to another port."""
    copy_example("hello_ext", tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("run", str(tmp_path / "hello_ext"), "--port", str(port), "--install=never",
                       env=isolated_env)  # fmt: skip
    assert done.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def test_project_not_installed_is_installed_editable(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """--install=auto pip-installs a project that is not installed yet, beside the serving
    worker, which it does not restart (no new dependency)."""
    project = tmp_path / "extensions" / "tiny_devserver_probe"
    (project / "tiny_devserver_probe").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "tiny-devserver-probe"\nversion = "0.0.1"\n'
        '[tool.setuptools]\npackages = ["tiny_devserver_probe"]\n'
    )
    (project / "tiny_devserver_probe" / "__init__.py").write_text(
        "def _jupyter_server_extension_points():\n    return [{'module': 'tiny_devserver_probe'}]\n"
        "def _load_jupyter_server_extension(app):\n    pass\n"
    )
    try:
        server = devserver_factory(
            install="auto", args=("--DevServer.pip_args=--no-build-isolation",)
        )
        server.wait_for_log("installing tiny_devserver_probe (editable): done in")
        assert "worker restarted" not in server.log()  # it added no dependency
        done = subprocess.run(
            [sys.executable, "-m", "pip", "show", "tiny-devserver-probe"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0
        assert "Editable project location: " + str(project) in done.stdout
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "-y", "-q", "tiny-devserver-probe"],
            capture_output=True, check=False,
        )  # fmt: skip


def test_typed_serverapp_option_passes_through_the_command_line(devserver_factory: Factory) -> None:
    """A non-string trait given on the command line (--X.y=...) reaches the worker typed."""
    server = devserver_factory("hello_ext", args=("--ServerApp.max_body_size=12345",))
    settings = server.get("_introspect/api/settings").json()
    assert settings["server"]["traits"]["max_body_size"] == 12345


def test_worker_failing_at_startup_backs_off_and_says_why(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """A worker that cannot start is retried with growing delays (no busy loop), with its reason."""
    missing = tmp_path / "no-such-root"
    server = devserver_factory("hello_ext", root_dir=missing, wait=False)
    server.wait_for_log(
        "restarting in 2.0 s", timeout=90
    )  # three start-ups: slow on a loaded CI machine
    log = server.log()
    assert "No such directory" in log
    assert "the worker exited with code 1 before serving" in log
    delays = re.findall(r"restarting in ([\d.]+) s", log)
    assert delays[:3] == ["0.5", "1.0", "2.0"]
    assert server.proc.poll() is None, "the supervisor keeps running, waiting for a fix"


def test_jupyter_server_extension_disable_is_honoured(
    devserver_factory: Factory, isolated_env: dict[str, str]
) -> None:
    """`jupyter server extension disable NAME` restarts the worker without that extension."""
    # As `pip install` of the package would have: a JSON that enables it, here in the user's config.
    enabled = (
        Path(isolated_env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.d" / "hello_ext.json"
    )
    enabled.parent.mkdir(parents=True)
    enabled.write_text('{"ServerApp": {"jpserver_extensions": {"hello_ext": true}}}')
    server = devserver_factory("hello_ext", "greeter_app")
    assert message(server) == "Hello, world!"
    done = subprocess.run(
        [sys.executable, "-m", "jupyter_server", "extension", "disable", "hello_ext", "--user"],
        env=isolated_env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wait_until(lambda: server.get("hello").status_code == 404, timeout=30, what="hello gone")
    extensions = {
        e["name"]: e for e in server.get("_introspect/api/extensions").json()["extensions"]
    }
    assert extensions["hello_ext"]["state"] == "disabled"
    assert extensions["greeter_app"]["state"] == "loaded"


def test_extension_folder_copied_in_is_loaded_and_removed_is_dropped(
    devserver_factory: Factory,
) -> None:
    """Copying an extension folder beside the others loads it; deleting it drops it."""
    server = devserver_factory("hello_ext")
    assert server.get("greeter").status_code == 404
    copy_example("greeter_app", server.root)
    wait_until(lambda: server.get("greeter").status_code == 200, timeout=60, what="greeter")
    assert "extensions added: greeter_app" in server.log()
    shutil.rmtree(server.root / "greeter_app")
    wait_until(lambda: server.get("greeter").status_code == 404, timeout=60, what="greeter gone")
    assert "extensions removed: greeter_app" in server.log()
    assert "pip install" not in server.log()
    assert message(server) == "Hello, world!"


def test_failed_extension_app_reload_leaves_its_settings(devserver_factory: Factory) -> None:
    """An ExtensionApp whose new code fails half-way leaves the old app and settings serving."""
    server = devserver_factory("greeter_app")
    before = server.get("greeter/api/greet").json()
    app = "greeter_app/greeter_app/app.py"
    server.edit(app, 'Unicode("Hi"', 'Unicode("Bonjour"')
    hook = "    def initialize_handlers(self) -> None:\n"
    server.edit(app, hook, hook + "        raise RuntimeError('half-way')\n")
    server.wait_for_log("reload of greeter_app failed: RuntimeError: half-way")
    assert server.get("greeter/api/greet").json() == before


def test_dependent_that_failed_at_start_loads_once_its_dependency_is_fixed(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """uses_hello fails at import while hello_ext is broken; fixing hello_ext loads both."""
    copy_example("hello_ext", tmp_path / "extensions")
    handlers = tmp_path / "extensions" / HELLO
    handlers.write_text(handlers.read_text().replace("def greeting(", "def greeting_broken("))
    server = devserver_factory("uses_hello")
    assert server.get("relay").status_code == 404
    handlers.write_text(handlers.read_text().replace("def greeting_broken(", "def greeting("))
    wait_until(lambda: server.get("relay").status_code == 200, what="uses_hello to load")
    assert server.get("relay").json() == {"relayed": "Hello, relay!"}


def test_deliberate_restart_does_not_grow_the_crash_backoff(devserver_factory: Factory) -> None:
    """Restarts the supervisor asked for are no crashes: a serving worker killed right after is
    restarted at once, and only a second death in a row waits (0.5 s)."""
    server = devserver_factory("hello_ext")
    config = "hello_ext/jupyter-config/jupyter_server_config.d/hello_ext.json"
    for i in range(2):
        old = server.worker_pid()
        server.edit(config, "true", "true ")
        wait_until(lambda old=old: server.worker_pid() not in (None, old), what=f"restart {i}")
        wait_until(lambda: message(server) == "Hello, world!", what="the new worker to serve")
    # The supervisor has the new worker's "ready" (it serves a moment before it says so).
    wait_until(lambda: server.log().count("worker restarted in") == 2, what="both restarts")
    assert "the worker exited" not in server.log()
    worker = server.worker_pid()
    assert worker is not None
    os.kill(worker, signal.SIGKILL)
    server.wait_for_log("the worker exited (code -9); restarting now")
    wait_until(lambda: server.worker_pid() not in (None, worker), what="the new worker")
    wait_until(lambda: message(server) == "Hello, world!", what="the new worker to serve")
    wait_until(lambda: server.log().count("worker restarted in") == 3, what="the third start")
    again = server.worker_pid()
    assert again is not None
    os.kill(again, signal.SIGKILL)
    server.wait_for_log("the worker exited (code -9); restarting in 0.5 s")
