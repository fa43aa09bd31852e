"""A standby's preloaded package gives way to the copy in a watched source root."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from devserver.agent.syspath import forget_shadowed


def package(root: Path, name: str, text: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(text)
    (root / name / "sub.py").write_text("")
    return root


def test_a_preloaded_copy_from_elsewhere_is_dropped_and_the_watched_one_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package imported from site-packages (here: another folder) before the roots were known
    is dropped with its submodules; one imported from the root itself stays."""
    installed = package(tmp_path / "site", "shadowed_pkg", "WHERE = 'installed'")
    watched = package(tmp_path / "project", "shadowed_pkg", "WHERE = 'watched'")
    package(watched, "own_pkg", "")
    monkeypatch.syspath_prepend(str(installed))
    importlib.import_module("shadowed_pkg.sub")
    monkeypatch.syspath_prepend(str(watched))
    importlib.import_module("own_pkg")
    try:
        assert forget_shadowed((str(watched),)) == ["shadowed_pkg"]
        assert "shadowed_pkg.sub" not in sys.modules
        assert "own_pkg" in sys.modules
        assert importlib.import_module("shadowed_pkg").WHERE == "watched"
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] in ("shadowed_pkg", "own_pkg")]:
            del sys.modules[name]
