"""``devserver check`` on handlers and on code that must not run or does not parse."""

from __future__ import annotations

import textwrap
from pathlib import Path

from devserver.check import check_project
from tests.check.projects import failures, hatch_pyproject, make, one


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
