"""``devserver check PATH``, the extension guide's packaging checklist.

Each step of "Distributing a server extension" becomes findings (``check.base.Finding``), passed
or failed: a project file; extension points in the package's ``__init__.py``; a loader for each
point; ``jupyter-config/jupyter_server_config.d/NAME.json`` enabling NAME; that JSON installed as
a data file; then, in ``check.apps``, the ``jupyter-NAME`` script of an ExtensionApp, its static
and template folders shipped as package data, and authentication decorators on handlers.

Nothing of the project is imported or executed: files are read, TOML with tomllib, Python with
``ast``. What cannot be proven that way is a warning, never a guess.

>>> example = Path(__file__).parents[2] / "examples" / "hello_ext"
>>> [f.check for f in check_project(example) if not f.ok]
[]
"""

from __future__ import annotations

from pathlib import Path

from devserver.errors import ConfigError
from devserver.projects import source_root, top_level_packages

from .apps import check_app, check_handlers
from .base import Finding, error, passed, warning
from .enable import CLASSIC_LOADER, LOADER, check_config_json, check_data_files, check_loader
from .meta import read_metadata
from .points import Point, extension_points
from .project import Extension, Project
from .source import Definition, Module, SourceTree, binding

__all__ = ["Finding", "check_project"]

POINTS = "_jupyter_server_extension_points"
LEGACY_POINTS = "_jupyter_server_extension_paths"


def check_project(path: Path) -> list[Finding]:
    """Every finding of the checklist for the project folder ``path``, in checklist order.

    Raises ConfigError when ``path`` is not an existing folder.
    """
    root = path.resolve()
    if not root.is_dir():
        what = "not a folder" if root.exists() else "no such folder"
        raise ConfigError(f"{root}: {what}. Give the folder that holds pyproject.toml or setup.py.")
    meta, unreadable = read_metadata(root)
    project = Project(root, meta, SourceTree(source_root(root)))
    found = check_project_files(project)
    if not found.ok:
        return [found]  # not a project: what follows would only repeat it
    findings = unreadable or [found]
    extensions, declared = find_extensions(project)
    findings += declared
    for extension in extensions:
        findings += check_extension(project, extension)
    findings += [
        error(
            "syntax",
            f"{project.rel(file)} does not parse: {exc.msg}",
            "Fix the Python syntax at that line.",
            project.rel(file),
            exc.lineno,
        )
        for file, exc in project.src.syntax_errors.items()
    ]
    return findings


def check_project_files(project: Project) -> Finding:
    files = project.meta.files
    if "pyproject.toml" in files or "setup.py" in files:
        return passed("project-file", f"{', '.join(files)} found", files[0])
    nested = [
        p.name
        for p in sorted(project.root.iterdir())
        if (p / "pyproject.toml").is_file() or (p / "setup.py").is_file()
    ]
    hint = (
        f"; its sub-folders {', '.join(nested)} are projects: check one of them" if nested else ""
    )
    return error(
        "project-file",
        f"{project.root} has no pyproject.toml or setup.py, so pip cannot install it{hint}",
        "Add a pyproject.toml with [build-system] and [project] tables next to the package.",
    )


def find_extensions(project: Project) -> tuple[list[Extension], list[Finding]]:
    """The packages that declare extension points, with a finding each (check 2)."""
    candidates = list(_top_level_modules(project.src))
    declared = [m for m in candidates if binding(m.tree, POINTS) or binding(m.tree, LEGACY_POINTS)]
    if declared:
        pairs = [_declared_points(project, module) for module in declared]
        return [ext for ext, _ in pairs], [f for _, found in pairs for f in found]
    hooked = [m for m in candidates if binding(m.tree, LOADER) or binding(m.tree, CLASSIC_LOADER)]
    findings = [
        warning(
            "extension-points",
            f"{m.name} has a loader but no {POINTS}(); jupyter_server "
            "falls back to the package itself",
            _points_fix(m.name),
            project.rel(m.path),
        )
        for m in hooked
    ]
    if not hooked:
        findings.append(
            error(
                "extension-points",
                f"no top-level package under {project.rel(project.src.root) or '.'}"
                f" defines {POINTS}() in its __init__.py: the server finds no extension",
                _points_fix("my_extension"),
            )
        )
    fallback = [Extension(m, [Point(0, True, m.name, None)]) for m in hooked]
    return fallback, findings


def _top_level_modules(src: SourceTree) -> list[Module]:
    """The modules of the top-level packages, found as ``devserver run`` finds them."""
    names = top_level_packages(src.root)
    return [m for name in names if (m := src.module(name)) is not None]


def _points_fix(name: str) -> str:
    return (
        f'Define in {name}/__init__.py: def {POINTS}(): return [{{"module": "{name}"}}] '
        '(add "app": YourExtensionApp for an ExtensionApp).'
    )


def _declared_points(project: Project, module: Module) -> tuple[Extension, list[Finding]]:
    stmt = binding(module.tree, POINTS) or binding(module.tree, LEGACY_POINTS)
    assert stmt is not None  # find_extensions only passes modules that bind one of them
    file, line = project.rel(module.path), stmt.lineno
    findings = (
        []
        if binding(module.tree, POINTS)
        else [
            warning(
                "extension-points",
                f"{LEGACY_POINTS} is a deprecated name",
                f"Rename it to {POINTS}.",
                file,
                line,
            )
        ]
    )
    points = extension_points(stmt)
    findings.append(_points_finding(module.name, points, file, line))
    return Extension(module, [p for p in points or [] if p.has_module]), findings


def _points_finding(name: str, points: list[Point] | None, file: str, line: int) -> Finding:
    function, fix = f"{name}.{POINTS}()", _points_fix(name)
    if points is None:
        return warning(
            "extension-points",
            f"{function} does not return a literal list of "
            "dicts, so it could not be checked statically",
            fix,
            file,
            line,
        )
    if not points:
        return error("extension-points", f"{function} returns an empty list", fix, file, line)
    if any(not p.has_module for p in points):
        return error(
            "extension-points",
            f"{function} returns a point without a 'module' key",
            fix,
            file,
            line,
        )
    described = "; ".join(
        f"module {p.module or '?'}" + (f", app {p.app}" if p.app else "") for p in points
    )
    return passed("extension-points", f"{function}: {described}", file, line)


def check_extension(project: Project, ext: Extension) -> list[Finding]:
    """Checks 3 to 8 for one extension package."""
    findings: list[Finding] = []
    apps: list[Definition] = []
    for point in ext.points:
        finding, app = check_loader(project, ext, point)
        findings.append(finding)
        apps += [app] if app is not None else []
    finding, config = check_config_json(project, ext.name)
    findings.append(finding)
    if config is not None:
        findings.append(check_data_files(project, config))
    for app in apps:
        findings += check_app(project, ext.package, app)
    return findings + check_handlers(project, ext.package)
