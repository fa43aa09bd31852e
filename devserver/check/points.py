"""What an extension's code declares, read from its syntax trees.

The extension points a package returns, whether its ``app`` is an ``ExtensionApp``, which folders
its ``static_paths`` and ``template_paths`` name, and which handler methods skip authentication.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .source import (
    MAX_HOPS,
    Definition,
    Module,
    SourceTree,
    binding,
    dotted_name,
    find_class,
    last_name,
    original_name,
)

#: Bases known not to make a class an ExtensionApp (so they do not make the verdict unknown).
NOT_APP_BASES = frozenset(
    {
        "object",
        "ExtensionAppJinjaMixin",
        "Application",
        "JupyterApp",
        "Configurable",
        "LoggingConfigurable",
        "SingletonConfigurable",
        "HasTraits",
        "Generic",
    }
)


def is_extension_app(src: SourceTree, cls: Definition, hops: int = 0) -> bool | None:
    """Whether ``cls`` subclasses ``ExtensionApp``; None when a base lies outside the project."""
    node = cls.node
    if not isinstance(node, ast.ClassDef) or hops > MAX_HOPS:
        return None
    unknown = False
    for base in node.bases:
        name = dotted_name(base)
        tail = original_name(cls.module, base)
        if tail == "ExtensionApp":
            return True
        parent = find_class(src, cls.module, name) if name else None
        verdict = None if parent is None else is_extension_app(src, parent, hops + 1)
        if verdict:
            return True
        unknown = unknown or (verdict is None and tail not in NOT_APP_BASES)
    return None if unknown else False


@dataclass(frozen=True)
class Point:
    """One dict returned by ``_jupyter_server_extension_points()``, as written in the source."""

    line: int
    has_module: bool
    #: The ``module`` value; None when it is not a string literal.
    module: str | None
    #: The ``app`` value as a dotted name (``GreeterApp``, ``app.GreeterApp``); None without one.
    app: str | None
    #: An ``app`` value that is not a plain name (a call, a subscript): not resolvable statically.
    app_opaque: bool = False


def extension_points(func: ast.stmt) -> list[Point] | None:
    """The points of ``def _jupyter_server_extension_points(): return [{...}, ...]``.

    None when the function does not end in one literal list of literal-keyed dicts.
    """
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    returns = [node for node in _own_nodes(func) if isinstance(node, ast.Return)]
    if len(returns) != 1 or not isinstance(returns[0].value, ast.List | ast.Tuple):
        return None
    points = [_point(item) for item in returns[0].value.elts]
    return None if any(p is None for p in points) else [p for p in points if p is not None]


def _point(item: ast.expr) -> Point | None:
    if not isinstance(item, ast.Dict):
        return None
    values = {
        k.value: v
        for k, v in zip(item.keys, item.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }
    if len(values) != len(item.keys):
        return None  # a `**spread` or a computed key
    module = values.get("module")
    name = module.value if isinstance(module, ast.Constant) else None
    app = values.get("app")
    app_name = None if app is None else dotted_name(app)
    return Point(
        line=item.lineno,
        has_module=module is not None,
        module=name if isinstance(name, str) else None,
        app=app_name,
        app_opaque=app is not None and app_name is None,
    )


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function body, not descending into nested functions or classes."""
    pending: list[ast.AST] = list(func.body)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


#: Calls that return the path they are given (``str(p)``, ``Path(p)``, ``os.path.abspath(p)``).
SAME_PATH = frozenset({"str", "Path", "PurePath", "fspath", "abspath", "realpath", "normpath"})


def eval_path(module: Module, expr: ast.expr, depth: int = 0) -> Path | None:
    """The path ``expr`` evaluates to, when built from ``__file__`` and string literals.

    Handles ``Path(__file__).parent / "static"``, ``os.path.join(os.path.dirname(__file__), "x")``
    and names bound to such expressions at module level; None for anything else.
    """
    return None if depth > MAX_HOPS else _evaluated(expr, module, depth)


@functools.singledispatch
def _evaluated(expr: ast.expr, module: Module, depth: int) -> Path | None:
    """``eval_path`` by the kind of expression, one function each below; None for other kinds."""
    return None


@_evaluated.register(ast.Constant)
def _constant(expr: ast.Constant, module: Module, depth: int) -> Path | None:
    return Path(expr.value) if isinstance(expr.value, str) else None


