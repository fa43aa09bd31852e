"""The starter app (`devserver run --app NAME`) and the extensions it does not load."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Factory

SOLO_APP = """
from jupyter_server.extension.application import ExtensionApp


class SoloApp(ExtensionApp):
    name = "solo"
    load_other_extensions = False


def _jupyter_server_extension_points():
    return [{"module": "solo_app", "app": SoloApp}]
"""


@pytest.mark.e2e
def test_extensions_a_starter_app_does_not_load_are_disabled(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """A starter app that loads no other extensions leaves them disabled, and the API says so
    with one voice: state "disabled" and enabled false."""
    project = tmp_path / "src" / "solo_app"
    (project / "solo_app").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "solo-app"\n')
    (project / "solo_app" / "__init__.py").write_text(SOLO_APP)
    server = devserver_factory(str(project), "hello_ext", args=("--app", "solo"))
    assert server.get("hello").status_code == 404
    listed = server.get("_introspect/api/extensions").json()["extensions"]
    extensions = {e["name"]: (e["state"], e["enabled"]) for e in listed}
    assert extensions["hello_ext"] == ("disabled", False)
    assert extensions["solo_app"] == ("loaded", True)
