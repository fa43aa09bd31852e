"""Fault 3, at start: an extension whose import hangs does not hold the worker's start. It is a
failure of that extension (with the stuck line) and the others serve."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import Factory

pytestmark = pytest.mark.e2e


def test_extension_hanging_at_import_fails_and_the_server_starts(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """An extension sleeping forever at import is recorded as ImportStuck at its line after the
    deadline; hello_ext serves."""
    hanging = tmp_path / "extensions" / "hanging_ext"
    (hanging / "hanging_ext").mkdir(parents=True)
    (hanging / "pyproject.toml").write_text('[project]\nname = "hanging-ext"\nversion = "0"\n')
    init = hanging / "hanging_ext" / "__init__.py"
    init.write_text(
        "def _jupyter_server_extension_points():\n    return [{'module': 'hanging_ext'}]\n"
        "import time\ntime.sleep(3600)\n"
    )
    server = devserver_factory("hello_ext", args=("--DevServer.reload_timeout=2",))
    assert server.get("hello").json() == {"message": "Hello, world!"}
    assert (
        f"hanging_ext failed at import: ImportStuck: importing hanging_ext did not finish "
        f"within 2 s: stuck at {init}:4" in server.log()
    )
