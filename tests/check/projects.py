"""Helpers of the ``devserver check`` tests: projects copied from the examples, then broken."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from devserver.check import Finding

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
JSON = "jupyter-config/jupyter_server_config.d/hello_ext.json"
DATA_FILES = (
    '[tool.setuptools.data-files]\n"etc/jupyter/jupyter_server_config.d" = '
    '["jupyter-config/jupyter_server_config.d/hello_ext.json"]\n'
)


def make(tmp_path: Path, example: str | None, files: dict[str, str] | None = None) -> Path:
    """A copy of ``example`` (or an empty folder) with ``files`` written over it."""
    root = tmp_path / (example or "project")
    if example:
        ignore = shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
        shutil.copytree(EXAMPLES / example, root, ignore=ignore)
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def one(findings: list[Finding], check: str) -> Finding:
    """The only finding of ``check``."""
    matching = [f for f in findings if f.check == check]
    assert len(matching) == 1, matching
    return matching[0]


def failures(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.check, f.severity) for f in findings if not f.ok]


def hatch_pyproject(name: str, *lines: str) -> str:
    """A hatchling pyproject.toml for the distribution ``name``, then ``lines``."""
    build = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"'
    return "\n".join([build, f'[project]\nname = "{name}"\nversion = "0.1.0"', *lines, ""])
