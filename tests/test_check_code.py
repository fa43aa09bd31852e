"""``devserver check`` on the code of an extension: hooks, loaders, apps, handlers, syntax."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from devserver.check import check_project
from tests.check_projects import failures, hatch_pyproject, make, one


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


def test_undecorated_handler_methods_are_warned_with_file_and_line(tmp_path: Path) -> None:
    """Each get/post/... of a handler without an auth decorator is a warning at its line."""
    handlers = """
        from jupyter_server.base.handlers import APIHandler, JupyterHandler
        from jupyter_server.auth.decorator import allow_unauthenticated
        from tornado import web


        class HelloHandler(JupyterHandler):
            @web.authenticated
            def get(self):
                pass

            def post(self):
                pass


        class Child(HelloHandler):
            async def delete(self):
                pass

            @allow_unauthenticated
            def put(self):
                pass


        class NotAHandler:
            def get(self):
                pass
        """
    root = make(
        tmp_path,
        "hello_ext",
        {"hello_ext/handlers.py": textwrap.dedent(handlers) + "\ndef greeting(n): ...\n"},
    )
    warned = [f for f in check_project(root) if f.check == "authenticated"]
    assert [(f.ok, f.severity, f.where) for f in warned] == [
        (False, "warning", "hello_ext/handlers.py:11"),
        (False, "warning", "hello_ext/handlers.py:16"),
    ]
    assert warned[0].message.startswith("HelloHandler.post has no @tornado.web.authenticated")


def test_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    """A module that does not parse is an error at its line, and nothing is imported."""
    root = make(tmp_path, "hello_ext", {"hello_ext/handlers.py": "def broken(:\n    pass\n"})
    bad = one(check_project(root), "syntax")
    assert (bad.severity, bad.where) == ("error", "hello_ext/handlers.py:1")


def test_user_code_is_never_executed(tmp_path: Path) -> None:
    """Checking reads the sources only: module-level code of the package does not run."""
    marker = tmp_path / "ran"
    init = f"""
        open({str(marker)!r}, "w").close()
        raise SystemExit("imported!")

        def _jupyter_server_extension_points():
            return [{{"module": "hello_ext"}}]

        def _load_jupyter_server_extension(serverapp):
            pass
        """
    setup = f"open({str(marker)!r}, 'w').close()\nfrom setuptools import setup\nsetup()\n"
    root = make(tmp_path, "hello_ext", {"hello_ext/__init__.py": init, "setup.py": setup})
    assert failures(check_project(root)) == []
    assert not marker.exists()


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


def test_setup_py_that_does_not_parse(tmp_path: Path) -> None:
    """A setup.py with a syntax error is a project-file error at its line."""
    root = make(tmp_path, "hello_ext", {"setup.py": "from setuptools import setup\nsetup(\n"})
    bad = one(check_project(root), "project-file")
    assert (bad.ok, bad.file, bad.line) == (False, "setup.py", 2)


SIMPLE_APP = """
    import os

    from jupyter_server.auth import authorized
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.extension.application import ExtensionApp
    from tornado import web

    HERE = os.path.dirname(__file__)


    class Page(JupyterHandler):
        @authorized
        def get(self):
            pass

        @authorized
        @web.authenticated
        def post(self):
            pass


    class SimpleApp(ExtensionApp):
        name = "simple_ext"
        static_paths = [os.path.join(HERE, "static")]


    main = launch_new_instance = SimpleApp.launch_instance
    """


def test_layout_of_jupyter_servers_own_examples(tmp_path: Path) -> None:
    """jupyter_server's example layout: JSON in etc/jupyter, hyphenated script, @authorized."""
    files = {
        "pyproject.toml": hatch_pyproject(
            "simple-ext",
            '[project.scripts]\njupyter-simple-ext = "simple_ext.application:main"',
            "[tool.hatch.build.targets.wheel.shared-data]",
            '"etc/jupyter/jupyter_server_config.d" = "etc/jupyter/jupyter_server_config.d"',
        ),
        "etc/jupyter/jupyter_server_config.d/simple_ext.json": (
            '{"ServerApp": {"jpserver_extensions": {"simple_ext": true}}}'
        ),
        "simple_ext/__init__.py": "from .application import SimpleApp\n\n"
        "def _jupyter_server_extension_points():\n"
        '    return [{"module": "simple_ext.application", "app": SimpleApp}]\n',
        "simple_ext/application.py": SIMPLE_APP,
        "simple_ext/static/app.js": "",
        "node_modules/x/jupyter_server_config.d/simple_ext.json": "{not searched",
    }
    findings = check_project(make(tmp_path, None, files))
    assert [(f.check, f.severity, f.where) for f in findings if not f.ok] == [
        ("config-json", "warning", "etc/jupyter/jupyter_server_config.d/simple_ext.json"),
        ("authenticated", "warning", "simple_ext/application.py:13"),
        ("authenticated", "warning", "simple_ext/application.py:18"),
    ]
    assert (
        one(findings, "console-script").message
        == "jupyter-simple-ext = simple_ext.application:main"
    )
    assert one(findings, "launch-instance").where == "simple_ext/application.py:27"
    auth = [f.message for f in findings if f.check == "authenticated"]
    assert auth[0].startswith("Page.get has @authorized but no @tornado.web.authenticated")
    assert auth[1].startswith("Page.post: @tornado.web.authenticated is not the outermost")


def test_null_bytes_are_a_syntax_error(tmp_path: Path) -> None:
    """A module Python would refuse to compile (null bytes) is reported, not raised."""
    root = make(tmp_path, "hello_ext")
    (root / "hello_ext/extra.py").write_bytes(b"x = 1\x00\n")
    bad = one(check_project(root), "syntax")
    assert (bad.severity, bad.file) == ("error", "hello_ext/extra.py")
