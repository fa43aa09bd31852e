"""The checks that decide whether an installed extension loads at all.

Check 3, a loader for each extension point; check 4, ``jupyter_server_config.d/NAME.json``
enabling the package; check 5, that JSON installed into ``etc/jupyter/jupyter_server_config.d``.
"""

from __future__ import annotations

import json
import os
from fnmatch import fnmatch
from pathlib import Path

from .base import Finding, error, passed, warning
from .meta import TARGET, data_files
from .points import Point, is_extension_app
from .project import Extension, Project
from .source import Definition, Module, binding, find_class, find_imported_class

LOADER = "_load_jupyter_server_extension"
CLASSIC_LOADER = "load_jupyter_server_extension"
CONFIG_DIR = "jupyter-config/jupyter_server_config.d"


def check_loader(
    project: Project, ext: Extension, point: Point
) -> tuple[Finding, Definition | None]:
    """Check 3: the point's ``app`` is an ExtensionApp, or its module defines a loader.

    Returns the app class as well, for the checks that only concern ExtensionApps.
    """
    file, line = project.rel(ext.package.path), point.line or None
    if point.module is None:
        return warning(
            "loader",
            "an extension point's 'module' is not a string literal",
            "Write the module's import name as a string.",
            file,
            line,
        ), None
    module = project.src.module(point.module)
    if module is None:
        return error(
            "loader",
            f"extension point module {point.module!r} is not a module of this project, "
            "so the server cannot import it",
            f"Set 'module' to an import name of this project, e.g. {ext.name!r}.",
            file,
            line,
        ), None
    if point.app or point.app_opaque:
        return _check_app(project, ext, point)
    return _check_function(project, module), None


def _check_function(project: Project, module: Module) -> Finding:
    file = project.rel(module.path)
    stmt = binding(module.tree, LOADER)
    if stmt is not None:
        return passed("loader", f"{module.name}.{LOADER} found", file, stmt.lineno)
    classic = binding(module.tree, CLASSIC_LOADER)
    if classic is not None:
        return warning(
            "loader",
            f"{module.name} has only the classic name {CLASSIC_LOADER}; "
            "jupyter_server still calls it but logs a deprecation warning",
            f"Rename it to {LOADER} (or add `{LOADER} = {CLASSIC_LOADER}`).",
            file,
            classic.lineno,
        )
    return error(
        "loader",
        f"{module.name} has no {LOADER}(serverapp) and its extension point has no "
        "'app': the server has nothing to load",
        f'Define {LOADER}(serverapp) in {module.name}, or add "app": YourExtensionApp to '
        "the extension point.",
        file,
    )


def _check_app(project: Project, ext: Extension, point: Point) -> tuple[Finding, Definition | None]:
    cls = None
    if point.app:
        cls = find_class(project.src, ext.package, point.app) or find_imported_class(
            project.src, ext.package, point.app
        )
    if cls is None:
        return warning(
            "loader",
            f"app {point.app or '(an expression)'} is not a class defined in this "
            "project, so it could not be checked to be an ExtensionApp",
            "Point 'app' at your ExtensionApp subclass, imported into the package's __init__.py.",
            project.rel(ext.package.path),
            point.line or None,
        ), None
    where, line = project.rel(cls.module.path), cls.node.lineno
    verdict = is_extension_app(project.src, cls)
    if verdict is None:
        return warning(
            "loader",
            f"app {point.app} subclasses a class from outside this project; "
            "could not prove it is an ExtensionApp",
            "Make sure it subclasses ExtensionApp.",
            where,
            line,
        ), cls
    if not verdict:
        return error(
            "loader",
            f"app {point.app} is not an ExtensionApp subclass, so the server finds no loader on it",
            "Subclass jupyter_server.extension.application.ExtensionApp.",
            where,
            line,
        ), None
    return passed("loader", f"app {point.app} is an ExtensionApp subclass", where, line), cls


