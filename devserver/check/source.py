"""Read an extension's Python sources with ``ast``, never importing them.

``devserver check`` must not run the user's code (it may be broken, slow, or have side effects),
so every question about a package is answered from its syntax tree: which names a module binds,
where an imported class is defined, what a ``static_paths`` entry evaluates to.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Aliases and imports followed to find a definition; a longer chain counts as unresolved.
MAX_HOPS = 8


@dataclass(frozen=True)
class Module:
    """One parsed module of the project."""

    name: str
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


@dataclass(frozen=True)
class Definition:
    """A statement binding a name at module level (def, class, assignment, import)."""

    module: Module
    node: ast.stmt


class SourceTree:
    """The modules importable from one source folder, parsed on first use.

    Files that do not parse are remembered in ``syntax_errors`` (the check reports them) and
    behave as missing modules.
    """

    def __init__(self, source_root: Path) -> None:
        self.root = source_root
        self.syntax_errors: dict[Path, SyntaxError] = {}
        self._parsed: dict[Path, Module | None] = {}

    def module(self, dotted: str) -> Module | None:
        """The module ``dotted`` (``pkg.app``) if it is a file of this project."""
        if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
            return None
        base = self.root.joinpath(*dotted.split("."))
        for path in (base / "__init__.py", base.with_suffix(".py")):
            if path.is_file():
                return self.parse(path, dotted)
        return None

    def parse(self, path: Path, dotted: str) -> Module | None:
        if path not in self._parsed:
            self._parsed[path] = self._read(path, dotted)
        return self._parsed[path]

    def _read(self, path: Path, dotted: str) -> Module | None:
        try:
            return Module(dotted, path, parse_python(path))
        except SyntaxError as exc:
            self.syntax_errors[path] = exc
        except OSError:
            pass
        return None

    def package_modules(self, package: Module) -> Iterator[Module]:
        """Every module of ``package`` (itself and, for a package, all files below it)."""
        if not package.is_package:
            yield package
            return
        for path in sorted(package.path.parent.rglob("*.py")):
            parts = path.relative_to(self.root).with_suffix("").parts
            dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            module = self.parse(path, dotted)
            if module is not None:
                yield module


def parse_python(path: Path) -> ast.Module:
    """The syntax tree of one file; SyntaxError for anything Python would not compile."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return ast.parse(text, filename=str(path))
    except ValueError as exc:  # null bytes: a ValueError on some 3.11 releases
        raise SyntaxError(str(exc), (str(path), 1, 1, "")) from exc


def top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Module-level statements, including those inside ``if``/``try`` blocks at module level."""
    pending = list(reversed(tree.body))
    while pending:
        stmt = pending.pop()
        yield stmt
        if isinstance(stmt, ast.If | ast.Try):
            blocks = [stmt.body, stmt.orelse]
            if isinstance(stmt, ast.Try):
                blocks += [stmt.finalbody, *(h.body for h in stmt.handlers)]
            pending.extend(reversed([s for block in blocks for s in block]))


def binds(stmt: ast.stmt, name: str) -> bool:
    """Whether ``stmt`` binds ``name`` in the namespace it runs in."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return stmt.name == name
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    if isinstance(stmt, ast.AnnAssign):
        return isinstance(stmt.target, ast.Name) and stmt.target.id == name and bool(stmt.value)
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return any(_bound_name(alias) == name for alias in stmt.names)
    return False


def _bound_name(alias: ast.alias) -> str:
    # `import a.b` binds `a`; `import a.b as c` and `from m import x as c` bind `c`.
    return alias.asname or alias.name.split(".")[0]


def binding(tree: ast.Module, name: str) -> ast.stmt | None:
    """The last module-level statement binding ``name``, as the module ends up with it."""
    found = None
    for stmt in top_level(tree):
        if binds(stmt, name):
            found = stmt
    return found


def dotted_name(expr: ast.expr) -> str | None:
    """``a.b.c`` for a name or attribute chain, else None (``Foo()``, ``x[0]``)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted_name(expr.value)
        return None if base is None else f"{base}.{expr.attr}"
    return None


def last_name(expr: ast.expr) -> str | None:
    """The last part of a dotted name; a call's callee (``@dec(...)`` counts as ``dec``)."""
    if isinstance(expr, ast.Call):
        expr = expr.func
    name = dotted_name(expr)
    return None if name is None else name.rsplit(".", 1)[-1]


