"""Real extensions from their PyPI sources, and the JupyterLab template project, hot-reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Start
from .cycle import run_cycle
from .projects import EXTENSIONS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_real_extension_hot_reloads(
    name: str, real_project: Callable[[str], Path], start_on: Start
) -> None:
    """A real extension starts from its source folder, lists its routes as its own once, serves an
    edit of a handler module with a kernel kept, keeps its old code on a syntax error (file:line)
    and recovers when it is fixed."""
    ext = EXTENSIONS[name]
    root = real_project(name)
    server = start_on(root, args=ext.args)
    run_cycle(server, root, ext.name, ext.module, ext.handler, ext.url)


def test_template_project_hot_reloads(template_project: Path, start_on: Start) -> None:
    """The JupyterLab template's server extension goes through the same edit cycle."""
    server = start_on(template_project)
    run_cycle(
        server, template_project, "acme_stats", "acme_stats/routes.py", "HelloRouteHandler",
        "acme-stats/hello",
    )  # fmt: skip
