"""Which file events are worth a look, and which folders hold server config to watch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from watchfiles import DefaultFilter


class SourceFilter(DefaultFilter):
    """watchfiles' default filter (VCS folders, caches, editor swap files, bytecode), plus
    build output and packaging metadata that an editable install rewrites."""

    ignore_dirs: Sequence[str] = (
        *DefaultFilter.ignore_dirs,
        "build",
        "dist",
        ".ipynb_checkpoints",
        ".eggs",
    )
    ignore_entity_patterns: Sequence[str] = (
        *DefaultFilter.ignore_entity_patterns,
        r"\.egg-info$",
        r"\.tmp$",
    )


def config_dirs() -> list[Path]:
    """Jupyter's config folders, where server config files and ``jupyter_server_config.d`` live."""
    return [Path(p) for p in jupyter_config_path()]
