"""The folders say which process a module runs in; these tests keep the folders honest."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

WORKER_SIDE = ("jupyter_server", "tornado.web", "devserver.agent", "dashboard")


def loaded_after_import(*modules: str) -> set[str]:
    """The names in ``sys.modules`` of a fresh interpreter after importing ``modules`` (and every
    submodule of a package among them, so a lazy import cannot hide a dependency)."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(getattr(module, '__path__', []), name + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return set(json.loads(out))


def offenders(loaded: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == f or m.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize("package", ["devserver.supervisor", "devserver.cli"])
def test_supervisor_and_cli_never_load_the_worker_side(package: str) -> None:
    """Importing every module of the supervisor or the CLI loads neither jupyter_server, nor
    tornado's web app, nor the worker, nor the dashboard."""
    loaded = loaded_after_import(package)
    assert f"{package}.loop" in loaded or f"{package}.main" in loaded  # the walk did import
    assert offenders(loaded, WORKER_SIDE) == []


def test_specs_is_a_library_without_the_agent() -> None:
    """``devserver.specs`` (the public spec library) imports nothing of the dev server's worker."""
    loaded = loaded_after_import("devserver.specs")
    assert "devserver.specs.mixin" in loaded
    assert offenders(loaded, ("devserver.agent", "dashboard", "devserver.supervisor")) == []
