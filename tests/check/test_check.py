"""``devserver check``: the packaging checklist on the examples and on broken copies of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devserver.check import check_project
from devserver.errors import ConfigError
from tests.check.projects import DATA_FILES, EXAMPLES, JSON, failures, hatch_pyproject, make, one


@pytest.mark.parametrize("example", ["hello_ext", "greeter_app", "uses_hello"])
def test_bundled_examples_pass_every_item(example: str) -> None:
    """The bundled examples follow the whole checklist: no error and no warning."""
    findings = check_project(EXAMPLES / example)
    assert failures(findings) == []
    expected = {
        "project-file",
        "extension-points",
        "loader",
        "config-json",
        "data-files",
        "authenticated",
    }
    assert expected <= {f.check for f in findings}


def test_extension_app_example_passes_the_app_items() -> None:
    """greeter_app's script, launch_instance and static/template folders are each checked."""
    findings = check_project(EXAMPLES / "greeter_app")
    assert (
        one(findings, "console-script").message == "jupyter-greeter = greeter_app:launch_instance"
    )
    assert one(findings, "launch-instance").where == "greeter_app/__init__.py:18"
    folders = [f.message.split()[0] for f in findings if f.check == "package-data"]
    assert folders == ["greeter_app/static/", "greeter_app/templates/"]
    assert one(findings, "loader").where == "greeter_app/app.py:15"


def test_missing_path_and_file_raise_config_error(tmp_path: Path) -> None:
    """A PATH that is not an existing folder is a ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"nowhere: no such folder"):
        check_project(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ConfigError, match=r"file.txt: not a folder"):
        check_project(tmp_path / "file.txt")


def test_folder_without_project_file_is_one_error(tmp_path: Path) -> None:
    """A folder without pyproject.toml or setup.py fails item 1 and points at sub-projects."""
    make(tmp_path, "hello_ext")
    findings = check_project(tmp_path)
    assert failures(findings) == [("project-file", "error")]
    assert "hello_ext are projects" in findings[0].message


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    """A pyproject.toml that does not parse is an error with its line."""
    root = make(tmp_path, "hello_ext", {"pyproject.toml": '[project]\nname = "x"\nversion = \n'})
    bad = one(check_project(root), "project-file")
    assert not bad.ok
    assert bad.file == "pyproject.toml"
    assert bad.line == 3


def test_missing_json_is_an_error(tmp_path: Path) -> None:
    """Without jupyter_server_config.d/NAME.json, installing does not enable the package."""
    root = make(tmp_path, "hello_ext")
    (root / JSON).unlink()
    findings = check_project(root)
    assert failures(findings) == [("config-json", "error")]
    assert one(findings, "config-json").file == JSON
    assert '"hello_ext": true' in one(findings, "config-json").fix


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    """A JSON syntax error is reported as file:line:col."""
    text = '{\n  "ServerApp": {\n    "jpserver_extensions": {"hello_ext": true,}\n  }\n}\n'
    root = make(tmp_path, "hello_ext", {JSON: text})
    bad = one(check_project(root), "config-json")
    assert (bad.ok, bad.severity, bad.line) == (False, "error", 3)
    assert bad.message.startswith(f"{JSON}:3:")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"ServerApp": {"jpserver_extensions": {"hello-ext": true}}}',
            "lists hello-ext but not hello_ext",
        ),
        ('{"ServerApp": {"jpserver_extensions": {"hello_ext": false}}}', "hello_ext to false"),
        ('{"NotebookApp": {"nbserver_extensions": {"hello_ext": true}}}', "does not set"),
    ],
)
def test_json_must_enable_the_package_name(tmp_path: Path, content: str, expected: str) -> None:
    """The JSON must set ServerApp.jpserver_extensions.<package> to true."""
    root = make(tmp_path, "hello_ext", {JSON: content})
    bad = one(check_project(root), "config-json")
    assert not bad.ok
    assert bad.severity == "error"
    assert expected in bad.message


def test_json_may_enable_a_module_of_the_package(tmp_path: Path) -> None:
    """jupyter_server loads a module of the package as well (voila enables
    ``voila.server_extension``): the JSON that enables one passes."""
    content = '{"ServerApp": {"jpserver_extensions": {"hello_ext.loader": true}}}'
    root = make(tmp_path, "hello_ext", {JSON: content})
    (root / "hello_ext" / "loader.py").write_text("from . import _load_jupyter_server_extension\n")
    found = one(check_project(root), "config-json")
    assert found.ok, found.message
    assert found.message.endswith("enables hello_ext.loader")
    (root / "hello_ext" / "loader.py").unlink()
    missing = one(check_project(root), "config-json")
    assert missing.is_error
    assert "enables hello_ext.loader, which is not a module of this project" in missing.message
    assert (missing.file, missing.line) == (JSON, 1)


def test_json_under_another_name_is_a_warning(tmp_path: Path) -> None:
    """A JSON enabling the package under another file name works but is not the guide's place."""
    other = "jupyter-config/jupyter_server_config.d/other.json"
    root = make(
        tmp_path,
        "hello_ext",
        {other: '{"ServerApp": {"jpserver_extensions": {"hello_ext": true}}}'},
    )
    (root / JSON).unlink()
    findings = check_project(root)
    assert one(findings, "config-json").is_warning
    assert one(findings, "config-json").file == other
    assert one(findings, "data-files").is_error  # pyproject still ships the old name


