"""``devserver.testing``: a pytest plugin for extension authors (entry point ``pytest11``).

Installed with jupyter-devserver, it gives every test suite these fixtures, in the style of
pytest-jupyter's ``jp_`` fixtures:

- ``devserver_project``: the project folder to serve: the ``devserver_project`` ini option
  (relative to pytest's rootdir), else the nearest folder above the test file that holds a
  ``pyproject.toml``, ``setup.py`` or ``setup.cfg``. Override the fixture to choose another.
- ``devserver_args``: extra ``devserver run`` arguments (default none).
- ``devserver_run``: the real dev server on a temporary copy of the project, a
  ``DevServerRun`` with ``edit(path, old, new)``, ``reload(name)``, ``wait_served(url, text)``,
  ``audit(name)`` and ``assert_reload_safe(name, times=20)``.

>>> def test_greeting_hot_reloads(devserver_run):  # doctest: +SKIP
...     devserver_run.wait_served("/hello", "Hello")
...     devserver_run.edit("myext/handlers.py", '"Hello"', '"Howdy"')
...     devserver_run.wait_served("/hello", "Howdy")
...     devserver_run.assert_reload_safe("myext", times=20)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .server import Answer, DevServerFailed, DevServerRun, format_leaks

__all__ = ["Answer", "DevServerFailed", "DevServerRun", "format_leaks"]

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "devserver_project",
        "The extension project devserver_run serves "
        "(default: the nearest folder above the test with a pyproject.toml).",
    )


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding a project file."""
    for folder in (start, *start.parents):
        if any((folder / name).exists() for name in PROJECT_FILES):
            return folder
    return None


@pytest.fixture
def devserver_project(request: pytest.FixtureRequest) -> Path:
    """The extension project to serve (see the module docstring)."""
    configured = request.config.getini("devserver_project")
    if configured:
        return (request.config.rootpath / str(configured)).resolve()
    found = find_project(request.path.parent)
    if found is None:
        pytest.fail(
            f"no pyproject.toml above {request.path}: set the devserver_project ini "
            "option or override the devserver_project fixture"
        )
    return found


@pytest.fixture
def devserver_args() -> list[str]:
    """Extra ``devserver run`` arguments; override to add some (e.g. ``["--install=auto"]``)."""
    return []


@pytest.fixture
def devserver_run(
    devserver_project: Path, devserver_args: list[str], tmp_path: Path
) -> Iterator[DevServerRun]:
    """The dev server on a temporary copy of ``devserver_project``; stopped after the test."""
    with DevServerRun.start(devserver_project, tmp_path, devserver_args) as server:
        yield server
