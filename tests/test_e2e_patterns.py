"""End to end: extension shapes beyond the bundled examples, built in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Factory, wait_until

pytestmark = pytest.mark.e2e

HANDLER = """from jupyter_server.base.handlers import JupyterHandler
from tornado import web


class H(JupyterHandler):
    @web.authenticated
    def get(self) -> None:
        self.finish(VALUE)
"""


def project(root: Path, name: str, files: dict[str, str], enable: str) -> Path:
    """A minimal extension project: pyproject, a config JSON enabling ``enable``, the files."""
    folder = root / "extensions" / name
    (folder / "jupyter-config" / "jupyter_server_config.d").mkdir(parents=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0"\n')
    (folder / "jupyter-config" / "jupyter_server_config.d" / f"{name}.json").write_text(
        f'{{"ServerApp": {{"jpserver_extensions": {{"{enable}": true}}}}}}'
    )
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def test_dotted_extension_name_reloads_its_sibling_modules(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """An extension enabled as `pkg.server_extension` reloads `pkg.handlers` too."""
    project(
        tmp_path,
        "dotted_pkg",
        {
            "dotted_pkg/__init__.py": "",
            "dotted_pkg/handlers.py": HANDLER.replace("VALUE", '"dotted-v1"'),
            "dotted_pkg/server_extension.py": (
                "from .handlers import H\n\n\n"
                "def _jupyter_server_extension_points():\n"
                "    return [{'module': 'dotted_pkg.server_extension'}]\n\n\n"
                "def _load_jupyter_server_extension(serverapp):\n"
                "    serverapp.web_app.add_handlers('.*$', [(serverapp.base_url + 'dotted', H)])\n"
            ),
        },
        enable="dotted_pkg.server_extension",
    )
    server = devserver_factory()
    assert server.get("dotted").text == "dotted-v1"
    server.edit("dotted_pkg/dotted_pkg/handlers.py", "dotted-v1", "dotted-v2")
    wait_until(lambda: server.get("dotted").text == "dotted-v2", what="the sibling module")


def test_extension_app_class_settings_edit_is_served(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """Editing an ExtensionApp's class-level `settings` serves the new value after the reload."""
    project(
        tmp_path,
        "settings_app",
        {
            "settings_app/__init__.py": (
                "from jupyter_server.base.handlers import JupyterHandler\n"
                "from jupyter_server.extension.application import ExtensionApp\n"
                "from tornado import web\n\n\n"
                "class H(JupyterHandler):\n"
                "    @web.authenticated\n"
                "    def get(self):\n"
                "        self.finish(self.settings['fixed'])\n\n\n"
                "class App(ExtensionApp):\n"
                "    name = 'settings_app'\n"
                "    settings = {'fixed': 'fixed-1'}\n"
                "    handlers = [('/fixed', H)]\n\n\n"
                "def _jupyter_server_extension_points():\n"
                "    return [{'module': 'settings_app', 'app': App}]\n"
            ),
        },
        enable="settings_app",
    )
    server = devserver_factory()
    assert server.get("fixed").text == "fixed-1"
    server.edit("settings_app/settings_app/__init__.py", "fixed-1", "fixed-2")
    wait_until(lambda: server.get("fixed").text == "fixed-2", what="the new class settings")