def test_json_not_shipped_as_data_file(tmp_path: Path) -> None:
    """Without a data-files entry into etc/jupyter/jupyter_server_config.d the JSON stays behind."""
    root = make(tmp_path, "hello_ext")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(DATA_FILES, ""))
    bad = one(check_project(root), "data-files")
    assert bad.is_error
    assert "[tool.setuptools.data-files]" in bad.fix


def test_json_shipped_to_the_wrong_folder(tmp_path: Path) -> None:
    """A data file installed into jupyter_notebook_config.d does not enable a server extension."""
    root = make(tmp_path, "hello_ext")
    pyproject = root / "pyproject.toml"
    wrong = DATA_FILES.replace('jupyter_server_config.d" =', 'jupyter_notebook_config.d" =')
    pyproject.write_text(pyproject.read_text().replace(DATA_FILES, wrong))
    bad = one(check_project(root), "data-files")
    assert bad.is_error
    assert "it goes to etc/jupyter/jupyter_notebook_config.d" in bad.message


SETUP_PY = """
from setuptools import setup

JSON = "jupyter-config/jupyter_server_config.d/hello_ext.json"
FILES = [("etc/jupyter/jupyter_server_config.d", [JSON])]
setup(name="hello-ext", packages=["hello_ext"], data_files=FILES)
"""


def test_setup_py_data_files_are_read_with_ast(tmp_path: Path) -> None:
    """setup.py's data_files (here through a module-level name) count; computed ones warn."""
    root = make(tmp_path, "hello_ext", {"setup.py": SETUP_PY})
    (root / "pyproject.toml").unlink()
    assert failures(check_project(root)) == []
    (root / "setup.py").write_text(SETUP_PY.replace("data_files=FILES", "data_files=files()"))
    assert failures(check_project(root)) == [("data-files", "warning")]


def test_hatch_shared_data_and_package_files(tmp_path: Path) -> None:
    """hatch's shared-data ships the JSON, and hatchling ships the app's folders."""
    pyproject = hatch_pyproject(
        "greeter-app",
        'scripts = { jupyter-greeter = "greeter_app:launch_instance" }',
        "[tool.hatch.build.targets.wheel.shared-data]",
        '"jupyter-config/jupyter_server_config.d" = "etc/jupyter/jupyter_server_config.d"',
    )
    root = make(tmp_path, "greeter_app", {"pyproject.toml": pyproject})
    findings = check_project(root)
    assert failures(findings) == []
    folders = [f.message for f in findings if f.check == "package-data"]
    assert len(folders) == 2
    assert all("hatchling ships every file inside the package folder" in m for m in folders)


