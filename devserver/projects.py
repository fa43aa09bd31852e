"""Runs in the supervisor (``devserver run``) and the CLI (``devserver check``): where an
extension project's Python code is, read from its files without importing anything.

Both commands find a project's source root and its top-level packages here, so they agree on
what a project holds; what each then does with them differs (``run`` watches and loads them,
``check`` reads them with ``ast``).
"""

from __future__ import annotations

from pathlib import Path

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
#: Names whose definition in a package's ``__init__.py`` (or a single module) makes it an
#: extension, as jupyter_server looks them up.
HOOKS = (
    "_jupyter_server_extension_points",
    "_load_jupyter_server_extension",
    "load_jupyter_server_extension",
)
#: Top-level folders that hold no extension package even when they have an ``__init__.py``.
NOT_PACKAGES = frozenset({"tests", "test", "docs", "doc", "examples", "build", "dist", "venv"})
#: Top-level scripts that are never an extension module.
NOT_MODULES = frozenset({"setup.py", "conftest.py", "noxfile.py"})


def is_project(path: Path) -> bool:
    """Whether ``path`` is a project folder (pip could install it)."""
    return any((path / name).is_file() for name in PROJECT_FILES)


def source_root(root: Path) -> Path:
    """``src/`` in a src layout; the project folder otherwise (a JupyterLab extension's ``src/``
    holds TypeScript, not Python packages)."""
    src = root / "src"
    return src if src.is_dir() and any(map(is_package, src.iterdir())) else root


def top_level_packages(source: Path) -> dict[str, Path]:
    """The importable top-level packages under ``source``, name → folder, and the single
    modules that define an extension hook, name → file; test, docs and build folders aside."""
    return {
        child.name if child.is_dir() else child.stem: child
        for child in sorted(source.iterdir())
        if child.name not in NOT_PACKAGES
        and not child.name.startswith((".", "_"))
        and (is_package(child) or _is_extension_module(child))
    }


def is_package(path: Path) -> bool:
    return path.is_dir() and (path / "__init__.py").is_file()


def _is_extension_module(path: Path) -> bool:
    return path.suffix == ".py" and path.name not in NOT_MODULES and defines_hook(path)


def defines_hook(path: Path) -> bool:
    """Whether the package (its ``__init__.py``) or module at ``path`` names an extension hook;
    text search, so nothing is imported (an unreadable file defines none)."""
    init = path / "__init__.py" if path.is_dir() else path
    try:
        text = init.read_text(encoding="utf-8", errors="replace")
    except OSError:  # a dangling link: not a module Python could import either
        return False
    return any(hook in text for hook in HOOKS)
