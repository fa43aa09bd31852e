"""The folders say which process a module runs in; these tests keep the folders honest."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

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


SHARED = sorted(
    f"devserver.{p.stem}"
    for p in (Path(__file__).resolve().parent.parent / "devserver").glob("*.py")
    if p.stem not in ("__init__", "__main__")  # __main__ is the CLI's entry point
)
#: What a module at the top of devserver/ may not load: the worker side and every process folder
#: (a shared module sits below them all).
BELOW_THE_FOLDERS = (
    "jupyter_server",
    "tornado.web",
    "dashboard",
    "devserver.agent",
    "devserver.supervisor",
    "devserver.cli",
    "devserver.check",
    "devserver.specs",
    "devserver.testing",
)


def test_the_shared_modules_are_found() -> None:
    """The list of devserver's top-level modules holds ones known to be shared."""
    assert {"devserver.protocol", "devserver.apijson", "devserver.urls"} <= set(SHARED)
    assert "devserver.__main__" not in SHARED


@pytest.mark.parametrize("module", SHARED)
def test_shared_modules_are_pure(module: str) -> None:
    """A module at the top of devserver/, imported alone in a fresh interpreter, loads neither
    jupyter_server, nor tornado's web app, nor anything of the process folders or the dashboard."""
    loaded = loaded_after_import(module)
    assert module in loaded
    assert offenders(loaded, BELOW_THE_FOLDERS) == []


def module_imports() -> dict[str, set[str]]:
    """For each module of the packages, the modules of the packages it imports at its top level,
    ``if TYPE_CHECKING:`` blocks included (a circle of annotations is a circle of design)."""
    root = Path(__file__).resolve().parent.parent
    files = {
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
        for package in ("devserver", "dashboard")
        for p in (root / package).rglob("*.py")
    }
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = {
            target
            for node in top_level_imports(ast.parse(path.read_text()))
            for target in imported(node, package, files.keys())
            if target != name
        }
    return graph


def top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    nodes: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            nodes.extend(node.body)
        else:
            nodes.append(node)
    return [n for n in nodes if isinstance(n, ast.Import | ast.ImportFrom)]


def imported(node: ast.Import | ast.ImportFrom, package: str, known: Iterable[str]) -> set[str]:
    """The modules of ``known`` that ``node`` imports (``from . import x``: the submodule x)."""
    known = set(known)
    if isinstance(node, ast.Import):
        return {a.name for a in node.names} & known
    base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
    module = ".".join([*base, *([node.module] if node.module else [])])
    submodules = {f"{module}.{a.name}" for a in node.names} & known
    return submodules or ({module} & known)


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in sorted(graph[name]):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == name:
                    break
            if len(component) > 1:
                found.append(component)

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


def test_circles_are_found() -> None:
    """The circle finder reports a two-module circle and a longer one, and nothing acyclic."""
    graph = {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}
    assert sorted(map(sorted, circles(graph))) == [["a", "b"], ["c", "d", "e"]]


def test_no_import_circles() -> None:
    """No module of devserver/ or dashboard/ imports, even for annotations only, a module that
    imports it back, directly or through others."""
    graph = module_imports()
    assert "devserver.agent.registry" in graph["devserver.agent.worker"]  # the walk did read
    assert circles(graph) == []