def original_name(module: Module, expr: ast.expr) -> str | None:
    """``last_name``, seeing through ``from m import Name as Alias``."""
    if isinstance(expr, ast.Name):
        stmt = binding(module.tree, expr.id)
        if isinstance(stmt, ast.ImportFrom):
            return next(a.name for a in stmt.names if _bound_name(a) == expr.id)
    return last_name(expr)


def absolute(module: Module, name: str | None, level: int) -> str:
    """The absolute module name of ``from <level dots><name> import ...`` inside ``module``."""
    if level == 0:
        return name or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def resolve(
    src: SourceTree, module: Module, dotted: str, hops: int = 0
) -> Module | Definition | None:
    """What ``dotted`` names in ``module``: a project module or definition; None when unknown.

    Follows imports, ``X = other.Y`` aliases and submodules, within this project only.
    """
    if not dotted:
        return module
    if hops > MAX_HOPS:
        return None
    head, _, rest = dotted.partition(".")
    stmt = binding(module.tree, head)
    target: Module | Definition | None
    if stmt is None:
        target = src.module(f"{module.name}.{head}") if module.is_package else None
    elif isinstance(stmt, ast.ImportFrom):
        target = _from_import(src, module, stmt, head, hops)
    elif isinstance(stmt, ast.Import):
        alias = next(a for a in stmt.names if _bound_name(a) == head)
        target = src.module(alias.name if alias.asname else head)
    elif isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        alias_of = dotted_name(stmt.value)
        if alias_of is not None and alias_of != head:
            suffix = f".{rest}" if rest else ""
            return resolve(src, module, alias_of + suffix, hops + 1)
        target = Definition(module, stmt)
    else:
        target = Definition(module, stmt)
    if target is None or not rest:
        return target
    return resolve(src, target, rest, hops + 1) if isinstance(target, Module) else None


def _from_import(
    src: SourceTree, module: Module, stmt: ast.ImportFrom, head: str, hops: int
) -> Module | Definition | None:
    alias = next(a for a in stmt.names if _bound_name(a) == head)
    base = absolute(module, stmt.module, stmt.level)
    origin = src.module(base)
    bound = None if origin is None else binding(origin.tree, alias.name)
    # `from . import app` in a package's __init__ binds the submodule: it is its own binding.
    if origin is not None and bound is not None and bound is not stmt:
        return resolve(src, origin, alias.name, hops + 1)
    return src.module(f"{base}.{alias.name}")


def find_class(src: SourceTree, module: Module, dotted: str) -> Definition | None:
    """The project class ``dotted`` names in ``module``, or None."""
    target = resolve(src, module, dotted)
    if isinstance(target, Definition) and isinstance(target.node, ast.ClassDef):
        return target
    return None


def find_imported_class(src: SourceTree, module: Module, name: str) -> Definition | None:
    """The project class a function of ``module`` imports locally, as nbclassic's hook does
    (``from .notebookapp import NotebookApp`` inside ``_jupyter_server_extension_paths``)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and any(_bound_name(a) == name for a in node.names):
            target = _from_import(src, module, node, name, 0)
            if isinstance(target, Definition) and isinstance(target.node, ast.ClassDef):
                return target
    return None


def class_attribute(
    src: SourceTree, cls: Definition, name: str, hops: int = 0
) -> tuple[Module, ast.expr, int] | None:
    """The value a class body (or a project base class's body) assigns to ``name``."""
    node = cls.node
    if not isinstance(node, ast.ClassDef) or hops > MAX_HOPS:
        return None
    for stmt in node.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and binds(stmt, name) and stmt.value:
            return cls.module, stmt.value, stmt.lineno
    for base in node.bases:
        parent = find_class(src, cls.module, dotted_name(base) or "")
        found = None if parent is None else class_attribute(src, parent, name, hops + 1)
        if found is not None:
            return found
    return None
