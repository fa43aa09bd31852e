"""`devserver check` on real projects: no false errors, true findings kept, right file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devserver.check import Finding, check_project
from tests.check.projects import make

from .projects import EXTENSIONS, TEMPLATE

pytestmark = pytest.mark.timeout(900)


def item(findings: list[Finding], check: str) -> Finding:
    return next(f for f in findings if f.check == check)


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_real_projects_have_no_false_errors(name: str, real_sources: dict[str, Path]) -> None:
    """Every real extension's source folder checks with 0 errors: they install and load."""
    findings = check_project(real_sources[name])
    assert [f for f in findings if f.is_error] == []


def test_the_template_project_has_no_false_errors() -> None:
    """The JupyterLab template project (hatch shared-data of its server-config folder) passes."""
    findings = check_project(TEMPLATE)
    assert [f for f in findings if f.is_error] == []
    assert item(findings, "data-files").ok


def test_findings_cite_the_file_and_line_that_declares_them(real_sources: dict[str, Path]) -> None:
    """Data files cite the pyproject.toml or setup.cfg line that installs them; an app imported
    inside the hook (nbclassic) is found at its class definition."""
    usage = item(check_project(real_sources["jupyter_resource_usage"]), "data-files")
    assert (usage.ok, usage.where) == (True, "pyproject.toml:66")
    lsp = item(check_project(real_sources["jupyter_lsp"]), "data-files")
    assert (lsp.ok, lsp.where) == (True, "setup.cfg:36")
    fileid = item(check_project(real_sources["jupyter_server_fileid"]), "data-files")
    assert fileid.ok, fileid.message
    loader = item(check_project(real_sources["nbclassic"]), "loader")
    assert (loader.ok, loader.where) == (True, "nbclassic/notebookapp.py:103")


def test_a_comment_only_setup_py_computes_nothing(tmp_path: Path) -> None:
    """A setup.py that is only a comment (jupyter-server-proxy's) is no computed data_files."""
    root = make(tmp_path, "hello_ext", {"setup.py": "# setup.py shim: see pyproject.toml\n"})
    data = item(check_project(root), "data-files")
    assert "computes" not in data.message


def test_config_json_under_etc_jupyter_mapped_as_a_folder_passes(tmp_path: Path) -> None:
    """A config JSON kept in etc/jupyter/... and shipped by a hatch folder mapping (voila's
    layout) is installed where jupyter_server reads it: no error."""
    root = make(
        tmp_path, "hello_ext",
        {
            "etc/jupyter/jupyter_server_config.d/hello_ext.json":
                '{"ServerApp": {"jpserver_extensions": {"hello_ext": true}}}\n',
            "pyproject.toml": """
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"

                [project]
                name = "hello_ext"
                version = "0.1"

                [tool.hatch.build.targets.wheel.shared-data]
                "etc/jupyter" = "etc/jupyter"
            """,
        },
    )  # fmt: skip
    shutil.rmtree(root / "jupyter-config")
    findings = check_project(root)
    assert [f for f in findings if f.is_error] == []
    assert item(findings, "data-files").where == "pyproject.toml:10"