def check_config_json(project: Project, name: str) -> tuple[Finding, Path | None]:
    """Check 4: ``jupyter-config/jupyter_server_config.d/NAME.json`` enables NAME.

    Returns the JSON file meant to enable NAME (for check 5), if there is one.
    """
    expected = project.root / CONFIG_DIR / f"{name}.json"
    if expected.is_file():
        return config_finding(project, expected, name), expected
    # Where the packaging installs it counts too (jupyter-lsp keeps it in its package folder).
    installed = [
        project.root / src
        for dest, src, _ in data_files(project.meta)[0]
        if dest.strip("/") == TARGET and (project.root / src).is_file()
    ]
    candidates = dict.fromkeys([*config_files(project.root), *installed])
    # Each file read once; the key that enables the package must be set to true.
    sections = {f: _read_enabled(f) for f in candidates}
    keys = {f: _key_for(enabled, name) for f, enabled in sections.items()}
    elsewhere = [(f, keys[f]) for f, enabled in sections.items() if enabled.get(keys[f]) is True]
    if elsewhere:
        file, key = elsewhere[0]
        return warning(
            "config-json",
            f"{project.rel(file)} enables {key}, but the guide's place is {CONFIG_DIR}/{name}.json",
            f"Move it to {CONFIG_DIR}/{name}.json.",
            project.rel(file),
        ), file
    others = sorted(p.name for p in (project.root / CONFIG_DIR).glob("*.json"))
    hint = f" (found {', '.join(others)}; the file is named after the package)" if others else ""
    return error(
        "config-json",
        f"{CONFIG_DIR}/{name}.json is missing{hint}: installing the package does not enable {name}",
        f"Create it with {enabling_json(name)}",
        f"{CONFIG_DIR}/{name}.json",
    ), None


#: Folders never searched for config files (vendored code, environments, build output).
SKIP_DIRS = frozenset({"node_modules", "build", "dist", "venv", "site-packages", "__pycache__"})
#: How deep below the project folder config files are searched for.
MAX_DEPTH = 4


def config_files(root: Path) -> list[Path]:
    """JSON files under ``jupyter-config/`` or in any ``jupyter_server_config.d`` folder.

    jupyter_server's own examples keep theirs in ``etc/jupyter/jupyter_server_config.d``; the
    JupyterLab extension template in ``jupyter-config/server-config``.
    """
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        parts = Path(folder).relative_to(root).parts
        dirs[:] = (
            []
            if len(parts) >= MAX_DEPTH
            else sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        )
        if parts[:1] == ("jupyter-config",) or parts[-1:] == ("jupyter_server_config.d",):
            found += [Path(folder) / f for f in sorted(files) if f.endswith(".json")]
    return found


def enabling_json(name: str) -> str:
    """The JSON that enables ``name``, on one line."""
    return json.dumps({"ServerApp": {"jpserver_extensions": {name: True}}})


def config_finding(project: Project, file: Path, name: str) -> Finding:
    """Whether one JSON file parses and sets ``ServerApp.jpserver_extensions.NAME`` to true."""
    rel = project.rel(file)
    text = file.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return error(
            "config-json",
            f"{rel}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg} "
            "(jupyter_server skips the file with one warning line)",
            "Fix the JSON at that line.",
            rel,
            exc.lineno,
        )
    enabled = _enabled_section(data)
    fix = f"Make the file {enabling_json(name)}"
    if enabled is None:
        return error("config-json", f"{rel} does not set ServerApp.jpserver_extensions", fix, rel)
    name = _key_for(enabled, name)
    line = _line_of(text, f'"{name}"')
    if "." in name and project.src.module(name) is None:
        return error(
            "config-json",
            f"{rel} enables {name}, which is not a module of this project: the server fails "
            "to import it",
            fix,
            rel,
            line,
        )
    if name not in enabled:
        keys = ", ".join(map(str, enabled)) or "nothing"
        return error(
            "config-json",
            f"{rel} lists {keys} but not {name}: the key must be the package's import name",
            fix,
            rel,
            _line_of(text, "jpserver_extensions"),
        )
    if enabled[name] is not True:
        return error(
            "config-json",
            f"{rel} sets {name} to {json.dumps(enabled[name])}, not true",
            fix,
            rel,
            line,
        )
    return passed("config-json", f"{rel} enables {name}", rel, line)