@_evaluated.register(ast.Name)
def _name(expr: ast.Name, module: Module, depth: int) -> Path | None:
    if expr.id == "__file__":
        return module.path
    stmt = binding(module.tree, expr.id)
    value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
    return None if value is None else eval_path(module, value, depth + 1)


@_evaluated.register(ast.Attribute)
def _attribute(expr: ast.Attribute, module: Module, depth: int) -> Path | None:
    base = eval_path(module, expr.value, depth + 1) if expr.attr == "parent" else None
    return None if base is None else base.parent


@_evaluated.register(ast.BinOp)
def _binop(expr: ast.BinOp, module: Module, depth: int) -> Path | None:
    return _join(module, [expr.left, expr.right], depth) if isinstance(expr.op, ast.Div) else None


@_evaluated.register(ast.Call)
def _call(expr: ast.Call, module: Module, depth: int) -> Path | None:
    return None if expr.keywords else _call_path(module, expr, depth)


def _call_path(module: Module, call: ast.Call, depth: int) -> Path | None:
    name, args, func = last_name(call.func), call.args, call.func
    if isinstance(func, ast.Attribute) and name in {"resolve", "absolute"} and not args:
        return eval_path(module, func.value, depth + 1)
    if isinstance(func, ast.Attribute) and name == "joinpath":
        return _join(module, [func.value, *args], depth)
    if name == "join":
        return _join(module, args, depth)
    inner = eval_path(module, args[0], depth + 1) if len(args) == 1 else None
    if inner is None:
        return None
    if name == "dirname":
        return inner.parent
    return inner if name in SAME_PATH else None


def _join(module: Module, parts: list[ast.expr], depth: int) -> Path | None:
    paths = [eval_path(module, part, depth + 1) for part in parts]
    known = [p for p in paths if p is not None]
    return Path(*known) if known and len(known) == len(paths) else None


HANDLER_BASES = frozenset({"JupyterHandler", "APIHandler"})
HTTP_METHODS = frozenset({"get", "post", "put", "delete", "patch"})
#: Decorators that mark the function itself; outer decorators using functools.wraps keep the mark.
MARKING_DECORATORS = frozenset({"ws_authenticated", "allow_unauthenticated"})
#: What jupyter_server's start-up check makes of a method's decorators (``_check_handler_auth``).
Auth = Literal["ok", "missing", "inner", "authorized"]


@dataclass(frozen=True)
class HandlerMethod:
    """One HTTP method of a Jupyter handler class, and whether it states its authentication."""

    module: Module
    cls: str
    method: str
    line: int
    #: ``inner``: ``@authenticated`` sits below another decorator, where jupyter_server's check
    #: does not see it (it only recognises tornado's wrapper as the outermost function);
    #: ``authorized``: only ``@authorized``, which rejects anonymous users but is not recognised.
    auth: Auth


def handler_methods(modules: list[Module]) -> list[HandlerMethod]:
    """The get/post/put/delete/patch methods of every JupyterHandler/APIHandler subclass.

    A subclass of a project handler class counts too (matched by class name).
    """
    classes = [(m, n) for m in modules for n in ast.walk(m.tree) if isinstance(n, ast.ClassDef)]
    handlers = set(HANDLER_BASES)
    for _ in classes:  # one more generation of subclasses per round; no more rounds than classes
        more = {c.name for _, c in classes if c.name not in handlers and _extends(c, handlers)}
        if not more:
            break
        handlers |= more
    return [
        HandlerMethod(module, cls.name, func.name, func.lineno, auth_of(func))
        for module, cls in classes
        if _extends(cls, handlers)
        for func in cls.body
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func.name in HTTP_METHODS
    ]


def _extends(cls: ast.ClassDef, names: set[str]) -> bool:
    return any(last_name(base) in names for base in cls.bases)


def auth_of(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Auth:
    """``ok`` for ``@authenticated`` on top, or ``@ws_authenticated``/``@allow_unauthenticated``."""
    names = [last_name(d) for d in func.decorator_list]
    if any(name in MARKING_DECORATORS for name in names) or names[:1] == ["authenticated"]:
        return "ok"
    if "authenticated" in names:
        return "inner"
    return "authorized" if "authorized" in names else "missing"
