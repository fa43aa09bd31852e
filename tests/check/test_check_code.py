"""``devserver check`` on the code of an extension: hooks, loaders, apps and their folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devserver.check import check_project
from tests.check.projects import failures, make, one


@pytest.mark.parametrize(
    ("init", "expected"),
    [
        # no loader: the server has nothing to call
        (
            'def _jupyter_server_extension_points():\n    return [{"module": "hello_ext"}]\n',
            [("loader", "error")],
        ),
        # the classic name only: works, deprecated
        (
            'def _jupyter_server_extension_points():\n    return [{"module": "hello_ext"}]\n'
            "def load_jupyter_server_extension(app):\n    pass\n",
            [("loader", "warning")],
        ),
        # a loader but no extension points: jupyter_server falls back to the package itself
        ("def _load_jupyter_server_extension(app):\n    pass\n", [("extension-points", "warning")]),
        # no hook at all
        ("X = 1\n", [("extension-points", "error")]),
        # points that are computed cannot be checked statically
        (
            "def _jupyter_server_extension_points():\n    return list(POINTS)\n",
            [("extension-points", "warning")],
        ),
        # a point naming a module that is not in the project
        (
            'def _jupyter_server_extension_points():\n    return [{"module": "elsewhere"}]\n',
            [("loader", "error")],
        ),
        # a point without a module key
        (
            'def _jupyter_server_extension_points():\n    return [{"app": 1}]\n',
            [("extension-points", "error")],
        ),
    ],
)
def test_extension_points_and_loader(
    tmp_path: Path, init: str, expected: list[tuple[str, str]]
) -> None:
    """Item 2 reads the extension points statically and item 3 finds the loader they name."""
    root = make(tmp_path, "hello_ext", {"hello_ext/__init__.py": init})
    assert failures(check_project(root)) == expected


def test_extension_points_and_loader_in_a_submodule(tmp_path: Path) -> None:
    """A point's module may be a submodule of the package (``myext.app``)."""
    init = 'def _jupyter_server_extension_points():\n    return [{"module": "hello_ext.loader"}]\n'
    loader = "def _load_jupyter_server_extension(serverapp):\n    pass\n"
    root = make(
        tmp_path, "hello_ext", {"hello_ext/__init__.py": init, "hello_ext/loader.py": loader}
    )
    findings = check_project(root)
    assert failures(findings) == []
    assert one(findings, "loader").where == "hello_ext/loader.py:1"


def test_app_that_is_not_an_extension_app(tmp_path: Path) -> None:
    """An ``app`` that does not subclass ExtensionApp is an error; an unknown base a warning."""
    app = "class GreeterApp:\n    name = 'greeter'\n"
    root = make(tmp_path, "greeter_app", {"greeter_app/app.py": app})
    assert ("loader", "error") in failures(check_project(root))
    app = "from somewhere import Base\n\nclass GreeterApp(Base):\n    name = 'greeter'\n"
    (root / "greeter_app/app.py").write_text(app)
    assert ("loader", "warning") in failures(check_project(root))


def test_extension_app_through_a_project_base_class(tmp_path: Path) -> None:
    """A subclass of a project class that subclasses ExtensionApp is an ExtensionApp."""
    base = """
        from jupyter_server.extension.application import ExtensionApp as Base_

        class Base(Base_):
            name = "greeter"
        """
    app = "from . import base\n\nclass GreeterApp(base.Base):\n    pass\n"
    root = make(tmp_path, "greeter_app", {"greeter_app/base.py": base, "greeter_app/app.py": app})
    findings = check_project(root)
    assert failures(findings) == []
    assert one(findings, "console-script").ok  # `name` found on the base class


def test_missing_console_script_and_launch_instance_are_warnings(tmp_path: Path) -> None:
    """An ExtensionApp without its jupyter-NAME script or launch_instance gets warnings only."""
    root = make(tmp_path, "greeter_app")
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace('jupyter-greeter = "greeter_app:launch_instance"', "")
    pyproject.write_text(text)
    init = root / "greeter_app/__init__.py"
    init.write_text(init.read_text().replace("launch_instance = GreeterApp.launch_instance", ""))
    findings = check_project(root)
    assert failures(findings) == [("console-script", "warning"), ("launch-instance", "warning")]
    assert 'jupyter-greeter = "greeter_app:launch_instance"' in one(findings, "console-script").fix