def _enabled_section(data: object) -> dict[str, object] | None:
    server = data.get("ServerApp") if isinstance(data, dict) else None
    section = server.get("jpserver_extensions") if isinstance(server, dict) else None
    return section if isinstance(section, dict) else None


def _key_for(enabled: dict[str, object], name: str) -> str:
    """The key that enables package ``name``: its own name, else one of its modules (voila
    enables ``voila.server_extension``, which jupyter_server imports and loads as well).

    >>> _key_for({"voila.server_extension": True}, "voila")
    'voila.server_extension'
    >>> _key_for({"voilax": True}, "voila")
    'voila'
    """
    if name in enabled:
        return name
    return next((k for k in enabled if k.startswith(f"{name}.")), name)


def _read_enabled(file: Path) -> dict[str, object]:
    try:
        return _enabled_section(json.loads(file.read_text(encoding="utf-8"))) or {}
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return {}


def _line_of(text: str, needle: str) -> int | None:
    return next((i for i, line in enumerate(text.splitlines(), 1) if needle in line), None)


def check_data_files(project: Project, config: Path) -> Finding:
    """Check 5: the enabling JSON is installed into ``etc/jupyter/jupyter_server_config.d``."""
    rel = project.rel(config)
    entries, unknown = data_files(project.meta)
    ours = [(dest.strip("/"), src, where) for dest, src, where in entries if _matches(rel, src)]
    into = [(src, where) for dest, src, where in ours if dest == TARGET]
    declared_in = "setup.py" if "setup.py" in project.meta.files else "pyproject.toml"
    if into:
        src, where = into[0]
        file, line = declared_at(project, where, src)
        return passed("data-files", f"{rel} is installed into {TARGET} by {where}", file, line)
    if unknown:
        return warning(
            "data-files",
            f"setup.py computes its data files; could not prove {rel} is installed into {TARGET}",
            _data_files_fix(project, rel),
            "setup.py",
        )
    astray, line = "", None
    if ours:  # declared, but to another folder: point at that declaration
        astray = f" (it goes to {ours[0][0]})"
        declared_in, line = declared_at(project, ours[0][2], ours[0][1])
    return error(
        "data-files",
        f"{rel} is not installed into {TARGET}{astray}, so installing the "
        "package does not enable it",
        _data_files_fix(project, rel),
        declared_in,
        line,
    )


def declared_at(project: Project, where: str, source: str) -> tuple[str, int | None]:
    """The file and line of a data-files declaration (``where`` as ``data_files`` labels it)."""
    file = next(
        (f for f in ("setup.cfg", "setup.py", "pyproject.toml") if where.startswith(f)),
        "pyproject.toml",
    )
    path = project.root / file
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    # The entry names the file or a folder holding it (hatch maps whole folders).
    path_of = Path(source.removesuffix("/*").removeprefix("./"))
    for candidate in (path_of, *path_of.parents[:-1]):
        line = _line_of(text, candidate.as_posix())
        if line is not None:
            return file, line
    return file, _line_of(text, path_of.name)


def _matches(rel: str, pattern: str) -> bool:
    pattern = pattern.removeprefix("./")
    return rel == pattern or fnmatch(rel, pattern)


def _data_files_fix(project: Project, rel: str) -> str:
    if project.meta.backend.startswith("hatchling"):
        return (
            f"Add to pyproject.toml: [tool.hatch.build.targets.wheel.shared-data] "
            f'"{rel}" = "{TARGET}/{Path(rel).name}"'
        )
    if "pyproject.toml" in project.meta.files and "setup.py" not in project.meta.files:
        return f'Add to pyproject.toml: [tool.setuptools.data-files] "{TARGET}" = ["{rel}"]'
    return f'Add to setup(): data_files=[("{TARGET}", ["{rel}"])]'
