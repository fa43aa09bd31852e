"""The ``devserver.testing`` pytest plugin, run by pytest itself (pytester) as authors run it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devserver.testing import find_project, format_leaks
from tests.conftest import EXAMPLES

pytest_plugins = ["pytester"]
FIXTURES = Path(__file__).parent / "fixtures"
LEAKS = ["threads", "periodic_callbacks", "tasks", "settings", "old_classes"]

LEAKY_TEST = """
def test_leaky(devserver_run):
    devserver_run.assert_reload_safe("leaky_ext", times=3)
"""


def project(pytester: pytest.Pytester, source: Path, test: str | None = None) -> Path:
    """A copy of ``source`` inside pytester's folder, with ``test`` as its tests/test_dev.py."""
    root = pytester.path / source.name
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    if test is not None:
        (root / "tests").mkdir()
        (root / "tests" / "test_dev.py").write_text(test)
    return root


def test_example_suite_drives_a_real_dev_server(pytester: pytest.Pytester) -> None:
    """examples/greeter_app/tests, written as an author would, edits, waits, reloads and
    audits through ``devserver_run``, and passes."""
    project(pytester, EXAMPLES / "greeter_app")
    result = pytester.runpytest_subprocess("greeter_app/tests", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_assert_reload_safe_lists_every_leak(pytester: pytest.Pytester) -> None:
    """An extension that leaks one of each kind fails with a list naming each leak."""
    project(pytester, FIXTURES / "leaky_ext", LEAKY_TEST)
    result = pytester.runpytest_subprocess("leaky_ext/tests", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*leaky_ext is not reload-safe after 3 reloads:",
            "*- threads: 3 threads of old versions",
            "*thread 'leaky-spin' running spin (*leaky_ext/__init__.py:*)",
            "*- periodic_callbacks: 3 old PeriodicCallbacks",
            "*- tasks: 3 tasks of old versions",
            "*- settings: 1 settings of old classes",
            "*- old_classes: *",
            "*leaky_ext.LeakyHandler: 2 old version(s) alive, held by dict*jinja_template_vars*",
        ],
        consecutive=False,
    )
    assert (
        "settings['jinja_template_vars'] holds leaky_ext.LeakyHandler (old)" in result.stdout.str()
    )


def test_a_test_outside_any_project_is_told_what_to_set(pytester: pytest.Pytester) -> None:
    """Without a pyproject.toml above the test, the fixture fails naming the ini option."""
    pytester.makepyfile("def test_x(devserver_run):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no pyproject.toml above*devserver_project*"])


def test_find_project_walks_up(tmp_path: Path) -> None:
    """The nearest folder with a project file wins; None when there is none."""
    (tmp_path / "ext" / "tests" / "deep").mkdir(parents=True)
    (tmp_path / "ext" / "setup.py").write_text("")
    assert find_project(tmp_path / "ext" / "tests" / "deep") == tmp_path / "ext"
    assert find_project(Path("/proc/self")) is None


def test_format_leaks_lists_failed_checks_only() -> None:
    """The failure message has one block per failed check, with its items."""
    result = {
        "extension": "x",
        "times": 2,
        "checks": [
            {"check": "threads", "ok": False, "summary": "1 threads", "items": ["thread 't'"]},
            {"check": "routes", "ok": True, "summary": "same", "items": []},
        ],
    }
    assert format_leaks(result) == (
        "x is not reload-safe after 2 reloads:\n- threads: 1 threads\n    thread 't'"
    )
