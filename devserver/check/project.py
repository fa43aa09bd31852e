"""What every check of ``devserver check`` reads: the project (its folder, packaging files and
Python sources) and each extension package found in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .meta import Metadata
from .points import Point
from .source import Module, SourceTree


@dataclass(frozen=True)
class Project:
    """What every check reads: the folder, its packaging files, its Python sources."""

    root: Path
    meta: Metadata
    src: SourceTree

    def rel(self, path: Path) -> str:
        """``path`` as the user sees it from the project folder (POSIX separators)."""
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class Extension:
    """A top-level package (or module) that the server enables by its import name."""

    package: Module
    points: list[Point]

    @property
    def name(self) -> str:
        return self.package.name
