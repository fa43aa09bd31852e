"""What a project's packaging files say, read without running them.

``pyproject.toml`` is read with tomllib, ``setup.cfg`` with configparser and ``setup.py`` with
``ast``: only literal arguments of its ``setup()`` call count (or a name bound to a literal at
module level). Anything computed is reported as unknown, never guessed.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .base import Finding, error
from .source import MAX_HOPS, binding, last_name, parse_python

#: Where the guide says the enabling JSON must be installed, relative to ``sys.prefix``.
TARGET = "etc/jupyter/jupyter_server_config.d"


class Unknown:
    """A ``setup()`` argument that is not a literal: its value is unknowable without running."""

    def __repr__(self) -> str:
        return "<not a literal>"


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Metadata:
    """The parsed packaging files of one project; empty parts for the files it lacks."""

    root: Path
    pyproject: dict[str, object] = field(default_factory=dict)
    #: Literal keyword arguments of ``setup()`` (UNKNOWN for computed ones).
    setup: dict[str, object] = field(default_factory=dict)
    #: ``setup()`` also takes ``**kwargs``: any missing keyword may hide there.
    setup_opaque: bool = False
    cfg: configparser.ConfigParser = field(default_factory=configparser.ConfigParser)

    @property
    def files(self) -> list[str]:
        names = ("pyproject.toml", "setup.py", "setup.cfg")
        return [name for name in names if (self.root / name).is_file()]

    @property
    def backend(self) -> str:
        return str(
            self.table("build-system").get("build-backend") or "setuptools.build_meta:__legacy__"
        )

    def tool(self, *keys: str) -> object:
        """``[tool.<keys>]`` of pyproject.toml, or None."""
        return self.table("tool", *keys[:-1]).get(keys[-1]) if keys else None

    def table(self, *keys: str) -> dict[str, object]:
        """The pyproject.toml table at ``keys``; empty when absent or not a table."""
        value: object = self.pyproject
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, dict) else {}

    def cfg_value(self, section: str, key: str) -> str | None:
        return self.cfg.get(section, key, fallback=None)


def read_metadata(root: Path) -> tuple[Metadata, list[Finding]]:
    """The project's packaging files, and an error finding for each one that does not parse."""
    problems: list[Finding] = []
    pyproject = _read_pyproject(root / "pyproject.toml", problems)
    setup, opaque = _read_setup_py(root / "setup.py", problems)
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read(root / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        problems.append(
            error(
                "project-file",
                f"setup.cfg does not parse: {exc}",
                "Fix the syntax of setup.cfg.",
                "setup.cfg",
            )
        )
    return Metadata(root, pyproject, setup, opaque, cfg), problems


def _read_pyproject(path: Path, problems: list[Finding]) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        problems.append(
            error(
                "project-file",
                f"pyproject.toml is not valid TOML: {exc}",
                "Fix the TOML syntax at that line.",
                "pyproject.toml",
                line,
            )
        )
        return {}


def _read_setup_py(path: Path, problems: list[Finding]) -> tuple[dict[str, object], bool]:
    if not path.is_file():
        return {}, False
    try:
        tree = parse_python(path)
    except SyntaxError as exc:
        problems.append(
            error(
                "project-file",
                f"setup.py does not parse: {exc.msg}",
                "Fix the Python syntax at that line.",
                "setup.py",
                exc.lineno,
            )
        )
        return {}, False
    call = next(
        (
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and last_name(node.func) == "setup"
        ),
        None,
    )
    if call is None:
        # A setup.py of comments only (a shim for old tools) computes nothing.
        return {}, any(not _is_docstring(stmt) for stmt in tree.body)
    kwargs = {kw.arg: _literal(kw.value, tree) for kw in call.keywords if kw.arg}
    return kwargs, any(kw.arg is None for kw in call.keywords)


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _literal(expr: ast.expr, tree: ast.Module, depth: int = 0) -> object:
    """The value of a literal, where module-level names bound to literals count as literals.

    ``data_files=[(TARGET, [f"jupyter-config/{NAME}.json"])]`` is common in setup.py files.
    UNKNOWN when anything in it is computed.
    """
    if depth > MAX_HOPS:
        return UNKNOWN
    if isinstance(expr, ast.Name):
        stmt = binding(tree, expr.id)
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            return _literal(stmt.value, tree, depth + 1)
        return UNKNOWN
    parts: list[object] = []
    if isinstance(expr, ast.List | ast.Tuple):
        parts = [_literal(e, tree, depth + 1) for e in expr.elts]
        value: object = parts if isinstance(expr, ast.List) else tuple(parts)
    elif isinstance(expr, ast.Dict) and None not in expr.keys:
        keys = [_literal(k, tree, depth + 1) for k in expr.keys if k is not None]
        parts = [*keys, *(_literal(v, tree, depth + 1) for v in expr.values)]
        value = dict(zip(keys, parts[len(keys) :], strict=True)) if _hashable(keys) else UNKNOWN
    elif isinstance(expr, ast.JoinedStr):
        parts = [_literal(getattr(v, "value", v), tree, depth + 1) for v in expr.values]
        value = "".join(map(str, parts))
    else:
        try:
            return ast.literal_eval(expr)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return UNKNOWN
    return UNKNOWN if any(p is UNKNOWN for p in parts) else value


def _hashable(keys: list[object]) -> bool:
    return all(isinstance(k, str | int | float | bool | tuple) for k in keys)


def strings(value: object) -> list[str]:
    """A declared list of strings; a lone string counts as one item."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def cfg_list(value: str | None) -> list[str]:
    """A setup.cfg list: one item a line, or comma-separated."""
    return [item.strip() for item in re.split(r"[\n,]", value or "") if item.strip()]


def data_files(meta: Metadata) -> tuple[list[tuple[str, str, str]], bool]:
    """``(destination folder, source pattern, declared in)`` for every data file declaration.

    The flag is True when some declaration could not be read statically.
    """
    found: list[tuple[str, str, str]] = []
    for dest, sources in meta.table("tool", "setuptools", "data-files").items():
        found += [(dest, src, "[tool.setuptools.data-files]") for src in strings(sources)]
    shared = meta.table("tool", "hatch", "build", "targets", "wheel", "shared-data")
    for src, dest in ((k, v) for k, v in shared.items() if isinstance(v, str)):
        # hatch maps a file to a file, or a folder to a folder (its sub-folders kept).
        found += [
            (dest_folder, file, "[tool.hatch.build.targets.wheel.shared-data]")
            for dest_folder, file in _shared_data(meta.root, src.strip("/"), dest.strip("/"))
        ]
    for dest, sources in (
        meta.cfg.items("options.data_files") if meta.cfg.has_section("options.data_files") else []
    ):
        found += [(dest, src, "setup.cfg [options.data_files]") for src in cfg_list(sources)]
    value = meta.setup.get("data_files", [])
    unknown = value is UNKNOWN or (meta.setup_opaque and "data_files" not in meta.setup)
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, tuple | list) and len(item) == 2:
                found += [(str(item[0]), src, "setup.py data_files") for src in strings(item[1])]
            else:
                unknown = True
    return found, unknown


def _shared_data(root: Path, src: str, dest: str) -> list[tuple[str, str]]:
    """``(destination folder, source file)`` of one hatch ``shared-data`` entry."""
    folder = root / src
    if not folder.is_dir():
        return [(str(Path(dest).parent), src)]
    return [
        (
            str(Path(dest) / file.parent.relative_to(folder)).removesuffix("/."),
            file.relative_to(root).as_posix(),
        )
        for file in sorted(folder.rglob("*"))
        if file.is_file()
    ]


def console_scripts(meta: Metadata) -> tuple[dict[str, str], bool]:
    """``{script name: "module:attr"}``, and whether some declaration could not be read."""
    scripts = {str(k): str(v) for k, v in meta.table("project", "scripts").items()}
    lines = cfg_list(meta.cfg_value("options.entry_points", "console_scripts"))
    entry_points = meta.setup.get("entry_points", {})
    unknown = entry_points is UNKNOWN or (meta.setup_opaque and "entry_points" not in meta.setup)
    if isinstance(entry_points, dict):
        lines += strings(entry_points.get("console_scripts", []))
    for line in lines:
        name, sep, target = str(line).partition("=")
        if sep:
            scripts[name.strip()] = target.strip()
    return scripts, unknown
