"""``devserver check PATH``: the checklist a person reads, ``--json``, and the exit codes."""

from __future__ import annotations

import doctest
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.check import check_project
from devserver.check.cliapp import CheckApp
from devserver.cli import DevServerApp, main
from devserver.errors import ExitCode
from tests.check.projects import EXAMPLES, JSON, make


@pytest.fixture(autouse=True)
def fresh_apps() -> Iterator[None]:
    """traitlets apps are singletons: each command line starts from new ones."""
    DevServerApp.clear_instance()
    CheckApp.clear_instance()
    yield
    DevServerApp.clear_instance()
    CheckApp.clear_instance()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``devserver check ARGS`` in this process: exit code, stdout, stderr."""
    try:
        main(["check", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_passing_example_prints_the_checklist_and_exits_ok(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A passing project prints one ✓ line per item with where it looked, and exits 0."""
    code, out, err = run(capsys, str(EXAMPLES / "greeter_app"))
    assert (code, err) == (ExitCode.OK, "")
    lines = out.splitlines()
    assert lines[0] == f"Packaging checklist for {EXAMPLES / 'greeter_app'}"
    assert all(line.startswith("✓ ") for line in lines[1:-2])
    assert "(greeter_app/app.py:15)" in out
    assert lines[-1] == "10 passed, 0 errors, 0 warnings"


def test_error_prints_where_and_fix_and_exits_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed item shows ✗, its file:line and the fix; any error exits with CONFIG_ERROR."""
    root = make(tmp_path, "hello_ext", {JSON: '{\n  "ServerApp": {,\n}\n'})
    code, out, err = run(capsys, str(root))
    assert code == ExitCode.CONFIG_ERROR
    failed = [i for i, line in enumerate(out.splitlines()) if line.startswith("✗")]
    assert len(failed) == 1
    lines = out.splitlines()[failed[0] : failed[0] + 3]
    assert lines[0].startswith("✗ config-json ")
    assert f" {JSON}:2:17: invalid JSON" in lines[0]
    assert lines[0].endswith("[error]")
    assert lines[1].strip() == f"at {JSON}:2"
    assert lines[2].strip() == "fix: Fix the JSON at that line."
    assert err.startswith(
        f"devserver: {root}: 1 error in the packaging checklist; first: {JSON}:2:"
    )


def test_warnings_alone_exit_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Warnings are shown but do not fail the command."""
    handler = """
        from jupyter_server.base.handlers import JupyterHandler

        class H(JupyterHandler):
            def get(self):
                pass
        """
    root = make(tmp_path, "hello_ext", {"hello_ext/extra.py": handler})
    code, out, _ = run(capsys, str(root))
    assert code == ExitCode.OK
    assert "✗ authenticated" in out
    assert "at hello_ext/extra.py:4" in out
    assert out.splitlines()[-1] == "5 passed, 0 errors, 1 warning"


def test_json_output_lists_every_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints the verdict, the counts and every finding, as check_project returns them."""
    root = make(tmp_path, "hello_ext")
    (root / JSON).unlink()
    code, out, _ = run(capsys, str(root), "--json")
    data = json.loads(out)
    assert code == ExitCode.CONFIG_ERROR
    assert (data["path"], data["ok"], data["errors"], data["warnings"]) == (str(root), False, 1, 0)
    assert data["findings"] == [f.to_json() for f in check_project(root)]
    assert set(data["findings"][0]) == {"check", "ok", "severity", "message", "file", "line", "fix"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/project"], "devserver: /no/such/project: no such folder"),
        ([], "devserver: usage: devserver check PATH"),
        ([str(EXAMPLES)], f"devserver: {EXAMPLES}: 1 error in the packaging checklist"),
    ],
)
def test_bad_path_exits_config_error_naming_it(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """A missing PATH, no PATH, or a folder that is not one project exits CONFIG_ERROR."""
    code, _, err = run(capsys, *args)
    assert code == ExitCode.CONFIG_ERROR
    assert err.startswith(message)


def test_the_installed_command_runs_the_check(tmp_path: Path) -> None:
    """``python -m devserver check`` works as a user runs it, with its exit codes."""
    command = [sys.executable, "-m", "devserver", "check"]
    good = subprocess.run(
        [*command, str(EXAMPLES / "hello_ext")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert good.returncode == ExitCode.OK, good.stderr
    assert good.stdout.splitlines()[-1] == "6 passed, 0 errors, 0 warnings"
    root = make(tmp_path, "hello_ext")
    (root / JSON).unlink()
    bad = subprocess.run(
        [*command, str(root), "--json"], capture_output=True, text=True, timeout=60, check=False
    )
    assert bad.returncode == ExitCode.CONFIG_ERROR
    assert json.loads(bad.stdout)["errors"] == 1


@pytest.mark.parametrize(
    "name", ["devserver.check", "devserver.check.cliapp", "devserver.check.base"]
)
def test_docstring_examples(name: str) -> None:
    """Every docstring example of the check's modules passes."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def test_docs_sample_is_what_the_command_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/check.md's sample output is the real output for the project it describes."""
    root = make(tmp_path, "greeter_app")
    (root.parent / "greeter_app").rename(root.parent / "my_ext_demo")
    root = root.parent / "my_ext_demo"
    config = "jupyter-config/jupyter_server_config.d/greeter_app.json"
    (root / config).write_text(
        '{\n  "ServerApp": {\n    "jpserver_extensions": {\n      '
        '"greeter-app": true\n    }\n  }\n}\n'
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().split("[tool.setuptools.data-files]")[0])
    handlers = root / "greeter_app/handlers.py"
    head, tail = handlers.read_text().split("class GreetHandler")
    handlers.write_text(head + "class GreetHandler" + tail.replace("    @web.authenticated\n", ""))
    _, out, _ = run(capsys, str(root))
    doc = (EXAMPLES.parent / "docs/check.md").read_text(encoding="utf-8")
    sample = doc[doc.index("Packaging checklist for /tmp/docdemo/my_ext_demo") :].split("```")[0]
    assert out.replace(str(root), "/tmp/docdemo/my_ext_demo") == sample