def test_setup_cfg_declarations_are_read(tmp_path: Path) -> None:
    """setup.cfg's data_files, console_scripts and package_data count like setup()'s."""
    cfg = """
        [metadata]
        name = greeter-app
        [options]
        packages = greeter_app
        [options.package_data]
        greeter_app = templates/*.html, static/*
        [options.data_files]
        etc/jupyter/jupyter_server_config.d =
            jupyter-config/jupyter_server_config.d/greeter_app.json
        [options.entry_points]
        console_scripts =
            jupyter-greeter = greeter_app:launch_instance
        """
    setup = "from setuptools import setup\nsetup()\n"
    root = make(tmp_path, "greeter_app", {"setup.cfg": cfg, "setup.py": setup})
    (root / "pyproject.toml").unlink()
    assert failures(check_project(root)) == []


def test_src_layout_and_a_typescript_src_folder(tmp_path: Path) -> None:
    """Packages under src/ are found; a src/ of TypeScript (a JupyterLab extension) is not one."""
    root = make(tmp_path, "hello_ext", {"src/index.ts": "export default {};\n"})
    assert failures(check_project(root)) == []
    (root / "src/index.ts").unlink()
    (root / "src").rmdir()
    shutil.move(root / "hello_ext", root / "src" / "hello_ext")
    findings = check_project(root)
    assert failures(findings) == []
    assert one(findings, "loader").where == "src/hello_ext/__init__.py:19"


def test_hatch_maps_a_json_file_kept_elsewhere(tmp_path: Path) -> None:
    """The JupyterLab template's jupyter-config/server-config/NAME.json, mapped by hatch, works."""
    pyproject = hatch_pyproject(
        "hello-ext",
        "[tool.hatch.build.targets.wheel.shared-data]",
        '"jupyter-config/server-config/hello_ext.json" = '
        '"etc/jupyter/jupyter_server_config.d/x.json"',
    )
    root = make(tmp_path, "hello_ext", {"pyproject.toml": pyproject})
    (root / "jupyter-config/server-config").mkdir()
    (root / JSON).rename(root / "jupyter-config/server-config/hello_ext.json")
    findings = check_project(root)
    assert failures(findings) == [("config-json", "warning")]
    assert one(findings, "data-files").ok


def test_manifest_exclusions_apply_in_order(tmp_path: Path) -> None:
    """A MANIFEST.in prune after a graft leaves the folder out of the wheel."""
    root = make(tmp_path, "greeter_app")
    pyproject = root / "pyproject.toml"
    package_data = 'greeter_app = ["templates/*.html", "static/*"]'
    pyproject.write_text(
        pyproject.read_text().replace(package_data, 'greeter_app = ["templates/*"]')
    )
    (root / "MANIFEST.in").write_text("graft greeter_app\nprune greeter_app/static  # not this\n")
    bad = [f for f in check_project(root) if not f.ok]
    assert [(f.check, f.severity, f.where) for f in bad] == [
        ("package-data", "error", "greeter_app/app.py:21")
    ]
    assert "static/style.css is not in package data" in bad[0].message


def test_odd_declarations_are_findings_not_crashes(tmp_path: Path) -> None:
    """Values of the wrong type in pyproject.toml or setup.py never make the check raise."""
    pyproject = """
        [build-system]
        requires = "setuptools"
        build-backend = 3
        [project]
        name = "hello-ext"
        scripts = "not a table"
        [tool.setuptools]
        data-files = ["not", "a", "table"]
        package-data = "not a table either"
        include-package-data = "yes"
        [tool.hatch.build.targets.wheel]
        shared-data = { "jupyter-config" = 1 }
        """
    setup = (
        "from setuptools import setup\n"
        'setup(data_files=[("etc/jupyter/jupyter_server_config.d", "' + JSON + '"), 3],\n'
        '      entry_points="[console_scripts]", package_data=["x"])\n'
    )
    root = make(tmp_path, "hello_ext", {"pyproject.toml": pyproject, "setup.py": setup})
    findings = check_project(root)
    assert failures(findings) == []  # a lone string counts as one item
    assert one(findings, "data-files").message.endswith("by setup.py data_files")