def test_app_folders_must_exist_and_ship(tmp_path: Path) -> None:
    """Static and template folders must exist and be package data (or listed in MANIFEST.in)."""
    root = make(tmp_path, "greeter_app")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('greeter_app = ["templates/*.html", "static/*"]', "")
    )
    assert failures(check_project(root)) == [("package-data", "error")] * 2
    (root / "MANIFEST.in").write_text(
        "graft greeter_app/static\nrecursive-include greeter_app *.html\n"
    )
    assert failures(check_project(root)) == []
    shutil.rmtree(root / "greeter_app/static")
    bad = [f for f in check_project(root) if not f.ok]
    assert [(f.check, f.where) for f in bad] == [("package-data", "greeter_app/app.py:21")]
    assert "greeter_app/static, which is not a folder" in bad[0].message


def test_single_module_extension(tmp_path: Path) -> None:
    """A top-level module (not a package) with the hooks is an extension too."""
    module = """
        def _jupyter_server_extension_points():
            return [{"module": "solo"}]

        def _load_jupyter_server_extension(serverapp):
            pass
        """
    json_file = "jupyter-config/jupyter_server_config.d/solo.json"
    pyproject = """
        [project]
        name = "solo"
        version = "0"
        [tool.setuptools.data-files]
        "etc/jupyter/jupyter_server_config.d" = ["jupyter-config/jupyter_server_config.d/solo.json"]
        """
    files = {
        "solo.py": module,
        "pyproject.toml": pyproject,
        "tasks.py": "def broken(:\n",
        json_file: '{"ServerApp": {"jpserver_extensions": {"solo": true}}}',
    }
    findings = check_project(make(tmp_path, None, files))
    assert failures(findings) == []  # tasks.py has no hook, so it is not parsed nor blamed
    assert one(findings, "loader").where == "solo.py:4"


def test_static_paths_built_with_os_path(tmp_path: Path) -> None:
    """os.path.join(os.path.dirname(__file__), ...) resolves like Path(__file__).parent / ..."""
    app = """
        import os

        from jupyter_server.extension.application import ExtensionApp

        HERE = os.path.abspath(os.path.dirname(__file__))


        class GreeterApp(ExtensionApp):
            name = "greeter"
            static_paths = [os.path.join(HERE, "static")]
            template_paths = (os.path.join(HERE, "missing"), "relative/templates")
        """
    root = make(tmp_path, "greeter_app", {"greeter_app/app.py": app})
    found = [
        (f.ok, f.severity, f.message.split(",")[0])
        for f in check_project(root)
        if f.check == "package-data"
    ]
    assert found == [
        (True, "error", "greeter_app/static/ (1 file) ships: listed in package data"),
        (False, "error", "template_paths names greeter_app/missing"),
        (
            False,
            "warning",
            "template_paths entry 'relative/templates' could not be resolved "
            "statically (a relative path depends on the working directory)",
        ),
    ]


@pytest.mark.parametrize(
    ("imports", "app"),
    [
        ("from . import app", "app.GreeterApp"),
        ("import greeter_app.app as app_module", "app_module.GreeterApp"),
        ("import greeter_app.app", "greeter_app.app.GreeterApp"),
        ("from .app import GreeterApp as _App\nApp = _App", "App"),
        ("from greeter_app.app import *  # noqa\nfrom .app import GreeterApp", "GreeterApp"),
    ],
)
def test_app_is_found_through_imports_and_aliases(tmp_path: Path, imports: str, app: str) -> None:
    """The point's ``app`` is followed through module imports, submodules and aliases."""
    point = f'{{"module": "greeter_app", "app": {app}}}'
    points = f"def _jupyter_server_extension_points():\n    return [{point}]\n"
    init = f"{imports}\n\n{points}\nlaunch_instance = None\n"
    root = make(tmp_path, "greeter_app", {"greeter_app/__init__.py": init})
    findings = check_project(root)
    assert failures(findings) == []
    assert one(findings, "loader").where == "greeter_app/app.py:15"
