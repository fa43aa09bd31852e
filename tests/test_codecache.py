"""Unchanged modules reuse their compiled code across reloads; edited ones are compiled again."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devserver.agent import codecache


@pytest.fixture
def cached_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as in the worker
    (tmp_path / "ccpkg").mkdir()
    (tmp_path / "ccpkg" / "__init__.py").write_text("def f():\n    return 1\n")
    sys.path.insert(0, str(tmp_path))
    hook = codecache.install([str(tmp_path)])
    yield tmp_path
    sys.path_hooks.remove(hook)
    sys.path.remove(str(tmp_path))
    sys.path_importer_cache.clear()
    sys.modules.pop("ccpkg", None)


def reimport() -> object:
    sys.modules.pop("ccpkg", None)
    importlib.invalidate_caches()
    return importlib.import_module("ccpkg")


def test_unchanged_source_reuses_its_code_and_an_edit_is_compiled(cached_root: Path) -> None:
    """A re-import of the same bytes gives the same code objects; new bytes give new code."""
    first = reimport()
    second = reimport()
    assert second is not first
    assert second.f.__code__ is first.f.__code__  # type: ignore[attr-defined]
    (cached_root / "ccpkg" / "__init__.py").write_text("def f():\n    return 2\n")
    third = reimport()
    assert third.f() == 2  # type: ignore[attr-defined]
