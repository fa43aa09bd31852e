"""Which loaded extensions depend on a package being reloaded.

An extension depends on package ``P`` when one of its modules holds something of ``P`` (a
module, class or function, found from the live module objects) or imports ``P`` in its source
(found with ``ast``, which also catches ``from P.handlers import GREETING`` of a plain value).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import ModuleType

INSTALLED = f"{os.sep}site-packages{os.sep}"


def in_package(module_name: str, package: str) -> bool:
    return module_name == package or module_name.startswith(package + ".")


def top_level(name: str) -> str:
    """The import package an extension name lives in: ``voila.server_extension`` → ``voila``.
    A reload takes the whole package out of ``sys.modules``, so it works on this name."""
    return name.partition(".")[0]


def dependents(
    package: str, candidates: Iterable[str], modules: Mapping[str, ModuleType]
) -> set[str]:
    """Which ``candidates`` have a module that references or imports ``package``'s package
    (extensions that share one top-level package always go together)."""
    found: set[str] = set()
    for candidate in candidates:
        if candidate == package:
            continue
        for name, module in list(modules.items()):
            if in_package(name, top_level(candidate)) and _references(module, top_level(package)):
                found.add(candidate)
                break
    return found


def reload_group(
    package: str, loaded: Iterable[str], modules: Mapping[str, ModuleType]
) -> list[str]:
    """``package`` followed by every loaded extension that imports it, directly or not."""
    loaded = list(loaded)
    group = [package]
    frontier = [package]
    while frontier:
        current = frontier.pop()
        for dep in sorted(dependents(current, loaded, modules)):
            if dep not in group:
                group.append(dep)
                frontier.append(dep)
    return group


def _references(module: ModuleType, package: str) -> bool:
    for value in list(getattr(module, "__dict__", {}).values()):
        owner = (
            value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
        )
        if isinstance(owner, str) and in_package(owner, package):
            return True
    return any(in_package(name, package) for name in _source_imports(module))


def _source_imports(module: ModuleType) -> frozenset[str]:
    """The absolute module names a module's source imports."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or not file.endswith(".py") or INSTALLED in file:
        # Installed packages (jupyterlab has hundreds of modules) are not read: they cannot
        # import the package being developed by name, and parsing them would hold the loop.
        return frozenset()
    try:
        stamp = os.stat(file).st_mtime_ns
    except OSError:
        return frozenset()
    return _parse_imports(file, stamp)


@lru_cache(maxsize=4096)
def _parse_imports(file: str, stamp: int) -> frozenset[str]:  # stamp: a new key per edit
    try:
        with open(file, encoding="utf-8") as f:
            tree = ast.parse(f.read(), file)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return frozenset(names)
