"""What a batch of file changes means, as a pure function.

``plan_changes(changes, layout, watched)`` maps a watchfiles batch to a ``Plan``: which
extensions to hot-reload, whether the worker must restart (and why), which projects to
reinstall, and which template or static files changed. No I/O here but ``Path`` arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles import Change

from devserver.projects import PROJECT_FILES

from .layout import Layout, Project

TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2", ".tpl"})
#: Paths a ``changed`` message lists; the rest are counted. Pages reload on any change, and a
#: folder of 20,000 new data files is one event, not 20,000.
LISTED = 50
SERVER_CONFIG_NAMES = frozenset(
    {
        "jupyter_server_config.py",
        "jupyter_server_config.json",
        "jupyter_config.py",
        "jupyter_config.json",
    }
)


@dataclass(frozen=True)
class Plan:
    """What to do about one batch of changes. An empty plan means: nothing.

    ``rescan``: look for extension folders again, and restart if the set of them changed.
    """

    reload: tuple[str, ...] = ()
    restart: str | None = None
    reinstall: tuple[Path, ...] = ()
    rescan: bool = False
    templates: tuple[str, ...] = ()
    static: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.reload
            or self.restart
            or self.reinstall
            or self.rescan
            or self.templates
            or self.static
        )


@dataclass
class _Draft:
    reload: list[str] = field(default_factory=list)
    restart: list[str] = field(default_factory=list)
    reinstall: list[Path] = field(default_factory=list)
    rescan: bool = False
    templates: list[str] = field(default_factory=list)
    static: list[str] = field(default_factory=list)


def plan_changes(
    changes: Iterable[tuple[Change, str]], layout: Layout, watched: Iterable[Path] = ()
) -> Plan:
    """The plan for a batch of ``(Change, path)`` pairs; ``watched`` are the ``--watch`` files
    and folders, whose changes restart the worker.

    >>> from devserver.supervisor.layout import Layout
    >>> plan_changes([], Layout((), ()))
    Plan(reload=(), restart=None, reinstall=(), rescan=False, templates=(), static=())
    """
    draft = _Draft()
    extra = {Path(p) for p in watched}
    for change, raw in sorted(changes, key=lambda c: c[1]):
        _classify(change, Path(raw), layout, extra, draft)
    restart = "; ".join(dict.fromkeys(draft.restart)) or None
    return Plan(
        reload=() if restart else tuple(dict.fromkeys(draft.reload)),
        restart=restart,
        reinstall=tuple(dict.fromkeys(draft.reinstall)),
        rescan=draft.rescan,
        templates=tuple(draft.templates),
        static=tuple(draft.static),
    )


def _classify(change: Change, path: Path, layout: Layout, watched: set[Path], d: _Draft) -> None:
    if is_server_config(path):
        d.restart.append(f"config changed: {path.name}")
        return
    if any(path.is_relative_to(w) for w in watched):
        d.restart.append(f"watched file changed: {path.name}")
        return
    if path.parent in layout.containers and change != Change.modified:
        d.rescan = True  # maybe an extension folder appeared or went: the supervisor looks again
        return
    project = layout.project_of(path)
    if project is None:
        # Inside a folder of extension folders but in none known yet: one being copied or cloned.
        d.rescan = d.rescan or any(path.is_relative_to(c) for c in layout.containers)
    else:
        _classify_in_project(change, path, project, d)


def _classify_in_project(change: Change, path: Path, project: Project, d: _Draft) -> None:
    if path.parent == project.root and path.name in PROJECT_FILES:
        if change == Change.deleted:
            d.rescan = True  # the project may be going away: look again rather than reinstall
        else:
            d.reinstall.append(project.root)
            d.restart.append(f"{path.name} changed: {project.root.name}")
        return
    if path.is_relative_to(project.root / "jupyter-config"):
        d.restart.append(f"config changed: {path.name}")
        return
    owner = next(
        (n for n, p in project.packages.items() if path == p or path.is_relative_to(p)), None
    )
    if owner is None:
        return
    if path.suffix == ".py":
        d.reload.extend([owner] if owner in project.extensions else project.extensions)
    elif path.suffix in TEMPLATE_SUFFIXES:
        d.templates.append(str(path))
    else:  # bytecode never gets here: the watcher's filter drops it
        d.static.append(str(path))


def is_server_config(path: Path) -> bool:
    """A server config file: ``jupyter_server_config.{py,json}`` or one in ``*_config.d``."""
    return path.name in SERVER_CONFIG_NAMES or (
        path.parent.name == "jupyter_server_config.d" and path.suffix == ".json"
    )


def summarise(paths: tuple[str, ...], limit: int = LISTED) -> tuple[list[str], int]:
    """The first ``limit`` paths and how many there are in all.

    >>> summarise(("a", "b", "c"), limit=2)
    (['a', 'b'], 3)
    """
    return list(paths[:limit]), len(paths)
