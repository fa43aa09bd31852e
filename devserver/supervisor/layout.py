"""Find the extensions under each PATH, without importing them.

A PATH is an extension project (a folder with ``pyproject.toml`` or ``setup.py``) or a folder
holding several. A project's extensions are the names its ``jupyter-config`` files enable or,
without such files, its top-level packages whose ``__init__.py`` defines an extension hook.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from devserver.errors import ConfigError, NoExtensionError
from devserver.projects import defines_hook, is_project, source_root, top_level_packages


@dataclass(frozen=True)
class Project:
    """One extension source folder."""

    root: Path
    #: Where its packages live (``root`` or ``root/src``); goes first on the worker's sys.path.
    source_root: Path
    distribution: str | None
    #: Top-level import packages (or single modules) in the project, name → path.
    packages: dict[str, Path]
    #: The ``jpserver_extensions`` names the project provides.
    extensions: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """Everything the supervisor watches, found from the user's PATHs."""

    paths: tuple[Path, ...]
    projects: tuple[Project, ...]

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(name for p in self.projects for name in p.extensions)

    @property
    def containers(self) -> tuple[Path, ...]:
        """The PATHs that hold extension folders rather than being one."""
        roots = {p.root for p in self.projects}
        return tuple(p for p in self.paths if p not in roots)

    def project_of(self, path: Path) -> Project | None:
        """The project whose folder holds ``path``."""
        return next((p for p in self.projects if path.is_relative_to(p.root)), None)


def discover(paths: list[Path]) -> Layout:
    """The layout of every PATH; raises ConfigError naming the first bad one.

    A file or folder that vanishes or cannot be read while it is being looked at (a project
    deleted during a rescan) is a ConfigError naming it too, never an OSError.
    """
    projects: list[Project] = []
    for path in paths:
        try:
            projects.extend(find_projects(path))
        except OSError as exc:
            where = exc.filename or path
            raise ConfigError(f"{where}: cannot be read ({exc.strerror or exc})") from exc
    names = [n for p in projects for n in p.extensions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"extension {duplicates[0]!r} is provided by more than one PATH")
    return Layout(tuple(p.resolve() for p in paths), tuple(projects))


def find_projects(path: Path) -> list[Project]:
    """The project at ``path``, or the projects in its sub-folders."""
    path = path.resolve()
    if not path.exists():
        raise ConfigError(f"{path}: no such folder. Give the folder of an extension project.")
    if not path.is_dir():
        raise ConfigError(f"{path}: not a folder. Give the folder that holds pyproject.toml.")
    if is_project(path):
        return [read_project(path)]
    projects = [read_project(p) for p in sorted(path.iterdir()) if p.is_dir() and is_project(p)]
    if not projects:
        raise NoExtensionError(
            f"{path}: no Jupyter Server extension here. Expected a folder with pyproject.toml or "
            "setup.py (or folders of them) whose package defines _jupyter_server_extension_points "
            "or _load_jupyter_server_extension."
        )
    return projects


def read_project(root: Path) -> Project:
    source = source_root(root)
    packages = top_level_packages(source)
    extensions = enabled_names(root) or tuple(n for n, p in packages.items() if defines_hook(p))
    if not extensions:
        raise NoExtensionError(
            f"{root}: no package here defines _jupyter_server_extension_points or "
            "_load_jupyter_server_extension, and no jupyter-config/jupyter_server_config.d/*.json "
            "enables one. Add one of them (see the extension guide)."
        )
    return Project(root, source, distribution_name(root), packages, extensions)


def enabled_names(root: Path) -> tuple[str, ...]:
    """Extensions enabled by the project's ``jupyter-config/**/jupyter_server_config.d/*.json``."""
    names: list[str] = []
    files = {
        *root.glob("jupyter-config/**/jupyter_server_config.d/*.json"),
        *root.glob("jupyter-config/server-config/*.json"),  # the JupyterLab extension template
        *root.glob("etc/jupyter/jupyter_server_config.d/*.json"),  # jupyter_server's own examples
    }
    for file in sorted(files):
        names.extend(n for n, on in read_config_json(file).items() if on and n not in names)
    return tuple(names)


def read_config_json(file: Path) -> dict[str, bool]:
    """``ServerApp.jpserver_extensions`` of one config JSON; ConfigError names file and line."""
    try:
        data = json.loads(read_text(file))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{file}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    section = (
        data.get("ServerApp", {}).get("jpserver_extensions", {}) if isinstance(data, dict) else {}
    )
    if not isinstance(section, dict):
        raise ConfigError(f"{file}: ServerApp.jpserver_extensions must be an object of booleans")
    return {str(k): bool(v) for k, v in section.items()}


def distribution_name(root: Path) -> str | None:
    """``[project].name`` of ``pyproject.toml``; None for a setup.py-only project."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{pyproject}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from exc
    name = data.get("project", {}).get("name")
    return str(name) if name else None


def read_text(file: Path) -> str:
    """The UTF-8 text of ``file``; ConfigError naming it when it is in another encoding."""
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
